"""Dates in the reader's language with Babel's CLDR data, independent of the system locale."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_datetime

# CLDR patterns: "26. März 2008 um 12:39 Uhr" / "March 26, 2008 at 12:39".
LONG = {"de": "d. MMMM y 'um' HH:mm 'Uhr'", "en": "MMMM d, y 'at' HH:mm"}
SHORT = {"de": "d. MMMM y", "en": "MMMM d, y"}
MONTH = {"de": "MMMM y", "en": "MMMM y"}


def _lang(lang: str | None) -> str:
    code = (lang or "de").split("-")[0].lower()
    return code if code in LONG else "de"


def _localise(value: dt.datetime | dt.date) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return value


def datum(value: dt.datetime | dt.date, lang: str | None = "de") -> str:
    """Date and time, e.g. '26. März 2008 um 12:39 Uhr'."""
    code = _lang(lang)
    # tzinfo=None keeps the wall-clock time the editor wrote (already in TIMEZONE).
    return format_datetime(_localise(value), LONG[code], tzinfo=None, locale=code)


def datum_kurz(value: dt.datetime | dt.date, lang: str | None = "de") -> str:
    """Date only, e.g. '26. März 2008'."""
    code = _lang(lang)
    return format_datetime(_localise(value), SHORT[code], tzinfo=None, locale=code)


def monat(value: dt.datetime | dt.date, lang: str | None = "de") -> str:
    """Month and year, e.g. 'März 2008'."""
    code = _lang(lang)
    return format_datetime(_localise(value), MONTH[code], tzinfo=None, locale=code)


def isodate(value: dt.datetime | dt.date) -> str:
    """ISO 8601 for machines (datetime attributes, JSON-LD)."""
    return value.isoformat()
