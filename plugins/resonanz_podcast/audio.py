"""Audio facts of an episode file: duration, bytes, real MIME type, bitrate, tags, chapters."""

from __future__ import annotations

import base64
import logging
import mmap
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import mutagen
from mutagen.flac import Picture
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode
from mutagen.mp4 import MP4

from .chapters import ChapterError, parse_timestamp

logger = logging.getLogger(__name__)

# format key -> (MIME type for the enclosure, human label). Apple lists audio/x-m4a for AAC.
FORMATS: dict[str, tuple[str, str]] = {
    "mp3": ("audio/mpeg", "MP3"),
    "m4a": ("audio/x-m4a", "AAC (M4A)"),
    "opus": ("audio/ogg", "Opus"),
    "ogg": ("audio/ogg", "Ogg Vorbis"),
    "flac": ("audio/flac", "FLAC"),
    "wav": ("audio/wav", "WAV"),
}
# Apple Podcasts rejects these; the other apps play them, so they are published with a warning.
NOT_FOR_APPLE = frozenset({"flac", "wav", "opus", "ogg"})
AUDIO_EXTENSIONS = frozenset({".mp3", ".m4a", ".mp4", ".opus", ".ogg", ".oga", ".flac", ".wav"})


class AudioError(ValueError):
    """An audio file that cannot be published; ``field``/``value``/``fix`` make the log line."""

    def __init__(self, field: str, value: object, fix: str) -> None:
        super().__init__(f"{field} = {value!r}: {fix}")
        self.field = field
        self.value = value
        self.fix = fix


@dataclass
class AudioChapter:
    """A chapter mark as stored inside an audio file."""

    start: float
    title: str
    href: str = ""


@dataclass
class AudioFacts:
    """Everything the build needs to know about one audio file; JSON-serialisable for the cache."""

    format: str
    mime_type: str
    size: int
    duration: float
    bitrate: int = 0
    channels: int = 0
    sample_rate: int = 0
    title: str = ""
    artist: str = ""
    date: str = ""
    comment: str = ""
    chapters: list[AudioChapter] = field(default_factory=list)
    cover_mime: str = ""
    duration_source: str = "header"
    headerless_vbr: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AudioFacts:
        data = dict(data)
        data["chapters"] = [AudioChapter(**c) for c in data.get("chapters", [])]
        return cls(**data)


def sniff_format(head: bytes) -> str | None:
    """Return the format key from the first bytes of a file, whatever its name says."""
    if head[:3] == b"ID3":
        return "mp3"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "m4a"
    if head[:4] == b"OggS":
        return "opus" if b"OpusHead" in head[:128] else "ogg"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if len(head) >= 4 and _frame_header(int.from_bytes(head[:4], "big")) is not None:
        return "mp3"
    return None


# MPEG audio frame tables, indexed [version][layer]; version 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5.
_BITRATES_V1 = {
    1: (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    2: (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
}
_BITRATES_V2 = {
    1: (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    3: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _frame_header(word: int) -> tuple[int, int, int] | None:
    """Decode a 32-bit MPEG audio frame header into (frame bytes, samples, sample rate)."""
    if word >> 21 != 0x7FF:
        return None
    version = (word >> 19) & 3
    layer_bits = (word >> 17) & 3
    bitrate_index = (word >> 12) & 0xF
    rate_index = (word >> 10) & 3
    if version == 1 or layer_bits == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    layer = 4 - layer_bits
    padding = (word >> 9) & 1
    table = _BITRATES_V1 if version == 3 else _BITRATES_V2
    bitrate = table[layer][bitrate_index] * 1000
    rate = _SAMPLE_RATES[version][rate_index]
    if layer == 1:
        return (12 * bitrate // rate + padding) * 4, 384, rate
    samples = 1152 if (layer == 2 or version == 3) else 576
    return samples // 8 * bitrate // rate + padding, samples, rate


def _id3v2_size(buf: mmap.mmap | bytes) -> int:
    if buf[:3] != b"ID3" or len(buf) < 10:
        return 0
    size = 0
    for byte in buf[6:10]:
        size = (size << 7) | (byte & 0x7F)
    footer = 10 if buf[5] & 0x10 else 0
    return 10 + size + footer


@dataclass
class FrameScan:
    """Result of walking every MPEG frame of a file."""

    duration: float
    frames: int
    truncated: bool
    audio_bytes: int
    # more than one bitrate: VBR, whose length players cannot work out without a header
    variable_bitrate: bool = False


def scan_mp3_frames(path: Path) -> FrameScan:
    """Walk all MPEG audio frames and add up their samples: the true length of any MP3.

    mutagen estimates a headerless VBR file from its first frame's bitrate, which can be off by
    half; summing frames costs one pass over the file and is exact.
    """
    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return FrameScan(0.0, 0, False, 0)
        buf = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            return _scan(buf)
        finally:
            buf.close()


def _scan(buf: mmap.mmap) -> FrameScan:
    end = len(buf)
    pos = _id3v2_size(buf)
    samples = frames = audio_bytes = 0
    rate = 0
    bitrates: set[int] = set()
    truncated = False
    first = True
    while pos + 4 <= end:
        word = int.from_bytes(buf[pos : pos + 4], "big")
        header = _frame_header(word)
        if header is None:
            if buf[pos : pos + 3] == b"TAG" or buf[pos : pos + 8] in (b"APETAGEX", b"LYRICSBE"):
                break
            # Resynchronise on the next plausible frame: junk between frames happens in the wild.
            nxt = buf.find(b"\xff", pos + 1)
            if nxt < 0:
                break
            pos = nxt
            continue
        length, frame_samples, frame_rate = header
        if pos + length > end:
            truncated = True
            break
        if first:
            first = False
            # The Xing/Info/VBRI frame carries no audio; decoders skip it.
            if any(tag in buf[pos : pos + min(length, 64)] for tag in (b"Xing", b"Info", b"VBRI")):
                pos += length
                continue
        samples += frame_samples
        frames += 1
        bitrates.add((word >> 12) & 0xF)
        audio_bytes += length
        rate = frame_rate
        pos += length
    duration = samples / rate if rate else 0.0
    return FrameScan(duration, frames, truncated, audio_bytes, len(bitrates) > 1)


def read_audio_facts(path: Path) -> AudioFacts:
    """Read duration, size, real type and tags of one audio file, or raise AudioError."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise AudioError("audio", path.name, f"file not found ({exc.strerror})") from None
    if size == 0:
        raise AudioError("audio", path.name, "file is empty (0 bytes); export the episode again")
    with open(path, "rb") as handle:
        head = handle.read(256)
    fmt = sniff_format(head)
    if fmt is None:
        raise AudioError(
            "audio", path.name, "not an audio file (content is not MP3, M4A, Opus, FLAC or WAV)"
        )
    try:
        parsed = mutagen.File(path)
    except Exception as exc:  # mutagen raises many private error types for broken files
        raise AudioError("audio", path.name, f"unreadable {fmt.upper()} audio: {exc}") from None
    if parsed is None or parsed.info is None:
        raise AudioError("audio", path.name, f"unreadable {fmt.upper()} audio")
    info = parsed.info
    facts = AudioFacts(
        format=fmt,
        mime_type=FORMATS[fmt][0],
        size=size,
        duration=float(info.length or 0.0),
        bitrate=int(getattr(info, "bitrate", 0) or 0),
        channels=int(getattr(info, "channels", 0) or 0),
        sample_rate=int(getattr(info, "sample_rate", 0) or 0),
    )
    if isinstance(parsed, MP3):
        _check_mp3(path, parsed, facts)
        _read_id3(parsed.tags, facts)
    elif isinstance(parsed, MP4):
        _read_mp4(parsed, facts)
    else:
        _read_vorbis_like(parsed, facts)
    if facts.duration <= 0:
        raise AudioError("audio", path.name, "audio has no playable length; export it again")
    return facts


def _check_mp3(path: Path, parsed: MP3, facts: AudioFacts) -> None:
    scan = scan_mp3_frames(path)
    if scan.frames == 0:
        raise AudioError("audio", path.name, "no MPEG audio frames found; export it again")
    header_says = facts.duration
    if parsed.info.bitrate_mode == BitrateMode.UNKNOWN:
        # No Xing/Info/VBRI header: mutagen's number is a first-frame estimate.
        facts.duration = scan.duration
        facts.duration_source = "frame scan"
        facts.headerless_vbr = scan.variable_bitrate
        if scan.duration:
            facts.bitrate = int(scan.audio_bytes * 8 / scan.duration)
    if scan.truncated or (header_says - scan.duration) > max(1.0, 0.02 * header_says):
        if parsed.info.bitrate_mode != BitrateMode.UNKNOWN:
            raise AudioError(
                "audio",
                path.name,
                f"file is truncated: its header says {header_says:.1f} s, "
                f"the data holds {scan.duration:.1f} s; upload the complete file",
            )
        raise AudioError("audio", path.name, "file is truncated; upload the complete file")


def _text(tags: Any, key: str) -> str:
    frame = tags.get(key) if tags else None
    if frame is None:
        return ""
    text = getattr(frame, "text", frame)
    if isinstance(text, list):
        return str(text[0]) if text else ""
    return str(text)


def _read_id3(tags: ID3 | None, facts: AudioFacts) -> None:
    if not tags:
        return
    facts.title = _text(tags, "TIT2")
    facts.artist = _text(tags, "TPE1")
    facts.date = _text(tags, "TDRC") or _text(tags, "TDRL")
    comments = tags.getall("COMM")
    facts.comment = str(comments[0].text[0]) if comments and comments[0].text else ""
    # ffmpeg (and editors built on it) write the comment as a TXXX frame, not COMM
    facts.comment = facts.comment or _text(tags, "TXXX:comment") or _text(tags, "TXXX:description")
    if tags.getall("APIC"):
        facts.cover_mime = tags.getall("APIC")[0].mime or "image/jpeg"
    facts.chapters = _id3_chapters(tags)


def _id3_chapters(tags: ID3) -> list[AudioChapter]:
    chaps = {frame.element_id: frame for frame in tags.getall("CHAP")}
    order: list[str] = []
    for toc in tags.getall("CTOC"):
        # The top-level table of contents gives the intended order; without one, sort by start.
        if toc.flags & 2 or not order:
            order = [eid for eid in toc.child_element_ids if eid in chaps]
    if not order:
        order = sorted(chaps, key=lambda eid: chaps[eid].start_time)
    chapters = []
    for eid in order:
        frame = chaps[eid]
        sub = frame.sub_frames
        title = _text(sub, "TIT2") or eid
        links = sub.getall("WXXX") if hasattr(sub, "getall") else []
        href = links[0].url if links else ""
        chapters.append(AudioChapter(start=frame.start_time / 1000.0, title=title, href=href))
    return chapters


def _read_mp4(parsed: MP4, facts: AudioFacts) -> None:
    tags = parsed.tags or {}

    def first(key: str) -> str:
        values = tags.get(key)
        return str(values[0]) if values else ""

    facts.title = first("\xa9nam")
    facts.artist = first("\xa9ART")
    facts.date = first("\xa9day")
    facts.comment = first("\xa9cmt") or first("desc")
    covers = tags.get("covr")
    if covers:
        facts.cover_mime = (
            "image/png" if covers[0].imageformat == covers[0].FORMAT_PNG else ("image/jpeg")
        )
    if parsed.chapters:
        facts.chapters = [AudioChapter(start=c.start, title=c.title) for c in parsed.chapters]


def _read_vorbis_like(parsed: Any, facts: AudioFacts) -> None:
    tags = parsed.tags
    if not tags:
        return

    def first(key: str) -> str:
        values = tags.get(key)
        return str(values[0]) if values else ""

    facts.title = first("title")
    facts.artist = first("artist")
    facts.date = first("date")
    facts.comment = first("comment") or first("description")
    if first("metadata_block_picture") or getattr(parsed, "pictures", None):
        facts.cover_mime = "image/jpeg"
    facts.chapters = _vorbis_chapters(tags)


def _vorbis_chapters(tags: Any) -> list[AudioChapter]:
    """Read CHAPTER001=HH:MM:SS.mmm / CHAPTER001NAME=Title comments (Vorbis/Opus convention)."""
    chapters = []
    for index in range(1, 1000):
        key = f"chapter{index:03d}"
        start = tags.get(key)
        if not start:
            break
        names = tags.get(key + "name")
        try:
            seconds = parse_timestamp(str(start[0]))
        except ChapterError:
            break
        chapters.append(AudioChapter(start=seconds, title=str(names[0]) if names else key))
    return chapters


def embedded_cover(path: Path) -> bytes | None:
    """Return the bytes of the picture embedded in an audio file, if any."""
    try:
        parsed = mutagen.File(path)
    except Exception:  # an unreadable file has been reported by read_audio_facts already
        return None
    if parsed is None or not parsed.tags:
        return None
    if isinstance(parsed, MP3):
        pictures = parsed.tags.getall("APIC")
        return bytes(pictures[0].data) if pictures else None
    if isinstance(parsed, MP4):
        covers = parsed.tags.get("covr")
        return bytes(covers[0]) if covers else None
    pictures = getattr(parsed, "pictures", None)
    if pictures:
        return bytes(pictures[0].data)
    blocks = parsed.tags.get("metadata_block_picture")
    if blocks:
        return bytes(Picture(base64.b64decode(blocks[0])).data)
    return None
