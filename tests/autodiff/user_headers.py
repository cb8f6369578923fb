#!/usr/bin/env python3
"""A user's headers expose no internals: preprocesses a file that includes saddle/saddle.hpp
(every layer) and fails if any saddle header it pulls in declares a detail:: or kernels:: namespace,
names AdjointSlot, or includes cblas.h (the rule author's side, saddle/autodiff/rule.hpp, may).
   user_headers.py <source root> <compiler command...>"""
import os
import re
import subprocess
import sys
import tempfile

INTERNAL = re.compile(r"namespace\s+([\w:]*::)?(detail|kernels)\b|\bAdjointSlot\b|#\s*include\s*<cblas\.h>")


def main() -> int:
    root, compiler = sys.argv[1], sys.argv[2:]
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "user.cpp")
        with open(src, "w", encoding="utf-8") as f:
            f.write('#include "saddle/saddle.hpp"\nint main() {}\n')
        out = subprocess.run(compiler + ["-std=c++20", "-E", "-I", root, src], capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stderr)
            return 1
    saddle_dir = os.path.realpath(os.path.join(root, "saddle")) + os.sep
    current, found = "", []
    for line in out.stdout.splitlines():
        m = re.match(r'# \d+ "([^"]+)"', line)
        if m:
            current = os.path.realpath(m.group(1)) if os.path.isabs(m.group(1)) else os.path.realpath(os.path.join(root, m.group(1)))
            continue
        if current.startswith(saddle_dir) and INTERNAL.search(line):
            found.append(f"{os.path.relpath(current, root)}: {line.strip()}")
    for f in found:
        print(f)
    print(f"{len(found)} internal names in the user's headers")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
