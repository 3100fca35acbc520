"""Times inside an episode that cannot be right: chapters that start after the end of the
audio, transcript cues that end before they start (the podcast feed's own files)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from lxml import etree

from resonanz.check.report import CheckResult, describe
from resonanz.check.site import Site

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"
PSC = "{http://podlove.org/simple-chapters}"
CUE = re.compile(r"^\s*(?P<start>[\d:.]+)\s+-->\s+(?P<end>[\d:.]+)")


def seconds(text: str) -> float | None:
    """'1:02:03.5', '02:03', '123' or '123.5' in seconds; None if it is none of these."""
    parts = (text or "").strip().split(":")
    if not parts or len(parts) > 3:
        return None
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        return None
    total = 0.0
    for number in numbers:
        total = total * 60 + number
    return total


def backward_cues(vtt: str) -> list[tuple[int, str, str]]:
    """(line, start, end) of every cue in a WebVTT text that ends before it starts."""
    found = []
    for number, line in enumerate(vtt.splitlines(), 1):
        match = CUE.match(line)
        if match:
            start, end = seconds(match["start"]), seconds(match["end"])
            if start is not None and end is not None and end < start:
                found.append((number, match["start"], match["end"]))
    return found


def _chapter_starts(site: Site, path: Path, item: etree._Element) -> list[float]:
    starts = [seconds(c.get("start", "")) for c in item.iter(f"{PSC}chapter")]
    for element in item.findall(f"{PODCAST}chapters"):
        target = site.resolve(element.get("url", ""), path)
        if target.kind != "local" or not target.exists:
            continue
        try:
            data = json.loads(target.path.read_text("utf-8"))
        except (OSError, ValueError):
            continue  # reported by the feeds check
        for chapter in data.get("chapters", []) if isinstance(data, dict) else []:
            if isinstance(chapter, dict) and isinstance(chapter.get("startTime"), int | float):
                starts.append(float(chapter["startTime"]))
    return [s for s in starts if s is not None]


def check_item(site: Site, path: Path, item: etree._Element, label: str,
               result: CheckResult) -> None:
    """Chapters beyond <itunes:duration> and backward transcript cues of one feed item."""
    rel = site.rel(path)
    at = f"{rel}:{item.sourceline}"
    duration = seconds((item.findtext(f"{ITUNES}duration") or "").strip())
    if duration:
        late = sorted({s for s in _chapter_starts(site, path, item) if s >= duration})
        if late:
            starts = ", ".join(f"{s:g}" for s in late)
            result.error(at, f"{label} chapters", f"start at {starts} s, after the end of the "
                         f"audio ({duration:g} s): correct the chapter times in the show notes "
                         "or the chapters file")
    for element in item.findall(f"{PODCAST}transcript"):
        if "vtt" not in (element.get("type") or ""):
            continue
        target = site.resolve(element.get("url", ""), path)
        if target.kind != "local" or not target.exists:
            continue
        text = target.path.read_text("utf-8", errors="replace")
        for line, start, end in backward_cues(text):
            result.error(at, f"{label} " + describe("podcast:transcript", url=element.get("url")),
                         f"{site.rel(target.path)} line {line}: cue ends ({end}) before it "
                         f"starts ({start}): correct the cue in the .vtt file")
