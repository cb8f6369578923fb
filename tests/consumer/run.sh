#!/usr/bin/env bash
# saddle as its users get it, checked end to end:
#   1. stages an install of BUILD_DIR (meson install --destdir) and checks what it holds: every
#      public header (and every file a header includes), libsaddle.so and libsaddle.a, saddle.pc
#      and the CMake package; all installed headers compile together;
#   2. builds tests/consumer (consumer.cpp) against that stage through pkg-config (meson) and
#      through find_package (CMake), each linking the shared library and the static archive,
#      and runs the four programs;
#   3. uses saddle as a meson subproject of a tiny parent project: dependency('saddle') builds
#      and runs, and none of saddle's tests, programs or benchmarks are part of the parent's build.
#
#   tests/consumer/run.sh [BUILD_DIR]     (default: build; what it lacks is built first)
#
# Exits non-zero at the first failed step, saying which. Not part of `meson test`, which runs
# before any install: CI (.ci/run) runs it after the suite.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
[[ -f $build/build.ninja ]] || { echo "run.sh: $build is not a meson build directory" >&2; exit 2; }

# The work happens in BUILD_DIR/consumer-check, a fixed place, so that ccache recognises the
# subproject build of step 3 from one run to the next; it is removed at the end
# (SADDLE_KEEP_WORK=1 keeps it).
work=$build/consumer-check
rm -rf "$work"
mkdir -p "$work"
if [[ ${SADDLE_KEEP_WORK:-0} == 1 ]]; then
  echo "run.sh: keeping $work"
else
  trap 'rm -rf "$work"' EXIT
fi
step() { printf '\n-- %s\n' "$*"; }
fail() { echo "run.sh: FAILED: $*" >&2; exit 1; }

# ---- 1. the staged install ----------------------------------------------------------------
step "staging meson install of $build"
stage=$work/stage
# Without --no-rebuild: `meson test` builds only what the tests need, not the shared library.
meson install -C "$build" --destdir "$stage" --quiet >/dev/null
# Where things land inside the stage: the build's prefix and libdir (libdir may be relative).
read -r prefix libdir includedir < <(python3 - "$build" <<'EOF'
import json, os, sys
opts = {o["name"]: o["value"] for o in json.load(open(os.path.join(sys.argv[1], "meson-info", "intro-buildoptions.json")))}
p = opts["prefix"]
j = lambda d: d if os.path.isabs(d) else os.path.join(p, d)
print(p, j(opts["libdir"]), j(opts["includedir"]))
EOF
)
inc=$stage$includedir
lib=$stage$libdir
[[ -d $inc/saddle ]] || fail "no $includedir/saddle in the stage"
missing=0
while IFS= read -r h; do
  [[ -f $inc/$h ]] || { echo "  not installed: $h"; missing=1; }
done < <(cd "$root" && { find saddle -name '*.hpp'; find saddle -name '*.hpp' -exec sed -n 's/^ *# *include *"\(saddle\/[^"]*\)".*/\1/p' {} +; } | sort -u)
((missing == 0)) || fail "public headers missing from the install"
for f in libsaddle.so libsaddle.a pkgconfig/saddle.pc cmake/saddle/saddleConfig.cmake \
         cmake/saddle/saddleConfigVersion.cmake; do
  [[ -e $lib/$f ]] || fail "$libdir/$f not installed"
done
[[ -e $(readlink -f "$lib/libsaddle.so") ]] || fail "libsaddle.so is a dangling link"
echo "  $(find "$inc/saddle" -name '*.hpp' | wc -l) headers, libsaddle.so -> $(readlink "$lib/libsaddle.so"), libsaddle.a, saddle.pc, saddleConfig.cmake, saddleConfigVersion.cmake"

# How pkg-config finds the staged saddle.pc: through PKG_CONFIG_PATH alone. saddle.pc is
# relocatable (meson's pkgconfig.relocatable: prefix=${pcfiledir}/../../..), so its paths point
# into the stage wherever the .pc file is read from. PKG_CONFIG_SYSROOT_DIR would not do: it
# prefixes every -I and -L, the system dependencies' too (/usr/include/...), which are not in the
# stage; nor would --define-variable=prefix=..., which redefines every package's prefix.
export PKG_CONFIG_PATH=$lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
pcflags=$(pkg-config --cflags saddle)
[[ $pcflags == *"$stage"* ]] || fail "pkg-config --cflags saddle does not point into the stage: $pcflags"
pkg-config --static --libs saddle >/dev/null || fail "pkg-config --static --libs saddle"

# Every installed header compiles on its own with what pkg-config gives (one translation unit
# that includes them all, syntax only).
step "every installed header compiles with pkg-config --cflags saddle"
all=$work/all_headers.cpp
(cd "$inc" && find saddle -name '*.hpp' | sort | sed 's/.*/#include <&>/') >"$all"
echo 'int main() {}' >>"$all"
# shellcheck disable=SC2086  # pkg-config's flags are words
${CXX:-c++} -std=c++20 -fsyntax-only $pcflags "$all" || fail "the installed headers do not compile together"

check_links() {  # check_links EXE shared|static
  local needed
  needed=$(readelf -d "$1" | grep -c 'NEEDED.*libsaddle' || true)
  if [[ $2 == shared ]]; then
    ((needed == 1)) || fail "$1 does not link libsaddle.so"
    local loaded
    loaded=$(ldd "$1" | grep 'libsaddle\.so' || true)
    [[ $loaded == *"=> $stage/"* ]] || fail "$1 does not load libsaddle.so from the stage: $loaded"
  else
    ((needed == 0)) || fail "$1 links libsaddle.so, expected the static archive"
  fi
}

run_consumer() {  # run_consumer LABEL EXE
  local out
  if ! out=$("$2" 2>&1); then
    tail -n 20 <<<"$out"
    fail "$1: $(grep -m1 'FAILED' <<<"$out" || echo "exit status non-zero")"
  fi
  grep -q 'consumer: all checks passed' <<<"$out" || fail "$1: no verdict line"
  echo "  $1: $(grep -c '^  ok' <<<"$out") checks passed"
}

# ---- 2. the consumer, through pkg-config and through CMake ---------------------------------
step "consumer through pkg-config (meson)"
# The shared build finds libsaddle.so in the stage at run time through the rpath meson gives
# executables linked to libraries outside the system directories; check_links makes sure.
meson setup "$work/meson" "$here" >"$work/meson-setup.log" 2>&1 || { tail -n 30 "$work/meson-setup.log"; fail "meson setup of the consumer"; }
meson compile -C "$work/meson" >"$work/meson-compile.log" 2>&1 || { tail -n 40 "$work/meson-compile.log"; fail "meson compile of the consumer"; }
check_links "$work/meson/consumer_shared" shared
check_links "$work/meson/consumer_static" static
run_consumer "pkg-config, libsaddle.so" "$work/meson/consumer_shared"
run_consumer "pkg-config, libsaddle.a" "$work/meson/consumer_static"

step "consumer through find_package(saddle) (CMake)"
if command -v cmake >/dev/null; then
  cmake -S "$here" -B "$work/cmake" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$stage$prefix" \
    >"$work/cmake-configure.log" 2>&1 || { tail -n 30 "$work/cmake-configure.log"; fail "cmake configure of the consumer"; }
  cmake --build "$work/cmake" >"$work/cmake-build.log" 2>&1 || { tail -n 40 "$work/cmake-build.log"; fail "cmake build of the consumer"; }
  check_links "$work/cmake/consumer_shared" shared
  check_links "$work/cmake/consumer_static" static
  run_consumer "find_package, saddle::saddle (shared)" "$work/cmake/consumer_shared"
  run_consumer "find_package, saddle::saddle_static" "$work/cmake/consumer_static"
else
  fail "cmake not found (Debian package cmake; scripts/setup.sh installs it)"
fi

# ---- 3. saddle as a meson subproject -------------------------------------------------------
step "saddle as a meson subproject"
parent=$work/parent
mkdir -p "$parent/subprojects"
ln -s "$root" "$parent/subprojects/saddle"
cat >"$parent/meson.build" <<'EOF'
project('parent', 'cpp', default_options : ['cpp_std=c++20', 'buildtype=release'])
saddle_dep = dependency('saddle', fallback : 'saddle')
test('parent uses saddle', executable('parent', 'parent.cpp', dependencies : saddle_dep))
EOF
cat >"$parent/parent.cpp" <<'EOF'
#include "saddle/autodiff.hpp"
#include <cstdio>
// d/dw sum(w²) = 2w, and H = 2I: the engine works from the parent's build.
int main() {
  using namespace saddle;
  auto f = [](const std::vector<Var<double>>& p) { return sum(square(p[0])); };
  const TensorList<double> w{Tensor<double>{1.0, -2.0}};
  const TensorList<double> g = grad(f, w), Hv = hvp(f, w, TensorList<double>{Tensor<double>{1.0, 0.0}});
  const bool ok = g[0](0) == 2 && g[0](1) == -4 && Hv[0](0) == 2 && Hv[0](1) == 0;
  std::puts(ok ? "parent: ok" : "parent: wrong derivatives");
  return ok ? 0 : 1;
}
EOF
# --force-fallback-for: use the subproject even where a saddle is installed on the machine.
meson setup "$parent/build" "$parent" --force-fallback-for=saddle >"$work/parent-setup.log" 2>&1 ||
  { tail -n 30 "$work/parent-setup.log"; fail "meson setup of the parent project"; }
grep -q "Subproject saddle finished" "$work/parent-setup.log" || fail "the parent did not configure saddle as a subproject"
for pkg in doctest benchmark CLI11 nlohmann_json; do
  ! grep -qi "\(Dependency\|Has header\).*$pkg" "$work/parent-setup.log" ||
    fail "saddle as a subproject looked up $pkg"
done
tests=$(meson test -C "$parent/build" --list --no-rebuild 2>/dev/null)
[[ $tests == "parent uses saddle" ]] || fail "the parent's meson test lists more than its own test: $(echo "$tests" | tr '\n' ' ')"
python3 - "$parent/build" <<'EOF' || fail "saddle's tests, programs or benchmarks are targets of the parent's build"
import json, os, sys
targets = json.load(open(os.path.join(sys.argv[1], "meson-info", "intro-targets.json")))
extra = [t["name"] for t in targets if t["subproject"] == "saddle" and t["type"] == "executable"]
if extra:
    print("  executables of saddle in the parent's build:", ", ".join(sorted(extra)))
    sys.exit(1)
EOF
for t in train hessian quickstart test_autodiff test_nn saddle_bench; do
  ! grep -q "^build [^:]*/$t: " "$parent/build/build.ninja" || fail "build.ninja of the parent has a target $t"
done
meson compile -C "$parent/build" >"$work/parent-compile.log" 2>&1 || { tail -n 40 "$work/parent-compile.log"; fail "meson compile of the parent project"; }
meson test -C "$parent/build" --no-rebuild >"$work/parent-test.log" 2>&1 || { cat "$work/parent-test.log"; fail "the parent's test"; }
echo "  dependency('saddle') builds and runs; the parent's build holds none of saddle's tests, programs or benchmarks"

step "all consumer checks passed"
