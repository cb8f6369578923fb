#!/usr/bin/env python3
"""Writes the first ```cpp block under a README heading to a file, so that a test compiles the
README's example exactly as written.   readme_block.py README.md "Your own op" out.cpp"""
import sys


def block(readme: str, heading: str) -> str:
    lines = readme.splitlines()
    try:
        start = lines.index("## " + heading)
    except ValueError:
        sys.exit(f"readme_block: no heading '## {heading}' in the README")
    inside, code = False, []
    for line in lines[start + 1:]:
        if not inside and line.startswith("## "):
            break
        if not inside and line.strip() == "```cpp":
            inside = True
        elif inside and line.strip() == "```":
            return "\n".join(code) + "\n"
        elif inside:
            code.append(line)
    sys.exit(f"readme_block: no complete ```cpp block under '## {heading}'")


if __name__ == "__main__":
    readme, heading, out = sys.argv[1:4]
    with open(readme, encoding="utf-8") as f:
        text = block(f.read(), heading)
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
