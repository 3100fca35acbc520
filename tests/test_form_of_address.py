"""One form of address: the site says "du" to its readers (rule: docs/redaktion-stil.md).

Checked over every German UI string (the translation table and the literal strings the
templates translate) and over the demo's editorial Markdown. Legal pages may stay formal;
quoted speech („…“) is someone else's voice and is left alone.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from conftest import CONTENT, ROOT

# Formal address. "sie"/"ihr" in lower case are she/they/her and never match.
FORMAL = re.compile(r"\b(Sie|Ihnen|Ihr|Ihre|Ihrem|Ihren|Ihrer|Ihres)\b")
# Pages that may address the reader formally (a legal text is not a conversation).
LEGAL_PAGES = {"impressum.md", "datenschutz.md"}
QUOTED = re.compile(r"„[^“]*“|\"[^\"]*\"|`[^`]*`")
MARKDOWN_PREFIX = re.compile(r"^\s*(?:>\s*|#+\s+|[-*+]\s+|\d+\.\s+)*")
UI_STRING = re.compile(r"""_\(\s*(?:"([^"]+)"|'([^']+)')""")
# Every plugin package: importing one registers its strings in the translation table.
PLUGINS = sorted(p.name for p in (ROOT / "plugins").glob("resonanz_*")
                 if (p / "__init__.py").is_file())


def formal_in_prose(text: str) -> list[str]:
    """Formal address in editorial text. At the start of a sentence "Sie"/"Ihr" may mean
    "they"/"their" or the informal plural ("Ihr wollt …"), so only the unambiguous places
    count: anywhere else in a sentence, a capital "Sie" or "Ihr…" is the formal "you"."""
    found = []
    for block in re.split(r"\n\s*\n", text):
        lines = [MARKDOWN_PREFIX.sub("", line) for line in block.splitlines()]
        sentence_text = QUOTED.sub("…", " ".join(lines))
        for match in FORMAL.finditer(sentence_text):
            before = sentence_text[: match.start()].rstrip(" *_([")
            if before == "" or before[-1] in ".!?:":
                continue
            found.append(sentence_text[max(0, match.start() - 40): match.end() + 30].strip())
    return found


def formal_in_ui(text: str) -> list[str]:
    """UI strings speak to the reader only: every capital Sie/Ihr… is formal there."""
    return [match.group(0) for match in FORMAL.finditer(QUOTED.sub("…", text))]


def ui_strings() -> dict[str, str]:
    """German UI string -> where it comes from (translation table or template)."""
    from resonanz_core import i18n

    for plugin in PLUGINS:
        importlib.import_module(plugin)
    strings = {german: "translation table" for german in i18n.english_table()}
    for template in sorted((ROOT / "theme" / "templates").rglob("*.html")):
        for match in UI_STRING.finditer(template.read_text(encoding="utf-8")):
            strings.setdefault(match.group(1) or match.group(2),
                               str(template.relative_to(ROOT)))
    return strings


def editorial_markdown() -> list[Path]:
    return [path for path in sorted(CONTENT.rglob("*.md"))
            if path.name not in LEGAL_PAGES and "responses" not in path.parts]


@pytest.mark.parametrize(("text", "expected"), [
    ("Mit diesem Code binden Sie den Player ein.", ["Sie"]),
    ("Daten wie Ihre IP-Adresse.", ["Ihre"]),
    ("Wenn du magst, schreib uns.", []),
    ("Sie schreibt über Moderation.", []),          # "she", at the start of a sentence
    ("Ihr wollt mitmachen? Schreibt uns.", []),     # informal plural
    ("Der Bot sagt: „Ich verbinde Sie weiter.“", []),  # quoted speech
    ("Erst wenn Sie\nauf den Knopf drücken.", ["Sie"]),  # across a wrapped line
    ("- Sie ist ehrlich.\n- Sie ist schnell.", []),      # list items start sentences
])
def test_the_prose_rule_finds_formal_address_and_leaves_the_rest(text, expected):
    assert [FORMAL.search(found).group(0) for found in formal_in_prose(text)] == expected


def test_ui_strings_say_du():
    strings = ui_strings()
    assert len(strings) > 100  # the plugins' tables are really loaded
    offenders = {text: source for text, source in strings.items() if formal_in_ui(text)}
    assert offenders == {}, "formal address in UI strings (write them with du): " + "\n".join(
        f"{source}: {text}" for text, source in offenders.items())


def test_demo_markdown_says_du_except_on_legal_pages():
    files = editorial_markdown()
    assert len(files) > 20
    offenders = {str(path.relative_to(ROOT)): found for path in files
                 if (found := formal_in_prose(path.read_text(encoding="utf-8")))}
    assert offenders == {}, f"formal address in editorial Markdown: {offenders}"
