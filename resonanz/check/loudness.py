"""Loudness of the episodes' audio: EBU R128 integrated loudness and true peak (ffmpeg's
ebur128 filter), cached by content hash, against the levels Apple recommends."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import math
import os
import re
import subprocess
from pathlib import Path

from lxml import etree

from resonanz.check.report import CheckResult
from resonanz.check.site import Site

# Apple's recommendation: -16 LUFS (±1) for stereo, 3 LU lower for mono (the same perceived
# loudness: a mono file plays on both speakers), true peak at most -1 dBTP.
TARGET_STEREO = -16.0
TARGET_MONO = -19.0
TOLERANCE = 1.0
MAX_TRUE_PEAK = -1.0
CACHE_VERSION = 1
_TIMEOUT = 3600  # seconds per file; a one-hour episode takes well under a minute
_INTEGRATED = re.compile(r"Integrated loudness:\s*I:\s*(-?[\d.]+|-inf) LUFS")
_TRUE_PEAK = re.compile(r"True peak:\s*Peak:\s*(-?[\d.]+|-inf) dBFS")
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


class LoudnessError(RuntimeError):
    """ffmpeg could not measure a file (missing, not audio, no ebur128 filter)."""


@dataclasses.dataclass(frozen=True)
class Loudness:
    integrated: float  # LUFS; -70.0 or -inf for silence
    true_peak: float  # dBTP
    channels: int

    @property
    def target(self) -> float:
        return TARGET_MONO if self.channels == 1 else TARGET_STEREO

    def problems(self) -> list[str]:
        """What is outside Apple's recommendation, each with what to do."""
        found = []
        layout = "mono" if self.channels == 1 else "stereo"
        if abs(self.integrated - self.target) > TOLERANCE:
            change = "raise" if self.integrated < self.target else "lower"
            found.append(
                f"integrated loudness {self.integrated:.1f} LUFS, {layout} target is "
                f"{self.target:.0f} ±{TOLERANCE:.0f} LUFS: {change} it by "
                f"{abs(self.target - self.integrated):.1f} LU (loudness normalisation, "
                f"e.g. ffmpeg -af loudnorm=I={self.target:.0f}:TP=-1.5)"
            )
        if self.true_peak > MAX_TRUE_PEAK:
            found.append(
                f"true peak {self.true_peak:.1f} dBTP is above {MAX_TRUE_PEAK:.0f} dBTP: "
                "lossy encoding will clip; use a true-peak limiter at -1.5 dBTP"
            )
        return found

    def figures(self) -> str:
        layout = {1: "mono", 2: "stereo"}.get(self.channels, f"{self.channels} channels")
        return f"{self.integrated:.1f} LUFS, true peak {self.true_peak:.1f} dBTP, {layout}"


def _number(text: str) -> float:
    return -math.inf if text == "-inf" else float(text)


def measure(path: Path) -> Loudness:
    """Run ffmpeg's ebur128 filter (true peak on) over the whole file."""
    try:
        probe = subprocess.run(
            ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
             "stream=channels", "-of", "csv=p=0", str(path)],
            capture_output=True, text=True, timeout=_TIMEOUT, check=False,
        )
        run = subprocess.run(
            ["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0",
             "-af", "ebur128=peak=true", "-f", "null", "-"],
            capture_output=True, text=True, timeout=_TIMEOUT, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LoudnessError(f"ffmpeg could not run: {exc}") from None
    summary = run.stderr.rpartition("Summary:")[2]
    integrated, peak = _INTEGRATED.search(summary), _TRUE_PEAK.search(summary)
    if run.returncode != 0 or not integrated or not peak or not probe.stdout.strip():
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        raise LoudnessError(f"ffmpeg could not measure it ({last})")
    channels = int(probe.stdout.strip().split(",")[0])
    return Loudness(_number(integrated.group(1)), _number(peak.group(1)), channels)


def content_key(path: Path) -> str:
    digest = hashlib.sha256(f"loudness:{CACHE_VERSION}:".encode())
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:32]


class LoudnessCache:
    """One small JSON file per audio content; no cache folder means measure every time."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.hits = 0

    def measure(self, path: Path) -> Loudness:
        if self.folder is None:
            return measure(path)
        entry = self.folder / f"{content_key(path)}.json"
        try:
            found = Loudness(**json.loads(entry.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            found = None
        if found is not None:
            self.hits += 1
            return found
        found = measure(path)
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(dataclasses.asdict(found)), encoding="utf-8")
        os.replace(temporary, entry)
        return found


def podcast_feeds(site: Site) -> list[Path]:
    from resonanz.check.feeds import XML_PARSER as FEED_PARSER
    from resonanz.check.feeds import feed_paths, is_podcast_feed

    found = []
    for path in feed_paths(site):
        try:
            if is_podcast_feed(etree.parse(io.BytesIO(path.read_bytes()), FEED_PARSER)):
                found.append(path)
        except (OSError, etree.XMLSyntaxError):
            continue
    return found


def episode_audio(site: Site, feeds: list[Path]) -> list[Path]:
    """The local audio files the podcast feeds announce (enclosures and alternates), once each."""
    found: dict[Path, None] = {}
    for feed in feeds:
        try:
            root = etree.parse(io.BytesIO(feed.read_bytes()), XML_PARSER).getroot()
        except (OSError, etree.XMLSyntaxError):
            continue  # the feed check reports it
        urls = [e.get("url", "") for e in root.iter("enclosure")]
        urls += [s.get("uri", "") for s in root.iter("{*}source")]
        for url in urls:
            target = site.resolve(url, feed)
            if target.kind == "local" and target.exists and target.path.is_file():
                found[target.path] = None
    return list(found)


def check_loudness(site: Site, feeds: list[Path], cache: LoudnessCache) -> CheckResult:
    """A warning per file outside the targets; every file's figures in the details."""
    result = CheckResult("loudness")
    for path in episode_audio(site, feeds):
        rel = site.rel(path)
        try:
            loudness = cache.measure(path)
        except LoudnessError as exc:
            result.error(rel, "", str(exc))
            continue
        result.checked += 1
        result.details.append(f"{rel}: {loudness.figures()}")
        for problem in loudness.problems():
            result.warning(rel, "", problem)
    if result.checked:
        result.note = (f"EBU R128, targets {TARGET_STEREO:.0f} LUFS stereo / "
                       f"{TARGET_MONO:.0f} LUFS mono ±{TOLERANCE:.0f}, true peak ≤ "
                       f"{MAX_TRUE_PEAK:.0f} dBTP; {cache.hits} of {result.checked} cached")
    else:
        result.note = "no local episode audio in the podcast feeds"
    return result
