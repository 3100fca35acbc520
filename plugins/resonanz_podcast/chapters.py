"""Chapter marks: parse Podlove Simple Chapters, Podcasting 2.0 JSON, mp4chaps, OGM; write JSON."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

# HH:MM:SS(.mmm), MM:SS(.mmm) or plain seconds, as PSC and the normal play time spec allow.
_TIMESTAMP = re.compile(r"^(?:(\d+):)?(?:(\d{1,2}):)?(\d{1,2}(?:[.,]\d+)?)$")
_LINE = re.compile(r"^\s*(\d[\d:.,]*)\s+(.*?)\s*(?:<(\S+)>)?\s*$")
_OGM = re.compile(r"^CHAPTER(\d+)(NAME)?=(.*)$", re.IGNORECASE)


class ChapterError(ValueError):
    """A chapter line or file that cannot be understood; the message names the value."""


@dataclass(frozen=True)
class Chapter:
    """One chapter: start in seconds, a title, optional link and image URL."""

    start: float
    title: str
    href: str = ""
    image: str = ""

    @property
    def timestamp(self) -> str:
        return format_timestamp(self.start)


def parse_timestamp(value: str) -> float:
    """Parse `01:02:03.500`, `02:03`, `83.5` into seconds."""
    text = str(value).strip()
    match = _TIMESTAMP.match(text)
    if not match:
        raise ChapterError(f"not a timestamp: {value!r} (expected HH:MM:SS.mmm)")
    first, second, seconds = match.groups()
    hours, minutes = (first, second) if second is not None else (None, first)
    total = float(seconds.replace(",", "."))
    total += int(minutes or 0) * 60 + int(hours or 0) * 3600
    return total


def format_timestamp(seconds: float) -> str:
    """Seconds as `HH:MM:SS.mmm`, the form PSC and mp4chaps use."""
    millis = int(round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def parse_text_chapters(text: str) -> list[Chapter]:
    """Parse Podlove Simple Chapters text / mp4chaps (`00:01:02.000 Title <url>`) or OGM pairs."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("#")]
    if lines and _OGM.match(lines[0]):
        return _parse_ogm(lines)
    chapters = []
    for number, line in enumerate(lines, start=1):
        match = _LINE.match(line)
        if not match or not match.group(2):
            raise ChapterError(f"line {number}: {line!r} (expected `HH:MM:SS.mmm Title`)")
        start = parse_timestamp(match.group(1))
        chapters.append(Chapter(start=start, title=match.group(2), href=match.group(3) or ""))
    return _checked(chapters)


def _parse_ogm(lines: list[str]) -> list[Chapter]:
    starts: dict[str, float] = {}
    names: dict[str, str] = {}
    for line in lines:
        match = _OGM.match(line)
        if not match:
            raise ChapterError(f"{line!r} (expected CHAPTERnn=HH:MM:SS.mmm or CHAPTERnnNAME=)")
        key, is_name, value = match.groups()
        if is_name:
            names[key] = value.strip()
        else:
            starts[key] = parse_timestamp(value)
    chapters = [Chapter(start=starts[k], title=names.get(k, f"Kapitel {k}")) for k in starts]
    return _checked(chapters)


def parse_json_chapters(text: str) -> list[Chapter]:
    """Parse a Podcasting 2.0 JSON chapters file (`{"version": "1.2.0", "chapters": [...]}`)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ChapterError(f"invalid JSON: {exc}") from None
    problems = json_chapters_problems(data)
    if problems:
        raise ChapterError("; ".join(problems))
    chapters = [
        Chapter(
            start=float(item["startTime"]),
            title=str(item.get("title", "")),
            href=str(item.get("url", "")),
            image=str(item.get("img", "")),
        )
        for item in data["chapters"]
        if item.get("toc", True) is not False
    ]
    return _checked(chapters)


def parse_metadata_chapters(value: Any) -> list[Chapter]:
    """Chapters written into the show notes' metadata: a YAML list or a multi-line string."""
    if isinstance(value, str):
        return parse_text_chapters(value)
    if isinstance(value, list):
        chapters = []
        for item in value:
            if isinstance(item, str):
                chapters.extend(parse_text_chapters(item))
            elif isinstance(item, dict) and "start" in item and "title" in item:
                chapters.append(
                    Chapter(
                        start=parse_timestamp(str(item["start"])),
                        title=str(item["title"]),
                        href=str(item.get("href", item.get("url", ""))),
                        image=str(item.get("image", "")),
                    )
                )
            else:
                raise ChapterError(f"{item!r} (expected `HH:MM:SS Title` or start/title mapping)")
        return _checked(chapters)
    raise ChapterError(f"{value!r} (expected a list of `HH:MM:SS Title` lines)")


def parse_chapters_file(name: str, text: str) -> list[Chapter]:
    """Pick the parser from the file name: `.json` is Podcasting 2.0, everything else text."""
    if name.lower().endswith(".json"):
        return parse_json_chapters(text)
    return parse_text_chapters(text)


def _checked(chapters: list[Chapter]) -> list[Chapter]:
    for before, after in zip(chapters, chapters[1:], strict=False):
        if after.start < before.start:
            raise ChapterError(
                f"{after.timestamp} {after.title!r} starts before {before.timestamp}; "
                "list chapters in playing order"
            )
    return chapters


def to_json_chapters(chapters: list[Chapter], title: str = "", podcast: str = "") -> dict:
    """The Podcasting 2.0 chapters document (version 1.2.0) for a list of chapters."""
    items = []
    for chapter in chapters:
        item: dict[str, Any] = {"startTime": round(chapter.start, 3), "title": chapter.title}
        if chapter.href:
            item["url"] = chapter.href
        if chapter.image:
            item["img"] = chapter.image
        items.append(item)
    document: dict[str, Any] = {"version": "1.2.0", "chapters": items}
    if title:
        document["title"] = title
    if podcast:
        document["podcastName"] = podcast
    return document


def json_chapters_problems(data: Any) -> list[str]:
    """Check a chapters document against the Podcasting 2.0 JSON chapters 1.2 structure."""
    if not isinstance(data, dict):
        return ["document must be a JSON object"]
    problems = []
    if not isinstance(data.get("version"), str):
        problems.append("version must be a string like '1.2.0'")
    items = data.get("chapters")
    if not isinstance(items, list):
        return [*problems, "chapters must be an array"]
    optional_str = ("title", "img", "url")
    for index, item in enumerate(items):
        where = f"chapters[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where} must be an object")
            continue
        start = item.get("startTime")
        if isinstance(start, bool) or not isinstance(start, int | float) or start < 0:
            problems.append(f"{where}.startTime must be a number >= 0, got {start!r}")
        end = item.get("endTime")
        if end is not None and (not isinstance(end, int | float) or isinstance(end, bool)):
            problems.append(f"{where}.endTime must be a number, got {end!r}")
        for key in optional_str:
            if key in item and not isinstance(item[key], str):
                problems.append(f"{where}.{key} must be a string, got {item[key]!r}")
        if "toc" in item and not isinstance(item["toc"], bool):
            problems.append(f"{where}.toc must be true or false, got {item['toc']!r}")
        location = item.get("location")
        if location is not None and not (
            isinstance(location, dict)
            and isinstance(location.get("name"), str)
            and isinstance(location.get("geo"), str)
        ):
            problems.append(f"{where}.location needs string name and geo")
    for key in ("author", "title", "podcastName", "description", "fileName"):
        if key in data and not isinstance(data[key], str):
            problems.append(f"{key} must be a string")
    return problems
