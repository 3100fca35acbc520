"""The documentation stays true: links resolve, each setting documented once with its default."""

from __future__ import annotations

import ast
import importlib
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SETTINGS_PAGE = DOCS / "settings.md"
README_MAX_LINES = 200

FENCE = re.compile(r"^(```|~~~)")
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]\n]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
SETTING_ROW = re.compile(r"^\|\s*`([A-Z][A-Z0-9_]+)`\s*\|\s*`(.*?)`\s*\|")


def markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


def prose_lines(text: str) -> list[tuple[int, str]]:
    """Lines outside fenced code blocks, with their numbers."""
    lines, fenced = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line.strip()):
            fenced = not fenced
            continue
        if not fenced:
            lines.append((number, line))
    return lines


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    text = "".join(ch for ch in text
                   if ch in " -_" or unicodedata.category(ch)[0] in "LN")
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for _, line in prose_lines(path.read_text(encoding="utf-8")):
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not match:
            continue
        anchor = github_anchor(match[1])
        count = seen.get(anchor, 0)
        seen[anchor] = count + 1
        found.add(anchor if count == 0 else f"{anchor}-{count}")
    return found


def relative_links(path: Path) -> list[tuple[int, str]]:
    links = []
    for number, line in prose_lines(path.read_text(encoding="utf-8")):
        for target in LINK.findall(INLINE_CODE.sub("", line)):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("//"):
                continue  # http:, https:, mailto: are not ours to check offline
            links.append((number, target))
    return links


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_and_anchors_resolve(path):
    broken = []
    for number, target in relative_links(path):
        file_part, _, fragment = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        if not dest.exists():
            broken.append(f"{path.name}:{number}: {target}: no such file")
            continue
        if fragment and dest.suffix == ".md" and fragment not in anchors(dest):
            broken.append(f"{path.name}:{number}: {target}: no heading with that anchor")
    assert not broken, "\n".join(broken)


def test_the_link_checker_sees_a_broken_link(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Titel\n\n[gut](#titel) [kaputt](fehlt.md) `[code](nie.md)`\n"
                    "```\n[im Block](auch-nicht.md)\n```\n", encoding="utf-8")
    assert relative_links(page) == [(3, "#titel"), (3, "fehlt.md")]
    assert anchors(page) == {"titel"}


@pytest.mark.parametrize("heading, anchor", [
    ("Build speed and memory: `make bench`", "build-speed-and-memory-make-bench"),
    ("Podcast (`podcast`)", "podcast-podcast"),
    ("Kommentare und Erwähnungen freischalten", "kommentare-und-erwähnungen-freischalten"),
    ("1. Export from the old blog", "1-export-from-the-old-blog"),
])
def test_github_anchor(heading, anchor):
    assert github_anchor(heading) == anchor


def plugin_defaults() -> dict[str, tuple[str, object]]:
    """Every key of every plugin's DEFAULTS: key -> (plugin, default)."""
    found: dict[str, tuple[str, object]] = {}
    for settings_file in sorted((ROOT / "plugins").glob("*/settings.py")):
        plugin = settings_file.parent.name
        module = importlib.import_module(f"{plugin}.settings")
        for key, value in getattr(module, "DEFAULTS", {}).items():
            assert key not in found, f"{key} is defined by {found[key][0]} and {plugin}"
            found[key] = (plugin, value)
    return found


def documented_settings() -> list[tuple[int, str, str]]:
    rows = []
    for number, line in prose_lines(SETTINGS_PAGE.read_text(encoding="utf-8")):
        match = SETTING_ROW.match(line)
        if match:
            rows.append((number, match[1], match[2]))
    return rows


def test_every_setting_is_documented_once_with_its_default():
    defaults = plugin_defaults()
    rows = documented_settings()
    assert len(defaults) > 100  # every plugin's settings module was found
    problems = []
    seen: dict[str, int] = {}
    for number, key, default_text in rows:
        if key in seen:
            problems.append(f"settings.md:{number}: {key} is documented twice (line {seen[key]})")
            continue
        seen[key] = number
        if key not in defaults:
            problems.append(f"settings.md:{number}: {key} is no plugin's setting")
            continue
        try:
            documented = ast.literal_eval(default_text)
        except (ValueError, SyntaxError):
            problems.append(f"settings.md:{number}: {key}: default `{default_text}` is not a "
                            "Python literal")
            continue
        plugin, actual = defaults[key]
        if documented != actual:
            problems.append(f"settings.md:{number}: {key}: documented {documented!r}, "
                            f"plugins/{plugin}/settings.py has {actual!r}")
    for key, (plugin, value) in defaults.items():
        if key not in seen:
            problems.append(f"settings.md: {key} (plugins/{plugin}) is not documented; add "
                            f"| `{key}` | `{value!r}` | … |")
    assert not problems, "\n".join(problems)


def test_settings_are_not_documented_again_elsewhere():
    """One place: a settings table row in another page would drift from DEFAULTS."""
    keys = set(plugin_defaults())
    problems = []
    for path in markdown_files():
        if path == SETTINGS_PAGE:
            continue
        for number, line in prose_lines(path.read_text(encoding="utf-8")):
            match = re.match(r"^\|\s*`([A-Z][A-Z0-9_]+)`", line)
            if match and match[1] in keys:
                problems.append(f"{path.relative_to(ROOT)}:{number}: {match[1]}")
    assert not problems, "settings tables outside docs/settings.md:\n" + "\n".join(problems)


def test_readme_is_short_and_points_at_every_guide():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= README_MAX_LINES
    assert "make html" in readme and "make test" in readme
    linked = {target.partition("#")[0] for _, target in relative_links(ROOT / "README.md")}
    for guide in ("docs/redaktion.md", "docs/podcasters.md", "docs/betrieb.md",
                  "docs/entwicklung.md", "docs/settings.md"):
        assert guide in linked, guide
