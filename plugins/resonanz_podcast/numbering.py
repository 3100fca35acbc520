"""Which episode keeps a number two episodes claim: the one listeners already have.

A GUID derives from the episode number, so the episode that keeps the number keeps the
GUID podcast apps know. That is the one in the last build's feed (matched by its page URL
or audio file name), else the one with the older date; the newcomer is refused.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

logger = logging.getLogger(__name__)

_ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
_PODCAST = "{https://podcastindex.org/namespace/1.0}"


@dataclass(frozen=True)
class Published:
    """What the last feed said about one numbered episode."""

    number: int
    season: int | None
    page: str  # path of the episode page URL
    audio: frozenset[str]  # file names of its enclosures


def _int(text: str | None) -> int | None:
    try:
        return int(str(text).strip())
    except ValueError:
        return None


def read_published(feed: Path) -> list[Published]:
    """The numbered items of a feed an earlier build wrote; [] when there is none (or it is
    unreadable: then the older date decides)."""
    try:
        root = etree.parse(str(feed), etree.XMLParser(resolve_entities=False, no_network=True))
    except (OSError, etree.XMLSyntaxError):
        return []
    found = []
    for item in root.iterfind("channel/item"):
        number = _int(item.findtext(f"{_ITUNES}episode") or item.findtext(f"{_PODCAST}episode"))
        if number is None:
            continue
        season = _int(item.findtext(f"{_ITUNES}season") or item.findtext(f"{_PODCAST}season"))
        urls = [e.get("url", "") for e in item.iter("enclosure")]
        urls += [s.get("uri", "") for s in item.iter(f"{_PODCAST}source")]
        found.append(
            Published(
                number=number,
                season=season,
                page=urlsplit(item.findtext("link") or "").path,
                audio=frozenset(PurePosixPath(urlsplit(u).path).name for u in urls if u),
            )
        )
    return found


RECORD_NAME = "published.json"


def remember(cache_dir: Path | None, feed: Path) -> None:
    """Keep what the feed just written says, beside the cache: a build with
    DELETE_OUTPUT_DIRECTORY removes the old feed before episodes are read."""
    if cache_dir is None:
        return
    data = [{**asdict(p), "audio": sorted(p.audio)} for p in read_published(feed)]
    try:
        (cache_dir / RECORD_NAME).write_text(json.dumps(data), encoding="utf-8")
    except OSError as exc:
        logger.debug("podcast: cannot record the published episodes: %s", exc)


def remembered(cache_dir: Path | None) -> list[Published]:
    if cache_dir is None:
        return []
    try:
        data = json.loads((cache_dir / RECORD_NAME).read_text(encoding="utf-8"))
        return [Published(d["number"], d["season"], d["page"], frozenset(d["audio"]))
                for d in data]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def last_published(output_path: Path, feed: str, cache_dir: Path | None) -> list[Published]:
    """The episodes of the last build's feed: from the feed, else from its record."""
    for place in last_feeds(output_path, feed):
        found = read_published(place)
        if found:
            return found
    return remembered(cache_dir)


def last_feeds(output_path: Path, feed: str) -> list[Path]:
    """Where the last build's main feed is: in the output folder, and for `make publish`,
    which builds into a fresh `output.new` beside it (resonanz.publish), in `output`."""
    places = [output_path / feed]
    if output_path.name.endswith(".new"):
        places.append(output_path.with_name(output_path.name[: -len(".new")]) / feed)
    return places


def is_published(episode: Any, published: list[Published]) -> bool:
    """True when the last feed had this episode under its number (by page or audio file)."""
    page = urlsplit(str(episode.url)).path.lstrip("/")
    audio = {m.filename for m in episode.media}
    return any(
        p.number == episode.number
        and p.season == episode.season
        and ((bool(page) and p.page.lstrip("/").endswith(page)) or bool(p.audio & audio))
        for p in published
    )


def keeper_order(episodes: list[Any], published: list[Published]) -> list[Any]:
    """Episodes in the order they get to keep what they claim: published ones first, then
    by date, then by file (so that the choice does not depend on names alone)."""
    return sorted(
        episodes,
        key=lambda e: (not is_published(e, published), e.date, str(e.source_path)),
    )


def next_free(numbers: set[int]) -> int:
    return max(numbers, default=0) + 1
