"""ASCII slugs from old slugs and titles, with German transliteration (ü -> ue)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                         "ß": "ss"})


def slugify(text: str) -> str:
    """'Über uns' -> 'ueber-uns'; percent-encoded WordPress slugs are decoded first."""
    text = unicodedata.normalize("NFC", unquote(text or ""))
    text = text.translate(_GERMAN)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def unique_slug(wanted: str, taken: set[str]) -> str:
    """wanted, or wanted-2, wanted-3, ... whichever is not taken yet."""
    if wanted not in taken:
        return wanted
    number = 2
    while f"{wanted}-{number}" in taken:
        number += 1
    return f"{wanted}-{number}"
