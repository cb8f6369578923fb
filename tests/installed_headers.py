#!/usr/bin/env python3
"""Every public header is installed, and at the path it has in the tree.

    installed_headers.py SOURCE_ROOT BUILD_ROOT

Reads meson's install plan (BUILD_ROOT/meson-info/intro-installed.json) and checks that each
saddle/**/*.hpp of the source tree, and each other file of saddle/ that one of them includes
(`#include "saddle/optim/methods.def"`), goes to <includedir>/saddle/<the same relative path>,
and that nothing else of saddle/ is installed as a header. A header added to the tree and not to
install_headers() in saddle/meson.build fails here, naming it.
"""
import json
import pathlib
import re
import sys

source, build = pathlib.Path(sys.argv[1]).resolve(), pathlib.Path(sys.argv[2]).resolve()
plan = json.loads((build / "meson-info" / "intro-installed.json").read_text())
headers = sorted((source / "saddle").rglob("*.hpp"))
tree = {p.relative_to(source).as_posix() for p in headers}
for p in headers:
    for included in re.findall(r'^\s*#\s*include\s+"(saddle/[^"]+)"', p.read_text(), re.M):
        if (source / included).is_file():
            tree.add(included)
tree = sorted(tree)

installed = {}
for src, dest in plan.items():
    s = pathlib.Path(src)
    if s.is_relative_to(source / "saddle") and not s.is_relative_to(build):
        installed[s.relative_to(source).as_posix()] = dest

problems = []
for header in tree:
    dest = installed.pop(header, None)
    if dest is None:
        problems.append(f"{header}: not installed (add it to install_headers in saddle/meson.build)")
    elif not dest.endswith("/include/" + header):
        problems.append(f"{header}: installed as {dest}, expected <includedir>/{header}")
for extra, dest in sorted(installed.items()):
    if extra.endswith((".hpp", ".h", ".inc", ".def")):
        problems.append(f"{extra}: installed as {dest} but is not a header of the tree")

for p in problems:
    print(p)
print(f"{len(tree)} headers (and files they include) in saddle/, {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
