"""One truth about the command line: the man page (packaging/man/polyws.1, the
source), `polyws --help` and docs/cli.md list the same options, with the
same short names, in the same groups, and the same exit statuses; the man
page renders without warnings."""
import os
import re
import subprocess
import unittest

from harness import ROOT, CliTestCase, run_cli

MAN_PAGE = os.path.join(ROOT, "packaging", "man", "polyws.1")
CLI_DOC = os.path.join(ROOT, "docs", "cli.md")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def options_in(text):
    """{"--long": "-s" or None} of the option names in `text` (one entry)."""
    longs = re.findall(r"--[a-z][a-z0-9-]*", text)
    shorts = re.findall(r"(?<![\w-])-([a-zA-Z])\b", text)
    return longs, shorts


def man_options():
    """{group: {long: short}} from the OPTIONS section's .SS and .TP tags."""
    text = read(MAN_PAGE).replace("\\-", "-")
    section = text.split("\n.SH OPTIONS\n", 1)[1].split("\n.SH ", 1)[0]
    groups, group, lines = {}, None, section.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(".SS "):
            group = line[4:].strip()
            groups[group] = {}
        elif line == ".TP":
            longs, shorts = options_in(lines[i + 1])
            groups[group][longs[0]] = "-" + shorts[0] if shorts else None
    return groups


def help_options(help_text):
    """The same from `polyws --help`: "Title:" lines, then option lines."""
    groups, group = {}, None
    for line in help_text.split("\n\n", 1)[1].split("\nExamples:", 1)[0].splitlines():
        if re.fullmatch(r"[A-Z].*:", line):
            group = line[:-1]
            groups[group] = {}
        m = re.match(r"  (?:-([a-zA-Z]), )?\s*(--[a-z][a-z0-9-]*)", line)
        if m:
            groups[group][m.group(2)] = "-" + m.group(1) if m.group(1) else None
    return groups


def doc_options():
    """The same from docs/cli.md: "### Title" under "## Options", table rows."""
    section = read(CLI_DOC).split("\n## Options\n", 1)[1].split("\n## ", 1)[0]
    groups, group = {}, None
    for line in section.splitlines():
        if line.startswith("### "):
            group = line[4:].strip()
            groups[group] = {}
        elif line.startswith("| `-"):
            first_cell = line.split("|")[1]
            longs, shorts = options_in(first_cell)
            groups[group][longs[0]] = "-" + shorts[0] if shorts else None
    return groups


def exit_statuses(text):
    return sorted(set(re.findall(r"^\W*([0-2])\W", text, re.M)))


class DocsAgreeTests(CliTestCase):
    def setUp(self):
        super().setUp()
        res = run_cli(["--help"])
        self.assertEqual(res.rc, 0, res.describe())
        self.help = res.stdout.decode()

    def test_man_page_lists_options(self):
        man = man_options()
        self.assertGreater(sum(len(g) for g in man.values()), 30, man)
        self.assertIn("--close", man["Closing"])

    def test_help_agrees_with_the_man_page(self):
        self.assertEqual(help_options(self.help), man_options())

    def test_docs_agree_with_the_man_page(self):
        self.assertEqual(doc_options(), man_options())

    def test_exit_statuses_agree(self):
        man = read(MAN_PAGE).split("\n.SH EXIT STATUS\n", 1)[1].split("\n.SH ", 1)[0]
        man_codes = re.findall(r"^\.B ([0-9])$", man, re.M)
        help_codes = exit_statuses(self.help.split("Exit status:\n", 1)[1])
        doc = read(CLI_DOC).split("\n## Exit status\n", 1)[1].split("\n## ", 1)[0]
        doc_codes = re.findall(r"^\| ([0-9]) \|", doc, re.M)
        self.assertEqual(man_codes, ["0", "1", "2"])
        self.assertEqual(help_codes, man_codes)
        self.assertEqual(doc_codes, man_codes)

    def test_usage_line_agrees(self):
        usage = self.help.splitlines()[0]
        self.assertEqual(usage, "usage: polyws [options] URL")
        self.assertIn("\n" + usage + "\n", read(CLI_DOC))
        synopsis = read(MAN_PAGE).split("\n.SH SYNOPSIS\n", 1)[1].split("\n.SH ", 1)[0]
        self.assertEqual(synopsis.splitlines(), [".B polyws", ".RI [ options ]", ".I URL"])

    def test_man_page_renders_without_warnings(self):
        p = subprocess.run(["groff", "-man", "-ww", "-z", MAN_PAGE], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        self.assertEqual((p.returncode, p.stderr.decode()), (0, ""))


if __name__ == "__main__":
    unittest.main()
