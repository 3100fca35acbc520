"""Podcast feed rules of the directories beyond the required tags (checked in feeds.py):
limits and formats that Apple Podcasts, Spotify and Podcasting 2.0 apps apply when they
read a feed, so that a feed is not refused or shown wrongly after it is submitted."""

from __future__ import annotations

import email.utils
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from lxml import etree

from resonanz.check.report import CheckResult, describe
from resonanz.check.site import Site

IT = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PC = "{https://podcastindex.org/namespace/1.0}"

# Apple: show description up to 4,000 characters; Spotify cuts episode descriptions there.
MAX_DESCRIPTION = 4000
MAX_FUNDING_TEXT = 128  # Podcasting 2.0: podcast:funding's text
LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")  # ISO 639 (+ region), as RSS
POSITIVE = re.compile(r"^[1-9]\d*$")
CHAPTERS_TYPE = "application/json+chapters"
TRANSCRIPT_TYPES = {"text/vtt", "application/x-subrip", "application/srt", "application/json",
                    "text/html", "text/plain"}
# enclosure type -> the container its bytes must be, and the file extensions that fit it
MEDIA_TYPES = {
    "audio/mpeg": ("mpeg", {".mp3"}),
    "audio/x-m4a": ("mp4", {".m4a"}),
    "audio/mp4": ("mp4", {".m4a", ".mp4"}),
    "audio/aac": ("mp4", {".m4a", ".aac"}),
    "video/mp4": ("mp4", {".mp4"}),
    "video/x-m4v": ("mp4", {".m4v"}),
    "video/quicktime": ("mp4", {".mov"}),
    "audio/ogg": ("ogg", {".ogg", ".oga", ".opus"}),
    "audio/opus": ("ogg", {".opus"}),
    "audio/flac": ("flac", {".flac"}),
    "audio/x-flac": ("flac", {".flac"}),
    "audio/wav": ("wav", {".wav"}),
    "audio/x-wav": ("wav", {".wav"}),
}


def container(head: bytes) -> str:
    """What the first bytes of a media file say it is."""
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mpeg"
    if head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    return "unknown"


def plain_http(url: str) -> bool:
    """An http:// URL on a public host (a local preview at 127.0.0.1 is meant to be http)."""
    parts = urlsplit(url)
    return parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1")


def _text(element: etree._Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def check_channel(rel: str, channel: etree._Element, result: CheckResult) -> None:
    at = f"{rel}:{channel.sourceline}"
    language = _text(channel.find("language"))
    if language and not LANGUAGE.match(language):
        result.error(at, "<language>", f"{language!r}: Apple and Spotify want an ISO 639 code "
                     "such as de or de-DE")
    description = _text(channel.find("description"))
    if len(description) > MAX_DESCRIPTION:
        result.error(at, "<channel><description>", f"{len(description)} characters: Apple "
                     f"allows {MAX_DESCRIPTION}")
    for tag in ("block", "complete"):
        value = _text(channel.find(f"{IT}{tag}"))
        if value and value.lower() not in ("yes", "no"):
            result.warning(at, f"<itunes:{tag}>", f"{value!r}: Apple reads only Yes (or No)")
    new_url = _text(channel.find(f"{IT}new-feed-url"))
    if new_url and not new_url.startswith(("http://", "https://")):
        result.error(at, "<itunes:new-feed-url>", f"{new_url!r}: must be an absolute URL")
    for guid in channel.findall(f"{PC}guid"):
        try:
            version = uuid.UUID(_text(guid)).version
        except ValueError:
            continue  # feeds.py reports a GUID that is no UUID
        if version != 5:
            result.warning(f"{rel}:{guid.sourceline}", "<podcast:guid>",
                           f"UUID version {version}: Podcasting 2.0 wants a UUIDv5 of the "
                           "feed URL")
    for funding in channel.findall(f"{PC}funding"):
        if len(_text(funding)) > MAX_FUNDING_TEXT:
            result.warning(f"{rel}:{funding.sourceline}", "<podcast:funding>",
                           f"text longer than {MAX_FUNDING_TEXT} characters (Podcasting 2.0)")
    image = channel.find(f"{IT}image")
    if image is not None and plain_http(image.get("href", "")):
        result.warning(at, describe("itunes:image", href=image.get("href")),
                       "plain http: iOS apps block it; serve artwork over https")


def check_items(site: Site, path: Path, channel: etree._Element, result: CheckResult,
                now: datetime | None = None) -> None:
    """Per-item rules, and the rules across items (numbers, enclosure URLs)."""
    rel = site.rel(path)
    now = now or datetime.now(UTC)
    numbers: dict[tuple[str, str], int] = {}
    urls: dict[str, int] = {}
    for item in channel.findall("item"):
        at = f"{rel}:{item.sourceline}"
        title = _text(item.find("title"))
        label = f"item {title!r}" if title else "item"
        for tag in ("episode", "season"):
            value = _text(item.find(f"{IT}{tag}"))
            if value and not POSITIVE.match(value):
                result.error(at, f"{label} <itunes:{tag}>",
                             f"{value!r}: Apple wants a whole number from 1")
        number = _text(item.find(f"{IT}episode"))
        kind = _text(item.find(f"{IT}episodeType")) or "full"
        if number and kind == "full":
            key = (_text(item.find(f"{IT}season")), number)
            if key in numbers:
                result.error(at, f"{label} <itunes:episode>", f"episode {number} again (first "
                             f"at line {numbers[key]}): Apple shows one of them")
            numbers.setdefault(key, item.sourceline)
        if not _text(item.find(f"{IT}duration")):
            result.warning(at, f"{label} <itunes:duration>",
                           "missing: Apple and Spotify show the length from it")
        description = _text(item.find("description"))
        if len(description) > MAX_DESCRIPTION:
            result.warning(at, f"{label} <description>", f"{len(description)} characters: "
                           f"Spotify cuts it at {MAX_DESCRIPTION}")
        published = _text(item.find("pubDate"))
        try:
            moment = email.utils.parsedate_to_datetime(published) if published else None
        except (TypeError, ValueError):
            moment = None  # feeds.py reports the format
        if moment is not None and moment.tzinfo is not None and moment > now:
            result.warning(at, f"{label} <pubDate>", f"{published} is in the future: apps "
                           "show it at once, sorted above today's episodes")
        for enclosure in item.findall("enclosure"):
            url = enclosure.get("url", "").strip()
            if url in urls:
                result.error(at, f"{label} " + describe("enclosure", url=url),
                             f"the same file as the item at line {urls[url]}: apps take "
                             "them for one episode")
            urls.setdefault(url, item.sourceline)
            _check_media(site, path, at, label, enclosure, result)
        _check_links(at, label, item, result)


def _check_media(site: Site, path: Path, at: str, label: str, enclosure: etree._Element,
                 result: CheckResult) -> None:
    url, kind = enclosure.get("url", "").strip(), enclosure.get("type", "").strip()
    element = f"{label} " + describe("enclosure", url=url or None, type=kind or None)
    if plain_http(url):
        result.warning(at, element, "plain http: iOS apps block it; serve audio over https")
    if kind not in MEDIA_TYPES:
        if kind:
            result.warning(at, element, f"type {kind!r} is none Apple, Spotify or Podcasting "
                           "2.0 apps list for audio")
        return
    expected, extensions = MEDIA_TYPES[kind]
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    if suffix not in extensions:
        result.error(at, element, f"the URL ends in {suffix or 'no extension'!r}, not "
                     f"{' or '.join(sorted(extensions))}: Apple wants the extension to match")
    target = site.resolve(url, path)
    if target.kind == "local" and target.exists and target.path.is_file():
        with open(target.path, "rb") as stream:
            found = container(stream.read(12))
        if found != expected:
            result.error(at, element, f"{site.rel(target.path)} is {found} data, not "
                         f"{expected}: players refuse or misplay it")


def _check_links(at: str, label: str, item: etree._Element, result: CheckResult) -> None:
    for element in item.findall(f"{PC}chapters"):
        if element.get("type") and element.get("type") != CHAPTERS_TYPE:
            result.error(at, f"{label} <podcast:chapters>", f"type {element.get('type')!r}: "
                         f"Podcasting 2.0 wants {CHAPTERS_TYPE}")
    for element in item.findall(f"{PC}transcript"):
        if element.get("type") and element.get("type") not in TRANSCRIPT_TYPES:
            result.error(at, f"{label} <podcast:transcript>", f"type {element.get('type')!r}: "
                         f"use one of {', '.join(sorted(TRANSCRIPT_TYPES))}")
