"""Dates of the exports as time-zone-aware datetimes."""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo


def wordpress(local: str, gmt: str, zone: ZoneInfo) -> dt.datetime | None:
    """WordPress gives local time and UTC; their difference is the old blog's offset."""
    local_time = _plain(local)
    if local_time is None:
        return None
    utc_time = _plain(gmt)
    if utc_time is None:
        return local_time.replace(tzinfo=zone)
    offset = local_time - utc_time
    minutes = round(offset.total_seconds() / 60)
    if abs(minutes) > 18 * 60:
        return local_time.replace(tzinfo=zone)
    return local_time.replace(tzinfo=dt.timezone(dt.timedelta(minutes=minutes)))


def _plain(value: str) -> dt.datetime | None:
    value = (value or "").strip()
    if not value or value.startswith("0000"):
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def iso(value: str, zone: ZoneInfo) -> dt.datetime | None:
    """An ISO 8601 timestamp (Atom), shown in the blog's zone."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=zone)
    return parsed.astimezone(zone)


def rfc822(value: str, zone: ZoneInfo) -> dt.datetime | None:
    """An RSS pubDate."""
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.astimezone(zone) if parsed.tzinfo else parsed.replace(tzinfo=zone)


def movabletype(value: str, zone: ZoneInfo) -> dt.datetime | None:
    """'03/26/2008 12:39:00 PM' (or 24-hour) in the blog's zone."""
    value = " ".join((value or "").split())
    for pattern in ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M %p",
                    "%m/%d/%Y %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(value, pattern).replace(tzinfo=zone)
        except ValueError:
            continue
    return None
