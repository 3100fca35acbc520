"""Dates in the reader's language with Babel's CLDR data, independent of the system locale."""

from __future__ import annotations

import datetime as dt
import functools

from babel.dates import format_datetime, get_month_names

# CLDR patterns: "26. März 2008 um 12:39 Uhr" / "March 26, 2008 at 12:39".
LONG = {"de": "d. MMMM y 'um' HH:mm 'Uhr'", "en": "MMMM d, y 'at' HH:mm"}
SHORT = {"de": "d. MMMM y", "en": "MMMM d, y"}
MONTH = {"de": "MMMM y", "en": "MMMM y"}


def _lang(lang: str | None) -> str:
    code = (lang or "de").split("-")[0].lower()
    return code if code in LONG else "de"


def _wall_clock(value: dt.datetime | dt.date) -> dt.datetime:
    """The time as written (already in the site's or the response's zone), without zone.

    Also the cache key: two equal instants in different zones read differently.
    """
    if not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value.replace(tzinfo=None)


# The patterns above spelled out with CLDR's month names: Babel parses and applies a
# pattern field by field, a quarter of a millisecond per date, and every post formats
# its date once while it is read. Equal to Babel's output (tests/test_core_units.py
# compares them for every month and language over one- and two-digit days, hours and
# minutes, and years of one and four digits); any other pattern goes to Babel.
_SPELLED = {
    LONG["de"]: "{d}. {M} {y} um {H:02d}:{m:02d} Uhr",
    LONG["en"]: "{M} {d}, {y} at {H:02d}:{m:02d}",
    SHORT["de"]: "{d}. {M} {y}",
    SHORT["en"]: "{M} {d}, {y}",
    MONTH["de"]: "{M} {y}",
}


@functools.cache
def _month_names(code: str) -> dict[int, str]:
    return dict(get_month_names("wide", "format", locale=code))


@functools.lru_cache(maxsize=65536)  # listings repeat the same dates on many pages
def _format(wall_clock: dt.datetime, pattern: str, code: str) -> str:
    spelled = _SPELLED.get(pattern)
    if spelled is None:
        return format_datetime(wall_clock, pattern, tzinfo=None, locale=code)
    return spelled.format(d=wall_clock.day, M=_month_names(code)[wall_clock.month],
                          y=wall_clock.year, H=wall_clock.hour, m=wall_clock.minute)


def datum(value: dt.datetime | dt.date, lang: str | None = "de") -> str:
    """Date and time, e.g. '26. März 2008 um 12:39 Uhr'; a date written without a time
    (midnight exactly: Pelican keeps no other trace of it) is shown without one."""
    code = _lang(lang)
    wall_clock = _wall_clock(value)
    if wall_clock.time() == dt.time(0, 0):
        return _format(wall_clock, SHORT[code], code)
    return _format(wall_clock, LONG[code], code)


def datum_kurz(value: dt.datetime | dt.date, lang: str | None = "de") -> str:
    """Date only, e.g. '26. März 2008'."""
    code = _lang(lang)
    return _format(_wall_clock(value), SHORT[code], code)


def monat(value: dt.datetime | dt.date, lang: str | None = "de") -> str:
    """Month and year, e.g. 'März 2008'."""
    code = _lang(lang)
    return _format(_wall_clock(value), MONTH[code], code)


def isodate(value: dt.datetime | dt.date) -> str:
    """ISO 8601 for machines (datetime attributes, JSON-LD)."""
    return value.isoformat()
