"""Transcripts: parse WebVTT and SRT into timed cues with speakers, for the page and the feed."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

# MIME types the Podcasting 2.0 `podcast:transcript` tag names for these formats.
TRANSCRIPT_TYPES = {".vtt": "text/vtt", ".srt": "application/x-subrip"}

_TIMING = re.compile(
    r"^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
_VOICE = re.compile(r"^<v(?:\.[\w.-]+)?\s+([^>]+)>(.*?)(?:</v>)?$", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SPEAKER_PREFIX = re.compile(r"^([A-ZÄÖÜ][\w .'-]{0,40}):\s+(.*)$", re.DOTALL)


class TranscriptError(ValueError):
    """A transcript file that cannot be read; the message names the line."""


@dataclass(frozen=True)
class Cue:
    """One timed piece of speech."""

    start: float
    end: float
    text: str
    speaker: str = ""


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    total = 0.0
    for part in parts:
        total = total * 60 + float(part)
    return total


def parse_transcript(name: str, text: str) -> list[Cue]:
    """Parse a `.vtt` or `.srt` transcript; raise TranscriptError naming the first bad block."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    is_vtt = name.lower().endswith(".vtt")
    if is_vtt and not text.startswith("WEBVTT"):
        raise TranscriptError("first line must be `WEBVTT`")
    cues = []
    for number, block in enumerate(re.split(r"\n\s*\n", text), start=1):
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if is_vtt and (lines[0].startswith(("WEBVTT", "NOTE", "STYLE", "REGION"))):
            continue
        timing_at = next((i for i, line in enumerate(lines[:2]) if "-->" in line), None)
        if timing_at is None:
            raise TranscriptError(f"block {number}: {lines[0]!r} has no `start --> end` line")
        match = _TIMING.match(lines[timing_at])
        if not match:
            raise TranscriptError(f"block {number}: bad timing {lines[timing_at]!r}")
        body = "\n".join(lines[timing_at + 1 :]).strip()
        speaker = ""
        voice = _VOICE.match(body)
        if voice:
            speaker, body = voice.group(1).strip(), voice.group(2)
        else:
            prefix = _SPEAKER_PREFIX.match(body)
            if prefix:
                speaker, body = prefix.group(1).strip(), prefix.group(2)
        plain = html.unescape(_TAG.sub("", body)).strip()
        cues.append(Cue(_seconds(match.group(1)), _seconds(match.group(2)), plain, speaker))
    if not cues:
        raise TranscriptError("no cues found")
    return cues


@dataclass(frozen=True)
class Paragraph:
    """Consecutive cues of one speaker joined for reading."""

    start: float
    speaker: str
    text: str


def paragraphs(cues: list[Cue]) -> list[Paragraph]:
    """Join consecutive cues of the same speaker, so the page reads like a text, not subtitles."""
    result: list[Paragraph] = []
    for cue in cues:
        if result and cue.speaker == result[-1].speaker and cue.speaker:
            last = result[-1]
            result[-1] = Paragraph(last.start, last.speaker, f"{last.text} {cue.text}")
        else:
            result.append(Paragraph(cue.start, cue.speaker, cue.text))
    return result
