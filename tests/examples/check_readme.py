"""README's code examples are the files of examples/, verbatim.

README quotes each one as

    <!-- example: examples/c/echo_client.c -->
    ```c
    ...the whole file...
    ```

and this test fails when a quote and its file differ, when a marker names a
file that does not exist, or when an example program is quoted nowhere.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QUOTE = re.compile(r"<!-- example: (\S+) -->\n```[a-z]*\n(.*?)```\n", re.S)
PROGRAMS = (".c", ".cs", ".java", ".lua")


def main():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    problems, quoted = [], set()
    for path, text in QUOTE.findall(readme):
        quoted.add(path)
        try:
            with open(os.path.join(ROOT, path), encoding="utf-8") as f:
                actual = f.read()
        except OSError as e:
            problems.append(f"README quotes {path}, which cannot be read: {e}")
            continue
        if text != actual:
            problems.append(f"README's quote of {path} differs from the file: copy the file "
                            "between the marker's fences again")
    for folder, _, files in os.walk(os.path.join(ROOT, "examples")):
        for name in files:
            path = os.path.relpath(os.path.join(folder, name), ROOT)
            if name.endswith(PROGRAMS) and path not in quoted:
                problems.append(f"{path} is not quoted in README (<!-- example: {path} -->)")
    if readme.count("<!-- example:") != len(QUOTE.findall(readme)):
        problems.append("an <!-- example: --> marker is not followed by a fenced code block")
    if not quoted:
        problems.append("README quotes no example")
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
