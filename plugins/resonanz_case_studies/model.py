"""Case-study facts: parse and check the structured metadata, find brand mentions in text."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from resonanz_core.fields import CASE_STUDY_FIELDS, required_names

# Fields a case study must have beyond title and date (Pelican checks those), from the
# content model that the browser CMS reads too.
REQUIRED = tuple(
    name for name in required_names(CASE_STUDY_FIELDS) if name not in ("title", "date")
)
EARLIEST_YEAR = next(f.min for f in CASE_STUDY_FIELDS if f.name == "year")

_TAG = re.compile(r"<[^>]+>")
_FOUR_DIGITS = re.compile(r"\d{4}")


@dataclass(frozen=True)
class Problem:
    """One bad metadata value: the field, the value as written, what was expected."""

    field: str
    value: object
    expected: str


@dataclass
class Facts:
    """The structured metadata of one case study, checked and normalised."""

    brand: str = ""
    industry: str = ""
    year: int | None = None
    channels: list[str] = field(default_factory=list)
    challenge: str = ""
    outcome: str = ""
    sources: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)


def as_list(value: object, separator: str | None = ",") -> list[str]:
    """A list of non-empty strings from a YAML list or a separated string.

    separator=None splits on whitespace (sources: a URL has no spaces, but may have commas).
    """
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = [str(item) for item in value if item is not None]
    else:
        items = str(value).split(separator)
    return [item.strip() for item in items if item and item.strip()]


def parse_year(value: object, latest: int) -> tuple[int | None, str | None]:
    """The year as int, or None and what was expected."""
    expected = f"a year as four digits between {EARLIEST_YEAR} and {latest}, e.g. 2021"
    # bool is an int to Python, and 'year: yes' in YAML is a bool
    if isinstance(value, bool):
        return None, expected
    if isinstance(value, int):
        year = value
    elif isinstance(value, str) and _FOUR_DIGITS.fullmatch(value.strip()):
        year = int(value.strip())
    else:
        return None, expected
    if not EARLIEST_YEAR <= year <= latest:
        return None, expected
    return year, None


def is_url(value: str) -> bool:
    """An absolute http(s) URL with a host and no spaces."""
    if not value or any(ch.isspace() for ch in value):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and "." in parts.hostname


def _text(value: object) -> str:
    if value is None or isinstance(value, (list, tuple, dict, bool)):
        return ""
    return " ".join(str(value).split())


def parse_facts(metadata: dict, latest_year: int) -> tuple[Facts, list[Problem]]:
    """Facts from a case study's metadata, and every problem found in it."""
    problems: list[Problem] = []
    facts = Facts()
    for name in REQUIRED:
        if metadata.get(name) in (None, "", []):
            problems.append(
                Problem(name, metadata.get(name), "a value (required for case studies)")
            )

    for name, what in (
        ("brand", "the brand's name"),
        ("industry", "the industry, e.g. Handel"),
        ("challenge", "one or two sentences"),
        ("outcome", "one or two sentences"),
    ):
        raw = metadata.get(name)
        if raw in (None, "", []):
            continue
        text = _text(raw)
        if not text:
            problems.append(Problem(name, raw, f"text: {what}"))
        setattr(facts, name, text)

    raw_year = metadata.get("year")
    if raw_year not in (None, ""):
        facts.year, expected = parse_year(raw_year, latest_year)
        if expected:
            problems.append(Problem("year", raw_year, expected))

    facts.channels = as_list(metadata.get("channel"))

    for source in as_list(metadata.get("sources"), separator=None):
        if is_url(source):
            facts.sources.append(source)
        else:
            problems.append(
                Problem(
                    "sources",
                    source,
                    "an absolute URL like https://www.example.com/pressemitteilung",
                )
            )

    facts.related = as_list(metadata.get("related"))
    return facts, problems


def plain_text(markup: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(_TAG.sub(" ", markup or "")).split())


def mention_pattern(name: str) -> re.Pattern:
    """Whole-word, case-insensitive match of a brand name, also in the German genitive.

    "Bohnenglück", "Bohnenglücks Kundschaft" and "Bohnenglück-Community" match,
    "Bohnenglückshaus" does not.
    """
    return re.compile(r"(?<!\w)" + re.escape(name) + r"(?:s|['’]s)?(?!\w)", re.IGNORECASE)
