"""Pipeline step 1, discovery: the files of content/episodes grouped by episode, and
what can be read ahead in the build's worker processes (show notes, new audio files)."""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

from . import dating
from .audio import AUDIO_EXTENSIONS
from .context import PodcastBuild, problem
from .facts import facts_ahead

logger = logging.getLogger(__name__)

MARKDOWN_EXTENSIONS = frozenset({".md", ".markdown", ".mkd"})
# context key: what read_ahead read while the posts were read (plugin.py)
AHEAD = "PODCAST_READ_AHEAD"


def show_notes(files: list[Path]) -> Path | None:
    """The show notes of an episode: the first Markdown file of its group."""
    return next((f for f in files if f.suffix.lower() in MARKDOWN_EXTENSIONS), None)


def group_files(build: PodcastBuild) -> dict[str, list[Path]]:
    """The files below the episodes folder by stem (the name up to the first dot:
    034-x.chapters.json belongs to 034-x); only groups with show notes or audio."""
    directory = build.episodes_dir
    if not directory.is_dir():
        return {}
    groups: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(directory.rglob("*")):
        # a file linked from outside content/ is never published (resonanz_core reports it)
        if (path.is_file() and not path.name.startswith(".")
                and path.resolve().is_relative_to(build.content_root)):
            groups[str(path.parent / path.name.split(".", 1)[0])].append(path)
    return {
        stem: files
        for stem, files in groups.items()
        if any(f.suffix.lower() in MARKDOWN_EXTENSIONS | AUDIO_EXTENSIONS for f in files)
    }


@dataclasses.dataclass
class ShowNotesReader:
    """Pelican's readers for show notes, and what prefetch() read ahead in the workers:
    show notes by path, audio facts by cache key."""

    readers: Any  # pelican.readers.Readers
    read_ahead: dict[Path, tuple] = dataclasses.field(default_factory=dict)
    audio_ahead: dict[str, dict] = dataclasses.field(default_factory=dict)  # cache key -> facts

    def reader_for(self, path: Path):
        """Pelican's reader for a show notes file (by its extension), or None."""
        return self.readers.readers.get(path.suffix.lstrip(".").lower())

    def read(self, build: PodcastBuild, path: Path) -> tuple[str, dict[str, Any]] | None:
        if path in self.read_ahead:
            return self.read_ahead.pop(path)
        reader = self.reader_for(path)
        if reader is None:
            return None
        try:
            return dating.read_notes(reader, path)
        except Exception as exc:  # a reader error must not stop the rest of the site
            problem(logging.ERROR, build.rel(path), "show notes", path.name,
                    f"unreadable: {exc}")
            return None


def _tasks(build: PodcastBuild, groups: dict[str, list[Path]], known: dict | None = None
           ) -> list[tuple[str, Path, str]]:
    """What prefetch reads: the show notes of every episode and the audio files the
    cache does not know (known: what read_ahead already read)."""
    known = known or {}
    tasks: list[tuple[str, Path, str]] = []
    for files in groups.values():
        first = show_notes(files)
        if first is not None and first not in known.get("notes", {}):
            tasks.append(("notes", first, ""))
        for path in files:
            if path.suffix.lower() in AUDIO_EXTENSIONS:
                try:
                    key = build.cache.file_key(path, "audio")
                except OSError:
                    continue
                if key not in known.get("audio", {}) and not build.cache.knows(key):
                    tasks.append(("audio", path, key))
    return tasks


def _read(notes: ShowNotesReader, task: tuple[str, Path, str]) -> Any:
    kind, path, _ = task
    if kind == "notes":
        reader = notes.reader_for(path)
        try:
            return reader.read(str(path)) if reader is not None else None
        except Exception:  # noqa: BLE001 - reported when read again
            return None
    return facts_ahead(path)


def read_ahead(build: PodcastBuild, readers: Any, capture: Any) -> dict[str, dict]:
    """Everything prefetch would read, read in one go by one process (resonanz_fastbuild
    shares it out with the posts' reading, plugin.py): {"notes": {path: (what the reader
    returned, the log records of reading it)}, "audio": {cache key: facts}}; what failed
    is missing. capture(): a context manager keeping the records logged meanwhile
    (resonanz_fastbuild.hooks.captured_logs), logged again where they are taken."""
    notes = ShowNotesReader(readers)
    found: dict[str, dict] = {"notes": {}, "audio": {}}
    for task in _tasks(build, group_files(build)):
        if task[0] == "notes":
            with capture() as records:
                value = _read(notes, task)
            if value is not None:
                found["notes"][task[1]] = (value, records)
        else:
            value = _read(notes, task)
            if value is not None:
                found["audio"][task[2]] = value
    return found


def prefetch(build: PodcastBuild, groups: dict[str, list[Path]], notes: ShowNotesReader,
             ahead: dict | None = None) -> None:
    """Read the show notes and the audio files the cache does not know with the build's
    worker processes (resonanz_fastbuild.parallel); what fails is read again later,
    where its problem is reported. ahead: what read_ahead read while the posts were
    read (taken first)."""
    if ahead:
        from resonanz_fastbuild import hooks  # read ahead by it (plugin.py)

        for path, (value, records) in ahead["notes"].items():
            notes.read_ahead[path] = value
            hooks.replay_logs(records)  # what reading it logged, as if read here
        for key, value in ahead["audio"].items():
            _keep_facts(build, notes, key, value)
    try:
        from resonanz_fastbuild import parallel
    except ImportError:  # pragma: no cover - only outside this project
        return
    jobs = parallel.job_count(build.settings)
    if jobs <= 1:
        return
    tasks = _tasks(build, groups, ahead)
    results, _ = parallel.run_shared(tasks, lambda task: _read(notes, task), jobs)
    for index, value in results.items():
        if value is None:
            continue
        kind, path, key = tasks[index]
        if kind == "notes":
            notes.read_ahead[path] = value
        else:
            _keep_facts(build, notes, key, value)


def _keep_facts(build: PodcastBuild, notes: ShowNotesReader, key: str, value: dict) -> None:
    build.cache.put_json(key, value)
    notes.audio_ahead[key] = value
    build.audio_files_read += 1
