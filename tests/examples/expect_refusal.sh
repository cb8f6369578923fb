#!/usr/bin/env bash
# Runs a program that must refuse its input: exit status 2 (not a crash, not a signal) and exactly
# one error line on stderr, naming the program, as the last line (progress lines may come before it,
# for an error found mid-run). Usage: expect_refusal.sh PROGRAM ARGS...
set -u
err=$(mktemp)
trap 'rm -f "$err"' EXIT
"$@" >/dev/null 2>"$err"
rc=$?
name=$(basename "$1")
lines=$(grep -c "^$name: " "$err")
if [[ $rc -ne 2 ]]; then
  echo "expected exit status 2, got $rc; stderr:"; cat "$err"; exit 1
fi
if [[ $lines -ne 1 ]] || ! tail -n 1 "$err" | grep -q "^$name: "; then
  echo "expected one last line starting with '$name: ' on stderr, got $lines such lines:"; cat "$err"; exit 1
fi
echo "refused as expected: $(tail -n 1 "$err")"
