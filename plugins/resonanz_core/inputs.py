"""Checks of a source file's raw text before a reader parses it (pure functions).

Each problem is a ContentProblem naming the field, the value and what to do; the file
is then skipped with one message (see guard.py), instead of a traceback or a silently
wrong page.
"""

from __future__ import annotations

import datetime as dt
import re

import yaml
from pelican.utils import get_date


class ContentProblem(ValueError):
    """A problem in one source file that keeps it out of the site."""

    def __init__(self, field: str, value: object, fix: str) -> None:
        self.field, self.value, self.fix = field, value, fix
        super().__init__(f"{field} = {show_value(value)}: {fix}")


def show_value(value: object) -> str:
    """A value as a message shows it: repr, cut at 80 characters."""
    text = repr(value) if not isinstance(value, str) or value else "''"
    return text if len(text) <= 80 else text[:77] + "..."


# -- encoding -----------------------------------------------------------------------------

def decode(raw: bytes) -> str:
    """The text of a source file, which must be UTF-8."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            raw.decode("cp1252")
            guess = "looks like Windows-1252"
        except UnicodeDecodeError:
            guess = "unknown encoding"
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentProblem(
            "encoding", f"byte 0x{raw[exc.start]:02x} in line {line}",
            f"not UTF-8; {guess}: save the file as UTF-8",
        ) from None
    return text.removeprefix("\ufeff")


# -- size and nesting ---------------------------------------------------------------------

_FENCE = re.compile(r"^\s*(```|~~~)")
_QUOTES = re.compile(r"^(\s*>)+")


def nesting_depth(text: str) -> int:
    """How deep lists and quotes nest: indentation in steps of four spaces plus '>'
    markers, outside fenced code (Python-Markdown's work grows with the square of it)."""
    deepest = 0
    fenced = False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced or not line.strip():
            continue
        quotes = _QUOTES.match(line)
        depth = quotes.group(0).count(">") if quotes else 0
        rest = line[quotes.end():] if quotes else line
        indent = len(rest) - len(rest.lstrip(" \t"))
        depth += len(rest[:indent].expandtabs(4)) // 4
        deepest = max(deepest, depth)
    return deepest


def check_limits(text: str, size: int, max_bytes: int, max_nesting: int) -> None:
    if size > max_bytes:
        raise ContentProblem(
            "size", f"{size} bytes",
            f"larger than {max_bytes} bytes (RESONANZ_MAX_SOURCE_BYTES): split the text "
            "or move data into a file under content/extra/",
        )
    depth = nesting_depth(text)
    if depth > max_nesting:
        raise ContentProblem(
            "nesting", f"{depth} levels",
            f"lists or quotes nest deeper than {max_nesting} levels (RESONANZ_MAX_NESTING): "
            "flatten them",
        )


# -- control characters -----------------------------------------------------------------

# Not allowed in XML 1.0 (the feeds) and invisible on a page.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


_FIELD_LINE = re.compile(r"^\s*(?P<field>[A-Za-z_]+)\s*:\s*(?P<value>.*)$")


def check_control_characters(text: str) -> None:
    """Refuse a source with a control character: feeds cannot carry it (lxml and Pelican's
    feed writer stop the build), and on a page it is invisible."""
    match = _CONTROL.search(text)
    if match is None:
        return
    character = f"U+{ord(match.group(0)):04X}"
    line_number = text.count("\n", 0, match.start()) + 1
    line = text.splitlines()[line_number - 1]
    field = _FIELD_LINE.match(line)
    if field and match.start() < len(header_block(text)) + 4:
        name, value = field["field"].lower(), field["value"]
    else:
        name, value = "text", f"{character} in line {line_number}"
    raise ContentProblem(name, value, f"contains the invisible control character {character} "
                         "(feeds cannot carry it); delete it")


# -- YAML front matter ------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?P<yaml>.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)",
                           re.DOTALL)
# Fields that hold one piece of text (or a list of texts): a mapping or a list in a list
# would reach the page as a Python repr.
TEXT_FIELDS = ("title", "category", "summary", "slug", "lang", "series", "image", "image_alt",
               "description", "date", "modified", "template", "status")
TEXT_LIST_FIELDS = ("author", "authors", "tags", "keywords", "guests")


# libyaml's parser where installed: the pure-Python one takes milliseconds per file.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):
    """SafeLoader that reports duplicate keys (PyYAML keeps the last one silently)."""

    duplicates: list[tuple[str, int]]


def _mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, str) and key in seen:
            loader.duplicates.append((key, key_node.start_mark.line + 1))
        seen.add(key if isinstance(key, str) else id(key_node))
    return _BaseLoader.construct_mapping(loader, node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def front_matter(text: str) -> str | None:
    match = _FRONT_MATTER.match(text)
    return None if match is None else (match.group("yaml") or "")


def _yaml_hint(raw: str, line: int) -> str:
    lines = raw.splitlines()
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in raw:
        return "indent with spaces, not tabs"
    opened = re.compile(r":\s+'(?:[^']|'')*$", re.MULTILINE)  # 'text without its end
    if raw.count('"') % 2 or here.count('"') % 2 or opened.search(raw):
        return "a quote is not closed"
    if re.search(r":\s.*:\s", here):
        return "put a value that contains ': ' in quotes"
    return "check indentation, quotes and ':' after each field name"


def check_front_matter(raw: str) -> list[str]:
    """Check YAML front matter; returns warnings, raises ContentProblem for errors.

    Line numbers count from the file's first line (the opening '---' is line 1).
    """
    loader = _Loader(raw)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        # where parsing stopped; at the end of the text, where the unclosed part began
        mark = exc.problem_mark
        if mark is None or ("end of stream" in (exc.problem or "") and exc.context_mark):
            mark = exc.context_mark or mark
        line = mark.line + 1 if mark is not None else 0
        problem = (exc.problem or "not valid YAML").strip()
        raise ContentProblem(
            "front matter", f"line {line + 1}: {problem}",
            f"not valid YAML; {_yaml_hint(raw, line)}",
        ) from None
    except yaml.YAMLError as exc:
        raise ContentProblem("front matter", str(exc).splitlines()[0],
                             "not valid YAML") from None
    finally:
        loader.dispose()
    if data is None:
        return []
    if not isinstance(data, dict):
        raise ContentProblem("front matter", type(data).__name__,
                             "expected fields like 'title: ...', one per line")
    warnings = [
        f"{key} = line {line + 1}: the field is given twice; the second value wins, "
        "delete one of them"
        for key, line in loader.duplicates
    ]
    for key, value in data.items():
        name = str(key).lower()
        if name in TEXT_FIELDS and isinstance(value, (dict, list)):
            example = {"date": "2026-11-23 09:30", "modified": "2026-11-24 10:00"}.get(
                name, "Mein Text")
            raise ContentProblem(name, value, f"expected one value, not a list, e.g. "
                                 f"'{name}: {example}'")
        if name in TEXT_LIST_FIELDS and (isinstance(value, dict) or (
                isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value))):
            raise ContentProblem(
                name, value,
                "expected text or a list of texts, e.g. 'authors: [Jonas Weber]'",
            )
    return warnings


# -- dates --------------------------------------------------------------------------------

_DATE_LINE = re.compile(r"^(?P<field>date|modified)\s*:\s*(?P<value>.*?)\s*$",
                        re.IGNORECASE | re.MULTILINE)
_GERMAN = re.compile(
    r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})(?:[ T,]+(?P<H>\d{1,2}):(?P<M>\d{2})"
    r"(?::(?P<S>\d{2}))?)?$"
)
# Day and month both written as numbers in an order that depends on the writer's country.
_AMBIGUOUS = re.compile(
    r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})(?:\s.*)?$|^(\d{1,2})\.(\d{1,2})\.(\d{2})\b"
)


def header_block(text: str) -> str:
    """The metadata part of a source file: YAML front matter or Pelican's 'Key: value'
    lines up to the first empty line."""
    yaml_block = front_matter(text)
    if yaml_block is not None:
        return yaml_block
    return text.split("\n\n", 1)[0]


_HTML_META = re.compile(
    r"""<meta\s+name\s*=\s*["'](?P<field>date|modified)["']\s+content\s*=\s*["'](?P<value>[^"']*)""",
    re.IGNORECASE)


def html_header(text: str) -> str:
    """The date fields of an HTML source (<meta name="date" content="...">) as header lines."""
    return "\n".join(f"{m['field']}: {m['value']}" for m in _HTML_META.finditer(text))


def german_dates(header: str) -> dict[str, dt.datetime]:
    """Fields date/modified written as TT.MM.JJJJ [HH:MM], read day first.

    Raises ContentProblem for a date whose day and month could be swapped (01/02/2025).
    """
    found: dict[str, dt.datetime] = {}
    for match in _DATE_LINE.finditer(header):
        field, value = match["field"].lower(), match["value"].strip("'\"")
        german = _GERMAN.match(value)
        if german:
            try:
                found[field] = dt.datetime(
                    int(german["y"]), int(german["m"]), int(german["d"]),
                    int(german["H"] or 0), int(german["M"] or 0), int(german["S"] or 0))
            except ValueError:
                raise ContentProblem(
                    field, value, "no such day; write TT.MM.JJJJ, e.g. 01.02.2026 for "
                    "1 February 2026",
                ) from None
        elif _AMBIGUOUS.match(value):
            raise ContentProblem(
                field, value,
                "ambiguous (day or month first?); write 2026-02-01 or 01.02.2026 (TT.MM.JJJJ)",
            )
        elif value:
            try:
                get_date(value.replace("_", " "))
            except ValueError:
                raise ContentProblem(field, value, "expected a date like 2026-11-23 09:30 or "
                                     "23.11.2026 09:30") from None
    return found
