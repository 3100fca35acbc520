"""Pipeline step 2, audio facts: the audio files of an episode, each with its facts
(format, duration, size, tags, chapters) from the cache or read from the file."""

from __future__ import annotations

import logging
from pathlib import Path

from .audio import AUDIO_EXTENSIONS, AudioError, AudioFacts, read_audio_facts
from .context import PodcastBuild, problem
from .episode import MediaFile, as_list

logger = logging.getLogger(__name__)

APPLE_REJECTS = frozenset({"flac", "wav"})


def facts_ahead(path: Path) -> dict | None:
    """The facts of an audio file as read in a worker process, None if it fails (the
    file is read again in the build process, where its problem is reported and cached)."""
    try:
        return read_audio_facts(path).to_dict()
    except Exception:  # noqa: BLE001
        return None


def audio_facts(build: PodcastBuild, path: Path, read_ahead: dict[str, dict]
                ) -> AudioFacts | None:
    """The facts of one audio file (read_ahead: cache key -> facts read by prefetch)."""
    rel = build.rel(path)
    try:
        key = build.cache.file_key(path, "audio")
    except OSError:
        problem(logging.ERROR, rel, "audio", path.name, "file not found")
        return None
    if key in read_ahead:
        build.cache.misses += 1
        return AudioFacts.from_dict(read_ahead.pop(key))
    cached = build.cache.get_json(key)
    if cached is not None:
        if "error" in cached:
            error = cached["error"]
            problem(logging.ERROR, rel, error["field"], error["value"], error["fix"])
            return None
        return AudioFacts.from_dict(cached)
    build.audio_files_read += 1
    try:
        facts = read_audio_facts(path)
    except AudioError as exc:
        # Cache the verdict too: a broken file stays broken until it changes.
        build.cache.put_json(
            key, {"error": {"field": exc.field, "value": str(exc.value), "fix": exc.fix}}
        )
        problem(logging.ERROR, rel, exc.field, exc.value, exc.fix)
        return None
    build.cache.put_json(key, facts.to_dict())
    return facts


def _audio_paths(build: PodcastBuild, rel: str, files: list[Path], metadata: dict
                 ) -> list[Path]:
    if not metadata.get("audio"):
        found = [f for f in files if f.suffix.lower() in AUDIO_EXTENSIONS]
        if not found:
            problem(logging.ERROR, rel, "audio", None,
                    f"no audio file; add {Path(rel).stem}.mp3 or an `audio:` line")
        return found
    paths = []
    for value in as_list(metadata["audio"]):
        path = build.inside_content(rel, "audio", str(value))
        if path is None:
            continue
        if not path.is_file():
            problem(logging.ERROR, rel, "audio", str(value), "file not found next to the notes")
            continue
        paths.append(path)
    return paths


def episode_media(build: PodcastBuild, rel: str, files: list[Path], metadata: dict,
                  read_ahead: dict[str, dict]) -> list[MediaFile]:
    """The audio files of the episode whose show notes are rel, main format first; each
    is put into output (PODCAST_MEDIA_PATH)."""
    media = []
    for path in _audio_paths(build, rel, files, metadata):
        facts = audio_facts(build, path, read_ahead)
        if facts is None:
            continue
        if facts.format in APPLE_REJECTS:
            problem(logging.WARNING, build.rel(path), "audio", path.name,
                    f"Apple Podcasts does not accept {facts.format.upper()}; add an MP3 or M4A")
        name = path.name
        build.media_files[build.media_output_path(name)] = path
        media.append(
            MediaFile(
                source=build.rel(path),
                filename=name,
                path=build.media_output_path(name),
                url=build.media_url(name),
                external_url=build.media_url(name) if build.podcast["PODCAST_MEDIA_URL"] else "",
                facts=facts,
            )
        )
    # The main feed's format first, then the order of PODCAST_FEEDS: the page player and
    # the enclosure use the first file.
    order = list(build.podcast["PODCAST_FEEDS"])
    media.sort(key=lambda m: order.index(m.format) if m.format in order else len(order))
    return media
