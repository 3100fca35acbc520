"""The Makefile parses cleanly: a merge that leaves a target twice silently drops a recipe."""

import subprocess

from conftest import ROOT


def test_no_target_has_two_recipes():
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", "help"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "overriding recipe" not in done.stderr, done.stderr


def test_import_without_from_says_what_to_set():
    done = subprocess.run(
        ["make", "--no-print-directory", "import", "FILE=export.xml"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 2
    assert "import: set FROM=wordpress|blogger|movabletype FILE=export" in done.stderr
