"""EpisodesGenerator: finds episodes in content/episodes, writes pages, media and podcast feeds."""

from __future__ import annotations

import html
import json
import logging
import os
import shutil
from collections import defaultdict
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup
from pelican.generators import Generator
from pelican.utils import get_date

from . import dating, guids, numbering
from .artwork import ArtworkError, inspect_artwork, render_variants
from .audio import (
    AUDIO_EXTENSIONS,
    FORMATS,
    AudioError,
    AudioFacts,
    embedded_cover,
    read_audio_facts,
)
from .cache import PodcastCache
from .chapters import (
    Chapter,
    ChapterError,
    parse_chapters_file,
    parse_metadata_chapters,
    to_json_chapters,
)
from .episode import (
    Artwork,
    Episode,
    FieldError,
    MediaFile,
    as_list,
    iso_duration,
    number_from_stem,
    parse_bool,
    parse_episode_type,
    parse_guests,
    parse_int,
    parse_soundbites,
)
from .feed import Enclosure, FeedItem, Person, ShowInfo, build_feed, feed_guid
from .player import register_translations
from .settings import DEFAULTS
from .subscribe import subscribe_links
from .transcripts import TRANSCRIPT_TYPES, TranscriptError, paragraphs, parse_transcript

logger = logging.getLogger(__name__)

MARKDOWN_EXTENSIONS = frozenset({".md", ".markdown", ".mkd"})
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png"})
APPLE_REJECTS = frozenset({"flac", "wav"})

TRANSLATIONS = {
    "Folgen": "Episodes",
    "Folge": "Episode",
    "Alle Folgen": "All episodes",
    "Kapitel": "Chapters",
    "Transkript": "Transcript",
    "Gäste": "Guests",
    "Gast": "Guest",
    "Dauer": "Duration",
    "Staffel": "Season",
    "Trailer": "Trailer",
    "Bonus": "Bonus",
    "Herunterladen": "Download",
    "Abonnieren": "Subscribe",
    "Podcast abonnieren": "Subscribe to the podcast",
    "Feed-Adresse": "Feed URL",
    "Shownotes": "Show notes",
    "Anhören": "Listen",
    "Dein Browser kann dieses Audio nicht abspielen.": "Your browser cannot play this audio.",
    "Zum Zeitpunkt springen": "Jump to this time",
    "Cover der Folge": "Episode cover",
    "Cover des Podcasts": "Podcast cover",
    "Neueste Folgen": "Latest episodes",
    "Podcast-Feed": "Podcast feed",
    "Feed für andere Apps": "Feed for other apps",
    "Kapitelmarken als JSON": "Chapters as JSON",
    "Transkript herunterladen": "Download transcript",
    "Noch keine Folgen.": "No episodes yet.",
}


def _register_translations() -> None:
    try:
        import resonanz_core.i18n as core_i18n  # the lead's core plugin; optional
    except ImportError:
        return
    core_i18n.add_translations(TRANSLATIONS)


_register_translations()
register_translations()


def podcast_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """DEFAULTS merged with the PODCAST_* settings of this run, checked once; bad values reset."""
    merged = {**DEFAULTS, **{k: v for k, v in settings.items() if k.startswith("PODCAST_")}}
    checks = {
        "PODCAST_TYPE": (lambda v: v in ("episodic", "serial"), "use 'episodic' or 'serial'"),
        "PODCAST_EXPLICIT": (lambda v: isinstance(v, bool), "use True or False"),
        "PODCAST_LOCKED": (lambda v: isinstance(v, bool), "use True or False"),
        "PODCAST_FEEDS": (
            lambda v: isinstance(v, dict) and v and all(k in FORMATS for k in v),
            f"a dict format -> path; formats: {', '.join(FORMATS)}",
        ),
        "PODCAST_FEED_PAGE_SIZE": (
            lambda v: isinstance(v, int) and v >= 0,
            "a whole number, 0 = no paging",
        ),
        "PODCAST_CATEGORIES": (
            lambda v: (
                isinstance(v, list | tuple)
                and all(isinstance(c, list | tuple) and len(c) == 2 for c in v)
            ),
            "a list of (category, subcategory) pairs, subcategory may be ''",
        ),
        "PODCAST_ARTWORK_SIZES": (
            lambda v: isinstance(v, list | tuple) and all(isinstance(w, int) for w in v),
            "a list of widths in px",
        ),
    }
    for key, (is_valid, fix) in checks.items():
        if not is_valid(merged[key]):
            logger.error("podcast: pelicanconf.py: %s = %r: %s", key, merged[key], fix)
            merged[key] = DEFAULTS[key]
    return merged


def _problem(level: int, source: str, field: str, value: object, fix: str) -> None:
    logger.log(level, "podcast: %s: %s = %r: %s", source, field, value, fix)


def _join_url(base: str, path: str) -> str:
    return f"{base.rstrip('/')}/{path.lstrip('/')}" if base else f"/{path.lstrip('/')}"


class EpisodesGenerator(Generator):
    """Duck-typed Pelican generator for episodes (see pelican.generators.Generator)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.podcast = podcast_settings(self.settings)
        self.episodes: list[Episode] = []
        self.show_artwork: Artwork | None = None
        self.content_root = Path(self.path).resolve()
        self.cache = PodcastCache(self._cache_dir())
        # audio files whose facts were read this build (cache misses), for the benchmark
        self.audio_files_read = 0
        self._notes_read: dict[Path, tuple] = {}  # by _prefetch
        self._audio_read: dict[str, dict] = {}  # by _prefetch, cache key -> facts
        # Files to put into output: output path -> (source file or bytes).
        self._media_files: dict[str, Path] = {}
        self._blobs: dict[str, bytes] = {}
        self.dating = dating.EpisodeDating(
            self.content_root / self.podcast["PODCAST_PATH"], self.content_root,
            self.settings.get("TIMEZONE") or "UTC", get_date,
        )
        if "_" not in self.env.globals:
            # resonanz_core adds the translating `_`; without it pages stay German.
            self.env.globals["_"] = lambda text: text

    # ---------- settings-derived helpers

    def _cache_dir(self) -> Path | None:
        raw = self.podcast["PODCAST_CACHE_PATH"]
        if not raw:
            return None
        directory = Path(raw)
        if not directory.is_absolute():
            directory = self.content_root.parent / directory
        directory = directory.resolve()
        if directory.is_relative_to(self.content_root):
            logger.error(
                "podcast: pelicanconf.py: PODCAST_CACHE_PATH = %r: must not be inside content/ "
                "(a build never writes there); using no cache",
                raw,
            )
            return None
        return directory

    @property
    def siteurl(self) -> str:
        """Absolute site URL for feeds and JSON-LD, even when pages use relative URLs."""
        return (
            self.settings.get("CANONICAL_SITEURL")
            or self.settings.get("FEED_DOMAIN")
            or self.settings.get("SITEURL", "")
        )

    def media_output_path(self, name: str) -> str:
        return str(PurePosixPath(self.podcast["PODCAST_MEDIA_PATH"]) / name)

    def media_url(self, name: str) -> str:
        if self.podcast["PODCAST_MEDIA_URL"]:
            return _join_url(self.podcast["PODCAST_MEDIA_URL"], name)
        return _join_url(self.siteurl, self.media_output_path(name))

    def _rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.content_root).as_posix()
        except ValueError:
            return str(path)

    def _from_project(self, path: Path) -> str:
        """The path as typed in the project folder (content/'s parent), for commands."""
        return os.path.relpath(path, self.content_root.parent)

    # ---------- discovery

    def generate_context(self) -> None:
        episodes_dir = self.content_root / self.podcast["PODCAST_PATH"]
        groups = self._group_files(episodes_dir, self.content_root) if episodes_dir.is_dir() else {}
        if groups:
            # A site without episodes needs no show artwork, so it is not checked then.
            self.show_artwork = self._show_artwork()
            self._prefetch(groups)
            for stem in sorted(groups):
                episode = self._build_episode(episodes_dir, stem, groups[stem])
                if episode is not None:
                    self.episodes.append(episode)
        self._drop_duplicates()
        if self.episodes and not self.podcast["PODCAST_GUID"]:
            main_feed = _join_url(self.siteurl, self.podcast["PODCAST_FEEDS"][self._main_format()])
            logger.warning(
                "podcast: pelicanconf.py: PODCAST_GUID = '': episode GUIDs then hang on the show "
                "title; set PODCAST_GUID = %r once and never change it",
                feed_guid(main_feed),
            )
        self.episodes.sort(key=lambda e: (e.date, e.number or 0), reverse=True)
        for episode in self.episodes:
            episode.jsonld = self._episode_jsonld(episode)
        if self.cache.hits or self.cache.misses:
            logger.info(
                "podcast: cache: %d hits, %d misses (%s); audio files read: %d",
                self.cache.hits,
                self.cache.misses,
                self.cache.directory,
                self.audio_files_read,
            )
        home = self.episodes[: self.podcast["PODCAST_HOME_COUNT"]]
        self.context["episodes"] = self.episodes
        self.context["episodes_on_home"] = home if self.podcast["PODCAST_ON_HOME"] else []
        self.context["podcast"] = self._show_context()

    @staticmethod
    def _group_files(directory: Path, content_root: Path) -> dict[str, list[Path]]:
        groups: dict[str, list[Path]] = defaultdict(list)
        for path in sorted(directory.rglob("*")):
            # a file linked from outside content/ is never published (resonanz_core reports it)
            if (path.is_file() and not path.name.startswith(".")
                    and path.resolve().is_relative_to(content_root)):
                # The stem is the name up to the first dot: 034-x.chapters.json belongs to 034-x.
                groups[str(path.parent / path.name.split(".", 1)[0])].append(path)
        # Keep only groups that can be an episode: show notes or audio.
        return {
            stem: files
            for stem, files in groups.items()
            if any(f.suffix.lower() in MARKDOWN_EXTENSIONS | AUDIO_EXTENSIONS for f in files)
        }

    def _prefetch(self, groups: dict[str, list[Path]]) -> None:
        """Read the show notes and the audio files the cache does not know with the
        build's worker processes (resonanz_fastbuild.parallel); what fails is read again
        below, where its problem is reported."""
        try:
            from resonanz_fastbuild import parallel
        except ImportError:  # pragma: no cover - only outside this project
            return
        jobs = parallel.job_count(self.settings)
        if jobs <= 1:
            return
        tasks: list[tuple[str, Path, str]] = []
        for files in groups.values():
            # the show notes _build_episode reads: the first Markdown file of the group
            notes = [f for f in files if f.suffix.lower() in MARKDOWN_EXTENSIONS]
            if notes:
                tasks.append(("notes", notes[0], ""))
            for path in files:
                if path.suffix.lower() in AUDIO_EXTENSIONS:
                    try:
                        key = self.cache.file_key(path, "audio")
                    except OSError:
                        continue
                    known = self.cache.directory is not None and (
                        self.cache.directory / f"{key}.json").is_file()
                    if not known:
                        tasks.append(("audio", path, key))

        def read(task):
            kind, path, key = task
            if kind == "notes":
                reader = self._notes_reader(path)
                try:
                    return reader.read(str(path)) if reader is not None else None
                except Exception:  # noqa: BLE001 - reported when read again below
                    return None
            try:
                return read_audio_facts(path).to_dict()
            except Exception:  # noqa: BLE001 - reported (and cached) when read again below
                return None

        results, _ = parallel.run_shared(tasks, read, jobs)
        for index, value in results.items():
            if value is None:
                continue
            kind, path, key = tasks[index]
            if kind == "notes":
                self._notes_read[path] = value
            else:
                self.cache.put_json(key, value)
                self._audio_read[key] = value
                self.audio_files_read += 1

    def _notes_reader(self, path: Path):
        """Pelican's reader for a show notes file (by its extension), or None."""
        return self.readers.readers.get(path.suffix.lstrip(".").lower())

    def _read_show_notes(self, path: Path) -> tuple[str, dict[str, Any]] | None:
        if path in self._notes_read:
            return self._notes_read.pop(path)
        reader = self._notes_reader(path)
        if reader is None:
            return None
        try:
            content, metadata = dating.read_notes(reader, path)
        except Exception as exc:  # a reader error must not stop the rest of the site
            _problem(logging.ERROR, self._rel(path), "show notes", path.name, f"unreadable: {exc}")
            return None
        return content, metadata

    def _build_episode(self, directory: Path, stem_path: str, files: list[Path]) -> Episode | None:
        stem = Path(stem_path).name
        notes = [f for f in files if f.suffix.lower() in MARKDOWN_EXTENSIONS]
        source = notes[0] if notes else next(f for f in files if f.suffix in AUDIO_EXTENSIONS)
        rel = self._rel(source)
        content, metadata = "", {}
        if notes:
            read = self._read_show_notes(notes[0])
            if read is None:
                return None
            content, metadata = read
        if str(metadata.get("status", "published")).lower() in ("draft", "hidden", "skip"):
            return None

        media = self._episode_media(rel, files, metadata, directory)
        if not media:
            return None
        facts = media[0].facts
        tagged = facts  # audio tags fill whatever the show notes leave out

        fields: dict[str, Any] = {}
        title = metadata.get("title") or tagged.title or dating.title_from_stem(stem)
        fields["title"] = str(title)
        audio_path = self.content_root / media[0].source
        pin = f"python -m resonanz new-episode {self._from_project(audio_path)}"
        dated = self.dating.date_for(rel, metadata.get("date"), tagged.date, audio_path, pin)
        if dated is None:
            return None
        fields["date"] = dated.date
        if isinstance(metadata.get("modified"), dating.UnreadableValue):
            _problem(logging.ERROR, rel, "modified", metadata.pop("modified").raw,
                     "not a date; write it as `modified: 2026-03-26 10:00` (ignored)")
        fields["slug"] = str(metadata.get("slug") or stem)
        for key in ("lang", "author", "authors", "tags", "category", "modified"):
            if key in metadata:
                fields[key] = metadata[key]
        summary = metadata.get("summary")
        if summary:
            fields["summary"] = summary
        if not content and tagged.comment:
            content = f"<p>{html.escape(tagged.comment)}</p>"

        episode = Episode(
            content,
            metadata=fields,
            settings=self.settings,
            source_path=str(source),
            context=self.context,
        )
        episode.media = media
        episode.duration = facts.duration
        self._apply_fields(episode, rel, stem, metadata)
        self.dating.check_guid(rel, dated, episode.number, bool(metadata.get("guid")), pin)
        episode.chapters = self._episode_chapters(episode, rel, files, metadata, directory)
        if episode.chapters:
            name = f"{episode.slug}.chapters.json"
            document = to_json_chapters(episode.chapters, episode.title, self._show_title())
            self._blobs[self.media_output_path(name)] = (
                json.dumps(document, ensure_ascii=False, indent=2) + "\n"
            ).encode()
            episode.chapters_path = self.media_output_path(name)
        self._episode_transcripts(episode, rel, files, metadata, directory)
        episode.artwork = self._episode_artwork(episode, rel, files, metadata, directory)
        return episode

    def _apply_fields(self, episode: Episode, rel: str, stem: str, metadata: dict) -> None:
        """Typed episode fields from metadata; each bad value is logged and a default used."""

        def field(name: str, parse, default):
            if name not in metadata or metadata[name] in ("", None):
                return default
            try:
                return parse(metadata[name])
            except FieldError as exc:
                _problem(logging.WARNING, rel, exc.field, exc.value, exc.fix)
            except ChapterError as exc:
                _problem(logging.WARNING, rel, name, metadata[name], str(exc))
            return default

        episode.number = field("number", lambda v: parse_int("number", v), number_from_stem(stem))
        episode.season = field("season", lambda v: parse_int("season", v), None)
        episode.episode_type = field("episode_type", parse_episode_type, "full")
        episode.explicit = field(
            "explicit", lambda v: parse_bool("explicit", v), self.podcast["PODCAST_EXPLICIT"]
        )
        episode.block = field("block", lambda v: parse_bool("block", v), False)
        episode.subtitle = str(metadata.get("subtitle", ""))
        episode.guests = field("guests", parse_guests, [])
        episode.soundbites = field("soundbites", parse_soundbites, [])
        explicit_guid = str(metadata.get("guid", "")).strip()
        if explicit_guid:
            episode.guid = explicit_guid
        else:
            namespace = guids.show_namespace(self.podcast["PODCAST_GUID"], self._show_title())
            identity = guids.identity(episode.number, episode.episode_type, episode.date)
            episode.guid = guids.episode_guid(namespace, identity)

    # ---------- media

    def _inside_content(self, rel: str, field: str, value: str, base: Path) -> Path | None:
        candidate = Path(os.path.realpath(base / value))  # a link loop: no error here
        if not candidate.is_relative_to(self.content_root):
            _problem(
                logging.ERROR,
                rel,
                field,
                value,
                "path leaves content/; put the file next to the show notes",
            )
            return None
        return candidate

    def _episode_media(
        self, rel: str, files: list[Path], metadata: dict, directory: Path
    ) -> list[MediaFile]:
        source_dir = (self.content_root / rel).parent
        if metadata.get("audio"):
            audio_paths = []
            for value in as_list(metadata["audio"]):
                path = self._inside_content(rel, "audio", str(value), source_dir)
                if path is None:
                    continue
                if not path.is_file():
                    _problem(
                        logging.ERROR, rel, "audio", str(value), "file not found next to the notes"
                    )
                    continue
                audio_paths.append(path)
        else:
            audio_paths = [f for f in files if f.suffix.lower() in AUDIO_EXTENSIONS]
            if not audio_paths:
                _problem(
                    logging.ERROR,
                    rel,
                    "audio",
                    None,
                    f"no audio file; add {Path(rel).stem}.mp3 or an `audio:` line",
                )
                return []
        media = []
        for path in audio_paths:
            facts = self._audio_facts(path)
            if facts is None:
                continue
            if facts.format in APPLE_REJECTS:
                _problem(
                    logging.WARNING,
                    self._rel(path),
                    "audio",
                    path.name,
                    f"Apple Podcasts does not accept {facts.format.upper()}; add an MP3 or M4A",
                )
            name = path.name
            self._media_files[self.media_output_path(name)] = path
            media.append(
                MediaFile(
                    source=self._rel(path),
                    filename=name,
                    path=self.media_output_path(name),
                    url=self.media_url(name),
                    external_url=(
                        self.media_url(name) if self.podcast["PODCAST_MEDIA_URL"] else ""
                    ),
                    facts=facts,
                )
            )
        # The main feed's format first, then the order of PODCAST_FEEDS: the page player and
        # the enclosure use the first file.
        order = list(self.podcast["PODCAST_FEEDS"])
        media.sort(key=lambda m: order.index(m.format) if m.format in order else len(order))
        return media

    def _audio_facts(self, path: Path) -> AudioFacts | None:
        rel = self._rel(path)
        try:
            key = self.cache.file_key(path, "audio")
        except OSError:
            _problem(logging.ERROR, rel, "audio", path.name, "file not found")
            return None
        if key in self._audio_read:  # read by _prefetch
            self.cache.misses += 1
            return AudioFacts.from_dict(self._audio_read.pop(key))
        cached = self.cache.get_json(key)
        if cached is not None:
            if "error" in cached:
                error = cached["error"]
                _problem(logging.ERROR, rel, error["field"], error["value"], error["fix"])
                return None
            return AudioFacts.from_dict(cached)
        self.audio_files_read += 1
        try:
            facts = read_audio_facts(path)
        except AudioError as exc:
            # Cache the verdict too: a broken file stays broken until it changes.
            self.cache.put_json(
                key, {"error": {"field": exc.field, "value": str(exc.value), "fix": exc.fix}}
            )
            _problem(logging.ERROR, rel, exc.field, exc.value, exc.fix)
            return None
        self.cache.put_json(key, facts.to_dict())
        return facts

    # ---------- chapters and transcripts

    def _episode_chapters(
        self, episode: Episode, rel: str, files: list[Path], metadata: dict, directory: Path
    ) -> list[Chapter]:
        value = metadata.get("chapters")
        source_dir = (self.content_root / rel).parent
        if value:
            as_file = (
                isinstance(value, str)
                and "\n" not in value
                and Path(value).suffix.lower() in (".json", ".txt", ".chapters")
            )
            if as_file:
                path = self._inside_content(rel, "chapters", value, source_dir)
                if path is None:
                    return []
                return self._chapters_from_file(path, rel)
            try:
                return parse_metadata_chapters(value)
            except ChapterError as exc:
                _problem(logging.WARNING, rel, "chapters", value, str(exc))
                return []
        chapter_files = [f for f in files if ".chapters." in f.name or f.name.endswith(".psc.txt")]
        if chapter_files:
            return self._chapters_from_file(chapter_files[0], rel)
        return [
            Chapter(start=c.start, title=c.title, href=c.href)
            for c in episode.main_media.facts.chapters
        ]

    def _chapters_from_file(self, path: Path, rel: str) -> list[Chapter]:
        try:
            return parse_chapters_file(path.name, path.read_text(encoding="utf-8"))
        except OSError:
            _problem(logging.WARNING, rel, "chapters", path.name, "file not found")
        except (ChapterError, UnicodeDecodeError) as exc:
            _problem(logging.WARNING, self._rel(path), "chapters", path.name, str(exc))
        return []

    def _episode_transcripts(
        self, episode: Episode, rel: str, files: list[Path], metadata: dict, directory: Path
    ) -> None:
        episode.transcript_files = []
        episode.transcript = []
        source_dir = (self.content_root / rel).parent
        if metadata.get("transcript"):
            paths = []
            for value in as_list(metadata["transcript"]):
                path = self._inside_content(rel, "transcript", str(value), source_dir)
                if path is not None:
                    paths.append(path)
        else:
            paths = [f for f in files if f.suffix.lower() in TRANSCRIPT_TYPES]
        for path in paths:
            suffix = path.suffix.lower()
            if suffix not in TRANSCRIPT_TYPES:
                _problem(logging.WARNING, rel, "transcript", path.name, "use a .vtt or .srt file")
                continue
            try:
                cues = parse_transcript(path.name, path.read_text(encoding="utf-8-sig"))
            except OSError:
                _problem(logging.WARNING, rel, "transcript", path.name, "file not found")
                continue
            except (TranscriptError, UnicodeDecodeError) as exc:
                _problem(logging.WARNING, self._rel(path), "transcript", path.name, str(exc))
                continue
            output = self.media_output_path(f"{episode.slug}{suffix}")
            self._media_files[output] = path
            episode.transcript_files.append((output, TRANSCRIPT_TYPES[suffix]))
            if not episode.transcript:
                episode.transcript = paragraphs(cues)

    # ---------- artwork

    def _artwork(self, data: bytes, name: str, source: str, prefix: str) -> Artwork | None:
        limit = self.podcast["PODCAST_MAX_IMAGE_PIXELS"]
        sizes = list(self.podcast["PODCAST_ARTWORK_SIZES"])
        key = self.cache.bytes_key(data, "artwork:" + ",".join(map(str, sizes)))
        cached = self.cache.get_json(key)
        problems: list[dict[str, Any]] = []
        variants: dict[int, bytes] | None = None
        if cached is not None:
            problems = cached["problems"]
            names = [str(w) for w in cached["widths"]]
            blobs = self.cache.get_blobs(key, names)
            if blobs is not None:
                variants = {int(w): blob for w, blob in blobs.items()}
        if variants is None:
            try:
                _, found = inspect_artwork(data, name, limit)
                variants = render_variants(data, sizes, limit)
            except ArtworkError as exc:
                _problem(logging.ERROR, source, "cover", name, str(exc))
                return None
            problems = [{"field": p.field, "value": p.value, "fix": p.fix} for p in found]
            self.cache.put_json(key, {"problems": problems, "widths": sorted(variants)})
            self.cache.put_blobs(key, {str(w): blob for w, blob in variants.items()})
        for problem in problems:
            _problem(logging.WARNING, source, problem["field"], problem["value"], problem["fix"])
        artwork = Artwork()
        for width, blob in variants.items():
            path = self.media_output_path(f"artwork/{prefix}-{width}.jpg")
            self._blobs[path] = blob
            artwork.variants[width] = path
        return artwork

    def _show_artwork(self) -> Artwork | None:
        image = self.podcast["PODCAST_IMAGE"]
        if not image:
            logger.warning(
                "podcast: pelicanconf.py: PODCAST_IMAGE = '': Apple requires show artwork; "
                "set it to a 1400-3000 px square JPEG under content/"
            )
            return None
        path = self.content_root / image
        if not Path(os.path.realpath(path)).is_relative_to(self.content_root):
            _problem(logging.ERROR, "pelicanconf.py", "PODCAST_IMAGE", image,
                     "leaves content/; put the artwork under content/images/")
            return None
        try:
            data = path.read_bytes()
        except OSError:
            _problem(logging.ERROR, "pelicanconf.py", "PODCAST_IMAGE", image, "file not found")
            return None
        return self._artwork(data, path.name, self._rel(path), "show")

    def _episode_artwork(
        self, episode: Episode, rel: str, files: list[Path], metadata: dict, directory: Path
    ) -> Artwork | None:
        source_dir = (self.content_root / rel).parent
        cover_path: Path | None = None
        if metadata.get("cover"):
            cover_path = self._inside_content(rel, "cover", str(metadata["cover"]), source_dir)
            if cover_path is not None and not cover_path.is_file():
                _problem(logging.WARNING, rel, "cover", metadata["cover"], "file not found")
                cover_path = None
        else:
            images = [f for f in files if f.suffix.lower() in IMAGE_EXTENSIONS]
            cover_path = images[0] if images else None
        if cover_path is not None:
            artwork = self._artwork(
                cover_path.read_bytes(), cover_path.name, self._rel(cover_path), episode.slug
            )
            return artwork or self.show_artwork
        if episode.main_media.facts.cover_mime:
            data = embedded_cover(self.content_root / episode.main_media.source)
            if data:
                label = f"{episode.main_media.filename} (embedded cover)"
                return self._artwork(data, label, episode.main_media.source, episode.slug) or (
                    self.show_artwork
                )
        return self.show_artwork

    # ---------- consistency

    def _drop_duplicates(self) -> None:
        kept: list[Episode] = []
        numbers: dict[tuple[int | None, int], Episode] = {}
        seen_guids: dict[str, Episode] = {}
        slugs: dict[str, Episode] = {}
        published = numbering.last_published(
            Path(self.output_path), self._main_feed_path(), self.cache.directory)
        free = numbering.next_free({e.number for e in self.episodes if e.number is not None})
        for episode in numbering.keeper_order(self.episodes, published):
            rel = self._rel(Path(episode.source_path))
            if episode.number is not None:
                key = (episode.season, episode.number)
                if key in numbers:
                    keeper = numbers[key]
                    why = ("published: in the last build's feed"
                           if numbering.is_published(keeper, published) else "older")
                    _problem(
                        logging.ERROR,
                        rel,
                        "number",
                        episode.number,
                        f"already used by {self._rel(Path(keeper.source_path))} ({why}), which "
                        f"keeps the number and its GUID; give this episode the next free "
                        f"number, {free} (skipped)",
                    )
                    free += 1
                    continue
                numbers[key] = episode
            if episode.guid in seen_guids:
                other = self._rel(Path(seen_guids[episode.guid].source_path))
                _problem(
                    logging.ERROR,
                    rel,
                    "guid",
                    episode.guid,
                    f"already used by {other}; GUIDs must be unique (skipped)",
                )
                continue
            if episode.slug in slugs:
                other = self._rel(Path(slugs[episode.slug].source_path))
                _problem(
                    logging.ERROR,
                    rel,
                    "slug",
                    episode.slug,
                    f"already used by {other}; set another `slug:` (skipped)",
                )
                continue
            seen_guids[episode.guid] = episode
            slugs[episode.slug] = episode
            kept.append(episode)
        self.episodes = kept

    # ---------- show data

    def _show_title(self) -> str:
        return self.podcast["PODCAST_TITLE"] or self.settings.get("SITENAME", "")

    def feed_links(self) -> list[dict[str, str]]:
        """One entry per format that has episodes: format, label, path, url."""
        links = []
        for fmt, path in self.podcast["PODCAST_FEEDS"].items():
            if fmt == self._main_format() or any(
                m.format == fmt for e in self.episodes for m in e.media
            ):
                links.append(
                    {
                        "format": fmt,
                        "label": FORMATS[fmt][1],
                        "path": path,
                        "url": _join_url(self.siteurl, path),
                    }
                )
        return links

    def _main_format(self) -> str:
        return next(iter(self.podcast["PODCAST_FEEDS"]))

    def _main_feed_path(self) -> str:
        return self.podcast["PODCAST_FEEDS"][self._main_format()]

    def _show_context(self) -> dict[str, Any]:
        feeds = self.feed_links()
        main = feeds[0]["url"] if feeds else ""
        subscribe = subscribe_links(main, self.podcast["PODCAST_SUBSCRIBE_LINKS"]) if main else []
        return {
            "title": self._show_title(),
            "description": self.podcast["PODCAST_DESCRIPTION"],
            "feeds": feeds,
            "feed_url": main,
            "subscribe": subscribe,
            "artwork": self.show_artwork,
            "index_url": self.podcast["PODCAST_INDEX_URL"],
            "jsonld": self._series_jsonld(main),
        }

    @staticmethod
    def _jsonld(data: dict[str, Any]) -> str:
        # `<` escaped so no value can close the script element.
        return Markup(json.dumps(data, ensure_ascii=False, indent=1).replace("<", "\\u003c"))

    def _series_jsonld(self, feed_url: str) -> str:
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "PodcastSeries",
            "name": self._show_title(),
            "url": _join_url(self.siteurl, self.podcast["PODCAST_INDEX_URL"]),
        }
        if self.podcast["PODCAST_DESCRIPTION"]:
            data["description"] = self.podcast["PODCAST_DESCRIPTION"]
        if feed_url:
            data["webFeed"] = feed_url
        if self.show_artwork:
            data["image"] = _join_url(self.siteurl, self.show_artwork.largest)
        if self.podcast["PODCAST_AUTHOR"]:
            data["author"] = {"@type": "Person", "name": self.podcast["PODCAST_AUTHOR"]}
        return self._jsonld(data)

    def _episode_jsonld(self, episode: Episode) -> str:
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "PodcastEpisode",
            "name": episode.title,
            "url": _join_url(self.siteurl, episode.url),
            "datePublished": episode.date.isoformat(),
            "timeRequired": iso_duration(episode.duration),
            "identifier": episode.guid,
            "associatedMedia": [
                {
                    "@type": "AudioObject",
                    "contentUrl": m.url,
                    "encodingFormat": m.facts.mime_type,
                    "contentSize": str(m.facts.size),
                    "duration": iso_duration(m.facts.duration),
                }
                for m in episode.media
            ],
            "partOfSeries": {
                "@type": "PodcastSeries",
                "name": self._show_title(),
                "url": _join_url(self.siteurl, self.podcast["PODCAST_INDEX_URL"]),
            },
        }
        if episode.number is not None:
            data["episodeNumber"] = episode.number
        if episode.artwork:
            data["image"] = _join_url(self.siteurl, episode.artwork.largest)
        if episode.guests:
            data["actor"] = [
                {"@type": "Person", "name": g.name, **({"url": g.href} if g.href else {})}
                for g in episode.guests
            ]
        return self._jsonld(data)

    # ---------- output

    def generate_output(self, writer: Any) -> None:
        if not self.episodes:
            return  # a site without a podcast gets no empty episode index or feeds
        self._write_media()
        taken = {
            item.save_as: item.source_path
            for name in ("articles", "pages", "hidden_pages", "hidden_articles")
            for item in self.context.get(name) or ()
            if getattr(item, "save_as", None)
        }
        for episode in self.episodes:
            if episode.save_as in taken:
                # the other page is written, this episode page is not: say so
                other = os.path.relpath(taken[episode.save_as], self.path)
                _problem(logging.ERROR, os.path.relpath(episode.source_path, self.path),
                         "save_as", episode.save_as,
                         f"also the output path of {other}; give the episode another slug")
                continue
            writer.write_file(
                episode.save_as,
                self.get_template(episode.template),
                self.context,
                relative_urls=self.settings["RELATIVE_URLS"],
                url=episode.url,
                episode=episode,
                page_name=episode.slug,
            )
        writer.write_file(
            self.podcast["PODCAST_INDEX_SAVE_AS"],
            self.get_template("episodes"),
            self.context,
            relative_urls=self.settings["RELATIVE_URLS"],
            url=self.podcast["PODCAST_INDEX_URL"],
            page_name="episoden",
        )
        self._write_feeds()
        numbering.remember(self.cache.directory, Path(self.output_path) / self._main_feed_path())

    def _output(self, relative: str) -> Path:
        target = (Path(self.output_path) / relative).resolve()
        if not target.is_relative_to(Path(self.output_path).resolve()):
            raise ValueError(f"podcast: output path {relative!r} leaves the output directory")
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def _write_media(self) -> None:
        copy_audio = self.podcast["PODCAST_MEDIA_COPY"]
        for relative, source in sorted(self._media_files.items()):
            if not copy_audio and source.suffix.lower() in AUDIO_EXTENSIONS:
                continue
            self._place(source, self._output(relative))
        for relative, data in sorted(self._blobs.items()):
            target = self._output(relative)
            if not (target.is_file() and target.read_bytes() == data):
                target.write_bytes(data)

    def _place(self, source: Path, target: Path) -> None:
        """Put a file into output unchanged: skip if identical, else hard-link or copy."""
        stat = source.stat()
        if target.exists():
            existing = target.stat()
            same_inode = existing.st_ino == stat.st_ino and existing.st_dev == stat.st_dev
            if same_inode or (
                existing.st_size == stat.st_size and existing.st_mtime_ns == stat.st_mtime_ns
            ):
                return
            target.unlink()
        if self.podcast["PODCAST_MEDIA_LINK"]:
            try:
                # A hard link costs no space or time; output files are never edited in place.
                os.link(source, target)
                return
            except OSError:
                pass
        shutil.copy2(source, target)

    def _show_info(self, self_url: str, alternates: list[tuple[str, str]]) -> ShowInfo:
        p = self.podcast
        image_url = _join_url(self.siteurl, self.show_artwork.largest) if self.show_artwork else ""
        main_feed_url = _join_url(self.siteurl, p["PODCAST_FEEDS"][self._main_format()])
        show_guid = p["PODCAST_GUID"] or feed_guid(main_feed_url)
        latest = max((e.date for e in self.episodes), default=None)
        return ShowInfo(
            title=self._show_title(),
            link=_join_url(self.siteurl, p["PODCAST_INDEX_URL"]),
            description=p["PODCAST_DESCRIPTION"] or self._show_title(),
            language=p["PODCAST_LANGUAGE"] or self.settings.get("DEFAULT_LANG", "de"),
            author=p["PODCAST_AUTHOR"] or self.settings.get("AUTHOR", ""),
            owner_name=p["PODCAST_OWNER_NAME"] or p["PODCAST_AUTHOR"],
            owner_email=p["PODCAST_OWNER_EMAIL"],
            image_url=image_url,
            self_url=self_url,
            guid=show_guid,
            categories=[tuple(c) for c in p["PODCAST_CATEGORIES"]],
            explicit=p["PODCAST_EXPLICIT"],
            show_type=p["PODCAST_TYPE"],
            complete=bool(p["PODCAST_COMPLETE"]),
            block=bool(p["PODCAST_BLOCK"]),
            new_feed_url=p["PODCAST_NEW_FEED_URL"],
            locked=p["PODCAST_LOCKED"],
            locked_owner=p["PODCAST_LOCKED_OWNER"] or p["PODCAST_OWNER_EMAIL"],
            funding=[tuple(f) for f in p["PODCAST_FUNDING"]],
            license=p["PODCAST_LICENSE"],
            license_url=p["PODCAST_LICENSE_URL"],
            medium=p["PODCAST_MEDIUM"],
            persons=[Person(**{"role": "host", **person}) for person in p["PODCAST_PERSONS"]],
            copyright=p["PODCAST_COPYRIGHT"],
            subtitle=p["PODCAST_SUBTITLE"],
            alternates=alternates,
            last_build=latest,
        )

    def _feed_item(self, episode: Episode, media: MediaFile) -> FeedItem:
        content_html = episode.get_content(self.siteurl)
        description = episode.metadata.get("summary") or content_html or episode.title
        return FeedItem(
            guid=episode.guid,
            title=episode.title,
            link=_join_url(self.siteurl, episode.url),
            pub_date=episode.date,
            description=str(description),
            content_html=content_html,
            enclosure=Enclosure(media.url, media.facts.size, media.facts.mime_type),
            duration=media.facts.duration,
            image_url=(_join_url(self.siteurl, episode.artwork.largest) if episode.artwork else ""),
            explicit=episode.explicit,
            number=episode.number,
            season=episode.season,
            episode_type=episode.episode_type,
            block=episode.block,
            chapters=episode.chapters,
            chapters_url=(
                self.media_url(PurePosixPath(episode.chapters_path).name)
                if episode.chapters_path
                else ""
            ),
            transcripts=[
                (self.media_url(PurePosixPath(path).name), mime)
                for path, mime in episode.transcript_files
            ],
            persons=episode.guests,
            soundbites=episode.soundbites,
            alternates=[
                Enclosure(m.url, m.facts.size, m.facts.mime_type, m.facts.bitrate, m.label)
                for m in episode.media
            ]
            if len(episode.media) > 1
            else [],
            subtitle=episode.subtitle,
        )

    def _write_feeds(self) -> None:
        feeds = self.feed_links()
        if not self.episodes:
            return
        if not self.siteurl:
            logger.warning(
                "podcast: pelicanconf.py: SITEURL = '': podcast feeds need absolute URLs; "
                "set SITEURL (publishconf.py) before publishing"
            )
        page_size = self.podcast["PODCAST_FEED_PAGE_SIZE"]
        main = self._main_format()
        for feed in feeds:
            fmt = feed["format"]
            items = []
            for episode in self.episodes:
                chosen = next((m for m in episode.media if m.format == fmt), None)
                if chosen is None and fmt == main:
                    chosen = episode.main_media  # the main feed carries every episode
                if chosen is not None:
                    items.append(self._feed_item(episode, chosen))
            alternates = [
                (other["url"], f"{self._show_title()} ({other['label']})")
                for other in feeds
                if other["format"] != fmt
            ]
            pages = (
                [items[i : i + page_size] for i in range(0, len(items), page_size)]
                if page_size
                else [items]
            )
            paths = [feed["path"]] + [
                f"{feed['path'].rsplit('.', 1)[0]}/page/{n}.xml" for n in range(2, len(pages) + 1)
            ]
            for index, page_items in enumerate(pages):
                show = self._show_info(_join_url(self.siteurl, paths[index]), alternates)
                if len(pages) > 1:
                    show.paging = {
                        "first": _join_url(self.siteurl, paths[0]),
                        "last": _join_url(self.siteurl, paths[-1]),
                        "prev": _join_url(self.siteurl, paths[index - 1]) if index else "",
                        "next": (
                            _join_url(self.siteurl, paths[index + 1])
                            if index + 1 < len(paths)
                            else ""
                        ),
                    }
                self._output(paths[index]).write_bytes(build_feed(show, page_items))
                logger.info("Writing %s", paths[index])


def add_to_reader_feeds(context: dict[str, Any], feed: Any) -> None:
    """feed_generated receiver: put episodes into Pelican's all-posts feeds when asked to."""
    wanted_here = context.get("PODCAST_IN_READER_FEEDS", DEFAULTS["PODCAST_IN_READER_FEEDS"])
    episodes = context.get("episodes") or []
    if not wanted_here or not episodes:
        return
    siteurl = (
        context.get("CANONICAL_SITEURL") or context.get("FEED_DOMAIN") or context.get("SITEURL", "")
    )
    feed_url = str(feed.feed.get("feed_url") or "")
    all_feeds = [context[key] for key in ("FEED_ALL_ATOM", "FEED_ALL_RSS") if context.get(key)]
    if not any(feed_url.endswith(path) for path in all_feeds):
        return
    from feedgenerator import Enclosure as ReaderEnclosure

    for episode in episodes:
        media = episode.main_media
        feed.add_item(
            title=episode.title,
            link=_join_url(siteurl, episode.url),
            unique_id=episode.guid,
            description=episode.get_content(siteurl),
            pubdate=episode.date,
            enclosures=[ReaderEnclosure(media.url, str(media.facts.size), media.facts.mime_type)],
        )
    # Newest first, and no longer than the feed was meant to be.
    fallback = datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))
    feed.items.sort(key=lambda item: item.get("pubdate") or fallback, reverse=True)
    limit = context.get("FEED_MAX_ITEMS")
    if limit:
        del feed.items[limit:]
