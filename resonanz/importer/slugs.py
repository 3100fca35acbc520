"""Slugs of imported entries: the old slug where it can stay, else one made from the title."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

from unidecode import unidecode

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                         "ß": "ss"})
# What may not stand in one path segment of a URL and a file name on every static host.
_NOT_IN_SEGMENT = re.compile(r"[\s/\\?#%\"'<>`{}|^\[\]:*\x00-\x1f\x7f]")


def slugify(text: str) -> str:
    """'Über uns' -> 'ueber-uns', 'Άρθρο 2' -> 'arthro-2' (German rules, then transliteration)."""
    text = unicodedata.normalize("NFC", unquote(text or ""))
    text = unidecode(text.translate(_GERMAN))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def path_segment(old: str) -> str:
    """The old slug, decoded, when it can be a path segment as it is; else ''.

    WordPress stores Unicode slugs percent-encoded (%ce%b1...): decoded they are the slug
    the old URLs used, and keeping them keeps those URLs.
    """
    segment = unicodedata.normalize("NFC", unquote(old or "").strip())
    if not segment or len(segment) > 200 or segment.startswith("."):
        return ""
    return "" if _NOT_IN_SEGMENT.search(segment) else segment


def entry_slug(old: str, title: str) -> str:
    """The old slug when it is a valid path segment, a transliteration of the title when not."""
    return path_segment(old) or slugify(old) or slugify(title)


def unique_slug(wanted: str, taken: set[str]) -> str:
    """wanted, or wanted-2, wanted-3, ... whichever is not taken yet."""
    if wanted not in taken:
        return wanted
    number = 2
    while f"{wanted}-{number}" in taken:
        number += 1
    return f"{wanted}-{number}"
