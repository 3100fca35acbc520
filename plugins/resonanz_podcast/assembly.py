"""Pipeline step 3, assembly: an Episode from its files, show notes and audio facts
(typed fields, date, GUID, chapters, transcripts), and the check that numbers, GUIDs
and slugs are unique."""

from __future__ import annotations

import html
import json
import logging
from pathlib import Path
from typing import Any, NamedTuple

from . import dating, guids, numbering
from .audio import AUDIO_EXTENSIONS
from .chapters import (
    Chapter,
    ChapterError,
    parse_chapters_file,
    parse_metadata_chapters,
    to_json_chapters,
)
from .context import PodcastBuild, problem
from .discovery import ShowNotesReader, show_notes
from .episode import (
    Episode,
    FieldError,
    as_list,
    number_from_stem,
    parse_bool,
    parse_episode_type,
    parse_guests,
    parse_int,
    parse_soundbites,
)
from .facts import episode_media
from .transcripts import TRANSCRIPT_TYPES, TranscriptError, paragraphs, parse_transcript

logger = logging.getLogger(__name__)

HIDDEN_STATUSES = ("draft", "hidden", "skip")


class Assembled(NamedTuple):
    """An episode and what the artwork step reads: its show notes' path and metadata."""

    episode: Episode
    rel: str
    files: list[Path]
    metadata: dict[str, Any]


def build_episode(build: PodcastBuild, stem_path: str, files: list[Path],
                  notes: ShowNotesReader, context: dict[str, Any]) -> Assembled | None:
    """The episode of one group of files, or None (draft, or its problems are logged)."""
    stem = Path(stem_path).name
    notes_file = show_notes(files)
    source = notes_file or next(f for f in files if f.suffix in AUDIO_EXTENSIONS)
    rel = build.rel(source)
    content, metadata = "", {}
    if notes_file is not None:
        read = notes.read(build, notes_file)
        if read is None:
            return None
        content, metadata = read
    if str(metadata.get("status", "published")).lower() in HIDDEN_STATUSES:
        return None

    media = episode_media(build, rel, files, metadata, notes.audio_ahead)
    if not media:
        return None
    tagged = media[0].facts  # audio tags fill whatever the show notes leave out

    fields: dict[str, Any] = {
        "title": str(metadata.get("title") or tagged.title or dating.title_from_stem(stem)),
    }
    audio_path = build.content_root / media[0].source
    pin = f"python -m resonanz new-episode {build.from_project(audio_path)}"
    dated = build.dating.date_for(rel, metadata.get("date"), tagged.date, audio_path, pin)
    if dated is None:
        return None
    fields["date"] = dated.date
    if isinstance(metadata.get("modified"), dating.UnreadableValue):
        problem(logging.ERROR, rel, "modified", metadata.pop("modified").raw,
                "not a date; write it as `modified: 2026-03-26 10:00` (ignored)")
    fields["slug"] = str(metadata.get("slug") or stem)
    for key in ("lang", "author", "authors", "tags", "category", "modified"):
        if key in metadata:
            fields[key] = metadata[key]
    if metadata.get("summary"):
        fields["summary"] = metadata["summary"]
    if not content and tagged.comment:
        content = f"<p>{html.escape(tagged.comment)}</p>"

    episode = Episode(content, metadata=fields, settings=build.settings,
                      source_path=str(source), context=context)
    episode.media = media
    episode.duration = tagged.duration
    apply_fields(build, episode, rel, stem, metadata)
    build.dating.check_guid(rel, dated, episode.number, bool(metadata.get("guid")), pin)
    episode.chapters = episode_chapters(build, episode, rel, files, metadata)
    if episode.chapters:
        path = build.media_output_path(f"{episode.slug}.chapters.json")
        document = to_json_chapters(episode.chapters, episode.title, build.show_title)
        build.blobs[path] = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()
        episode.chapters_path = path
    episode_transcripts(build, episode, rel, files, metadata)
    return Assembled(episode, rel, files, metadata)


def apply_fields(build: PodcastBuild, episode: Episode, rel: str, stem: str, metadata: dict
                 ) -> None:
    """Typed episode fields from metadata; each bad value is logged and a default used."""

    def field(name: str, parse, default):
        if name not in metadata or metadata[name] in ("", None):
            return default
        try:
            return parse(metadata[name])
        except FieldError as exc:
            problem(logging.WARNING, rel, exc.field, exc.value, exc.fix)
        except ChapterError as exc:
            problem(logging.WARNING, rel, name, metadata[name], str(exc))
        return default

    episode.number = field("number", lambda v: parse_int("number", v), number_from_stem(stem))
    episode.season = field("season", lambda v: parse_int("season", v), None)
    episode.episode_type = field("episode_type", parse_episode_type, "full")
    episode.explicit = field(
        "explicit", lambda v: parse_bool("explicit", v), build.podcast["PODCAST_EXPLICIT"]
    )
    episode.block = field("block", lambda v: parse_bool("block", v), False)
    episode.subtitle = str(metadata.get("subtitle", ""))
    episode.guests = field("guests", parse_guests, [])
    episode.soundbites = field("soundbites", parse_soundbites, [])
    explicit_guid = str(metadata.get("guid", "")).strip()
    if explicit_guid:
        episode.guid = explicit_guid
    else:
        namespace = guids.show_namespace(build.podcast["PODCAST_GUID"], build.show_title)
        identity = guids.identity(episode.number, episode.episode_type, episode.date)
        episode.guid = guids.episode_guid(namespace, identity)


def episode_chapters(build: PodcastBuild, episode: Episode, rel: str, files: list[Path],
                     metadata: dict) -> list[Chapter]:
    """Chapters from `chapters:` (a file or inline), a chapters file, else the audio's."""
    value = metadata.get("chapters")
    if value:
        as_file = (
            isinstance(value, str)
            and "\n" not in value
            and Path(value).suffix.lower() in (".json", ".txt", ".chapters")
        )
        if as_file:
            path = build.inside_content(rel, "chapters", value)
            return [] if path is None else _chapters_from_file(build, path, rel)
        try:
            return parse_metadata_chapters(value)
        except ChapterError as exc:
            problem(logging.WARNING, rel, "chapters", value, str(exc))
            return []
    chapter_files = [f for f in files if ".chapters." in f.name or f.name.endswith(".psc.txt")]
    if chapter_files:
        return _chapters_from_file(build, chapter_files[0], rel)
    return [
        Chapter(start=c.start, title=c.title, href=c.href)
        for c in episode.main_media.facts.chapters
    ]


def _chapters_from_file(build: PodcastBuild, path: Path, rel: str) -> list[Chapter]:
    try:
        return parse_chapters_file(path.name, path.read_text(encoding="utf-8"))
    except OSError:
        problem(logging.WARNING, rel, "chapters", path.name, "file not found")
    except (ChapterError, UnicodeDecodeError) as exc:
        problem(logging.WARNING, build.rel(path), "chapters", path.name, str(exc))
    return []


def episode_transcripts(build: PodcastBuild, episode: Episode, rel: str, files: list[Path],
                        metadata: dict) -> None:
    """Transcript files into output (episode.transcript_files) and the first one's text
    as paragraphs for the page (episode.transcript)."""
    episode.transcript_files = []
    episode.transcript = []
    if metadata.get("transcript"):
        paths = [path for value in as_list(metadata["transcript"])
                 if (path := build.inside_content(rel, "transcript", str(value))) is not None]
    else:
        paths = [f for f in files if f.suffix.lower() in TRANSCRIPT_TYPES]
    for path in paths:
        suffix = path.suffix.lower()
        if suffix not in TRANSCRIPT_TYPES:
            problem(logging.WARNING, rel, "transcript", path.name, "use a .vtt or .srt file")
            continue
        try:
            cues = parse_transcript(path.name, path.read_text(encoding="utf-8-sig"))
        except OSError:
            problem(logging.WARNING, rel, "transcript", path.name, "file not found")
            continue
        except (TranscriptError, UnicodeDecodeError) as exc:
            problem(logging.WARNING, build.rel(path), "transcript", path.name, str(exc))
            continue
        output = build.media_output_path(f"{episode.slug}{suffix}")
        build.media_files[output] = path
        episode.transcript_files.append((output, TRANSCRIPT_TYPES[suffix]))
        if not episode.transcript:
            episode.transcript = paragraphs(cues)


def drop_duplicates(build: PodcastBuild, episodes: list[Episode]) -> list[Episode]:
    """The episodes without those whose number, GUID or slug an earlier one has: the one
    in the last build's feed keeps it, else the older one."""
    kept: list[Episode] = []
    numbers: dict[tuple[int | None, int], Episode] = {}
    published = numbering.last_published(build.output_path, build.main_feed_path,
                                         build.cache.directory)
    free = numbering.next_free({e.number for e in episodes if e.number is not None})
    unique = {"guid": ({}, "GUIDs must be unique"), "slug": ({}, "set another `slug:`")}
    for episode in numbering.keeper_order(episodes, published):
        rel = build.rel(Path(episode.source_path))
        if episode.number is not None:
            key = (episode.season, episode.number)
            if key in numbers:
                keeper = numbers[key]
                why = ("published: in the last build's feed"
                       if numbering.is_published(keeper, published) else "older")
                problem(logging.ERROR, rel, "number", episode.number,
                        f"already used by {build.rel(Path(keeper.source_path))} ({why}), which "
                        f"keeps the number and its GUID; give this episode the next free "
                        f"number, {free} (skipped)")
                free += 1
                continue
            numbers[key] = episode
        clash = next((name for name, (seen, _) in unique.items()
                      if getattr(episode, name) in seen), None)
        if clash is not None:
            seen, fix = unique[clash]
            value = getattr(episode, clash)
            other = build.rel(Path(seen[value].source_path))
            problem(logging.ERROR, rel, clash, value,
                    f"already used by {other}; {fix} (skipped)")
            continue
        for name, (seen, _) in unique.items():
            seen[getattr(episode, name)] = episode
        kept.append(episode)
    return kept
