"""When an episode was published and what it is called, for files that do not say so.

The chain for the date: the show notes, else the audio file's date tag, else the author
date of the commit that added the file (renames followed), else the file's modification
time. The last one is a guess good for a local preview only, so it is reported as a
warning (strict mode, and so every publish, refuses it).
"""

from __future__ import annotations

import hashlib
import logging
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pelican.utils import get_date

logger = logging.getLogger(__name__)

_NUMBER_PREFIX = re.compile(r"^\d+[-_ ]+")
_NOT_A_DATE = re.compile(r"^'.*' is not a valid date$", re.DOTALL)
_DATE_LINE = re.compile(r"^(?P<key>date|modified)\s*:\s*(?P<raw>.*?)\s*$", re.IGNORECASE)
_GIT_TIMEOUT = 30  # seconds; a log of the episodes folder takes milliseconds


@dataclass(frozen=True)
class UnreadableValue:
    """A show-notes value the reader could not parse, kept so it can be reported by name."""

    raw: str
    reason: str


def title_from_stem(stem: str) -> str:
    """`034-zuhoeren-lernen` -> `Zuhoeren lernen`: no number, dashes as spaces, capital first."""
    words = _NUMBER_PREFIX.sub("", stem).replace("-", " ").replace("_", " ")
    words = " ".join(words.split()) or stem
    return words[:1].upper() + words[1:]


def read_notes(reader: Any, path: Path) -> tuple[str, dict[str, Any]]:
    """Read show notes with Pelican's reader (or the YAML one). A `date:` or `modified:` it
    cannot parse fails the whole file there; here that line is kept out of a second read
    (of a copy outside content/) and comes back as an UnreadableValue, so the message can
    name the field and the value and the episode stays."""
    try:
        return reader.read(str(path))
    except ValueError as exc:
        # Pelican's own message, or resonanz_core's input guard naming the field
        date_field = str(getattr(exc, "field", "")).lower() in ("date", "modified")
        if not (date_field or _NOT_A_DATE.match(str(exc))):
            raise
        failure = exc
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    yaml_header = bool(lines) and lines[0].strip() == "---"
    unreadable: dict[str, UnreadableValue] = {}
    kept: list[str] = []
    in_header = True
    for index, line in enumerate(lines):
        if in_header and index > 0 and (line.strip() == "---" if yaml_header else not line.strip()):
            in_header = False
        found = _DATE_LINE.match(line) if in_header else None
        if found:
            raw = found.group("raw").strip().strip("'\"")
            try:
                get_date(raw.replace("_", " "))
            except ValueError as reason:
                unreadable[found.group("key").lower()] = UnreadableValue(raw, str(reason))
                continue
        kept.append(line)
    if not unreadable:
        raise failure
    with tempfile.TemporaryDirectory(prefix="resonanz-notes-") as folder:
        copy = Path(folder) / path.name
        copy.write_text("".join(kept), encoding="utf-8")
        # the copy lies outside content/: read it past resonanz_core's guard, which has
        # checked the file itself (encoding, size, nesting) before its date failed
        read = getattr(reader.read, "__wrapped__", reader.read)
        content, metadata = read(str(copy))
    return content, {**metadata, **unreadable}


@dataclass
class Added:
    """When the commit that brought a file into the episodes folder was written."""

    date: datetime
    at_shallow_boundary: bool  # the file may be older than the history that was fetched


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            timeout=_GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.decode("utf-8", "surrogateescape") if done.returncode == 0 else None


def _log(top: Path, folder: Path) -> str:
    """Oldest first: every commit that added or renamed a file below `folder`."""
    spec = folder.relative_to(top).as_posix() or "."
    return _git(
        top, "log", "-z", "--reverse", "--format=%x01%H %aI", "--name-status", "-M",
        "--diff-filter=AR", "--", spec,
    ) or ""


def _parse_log(text: str, top: Path, boundary: set[str]) -> dict[Path, Added]:
    added: dict[Path, Added] = {}
    for chunk in text.split("\x01"):
        if not chunk.strip("\0\n"):
            continue
        header, _, rest = chunk.partition("\0")
        commit, _, stamp = header.partition(" ")
        when = datetime.fromisoformat(stamp.strip())
        fields = [f for f in rest.lstrip("\n").split("\0") if f]
        index = 0
        while index < len(fields):
            status = fields[index]
            if status.startswith("R") and index + 2 < len(fields):
                old, new = top / fields[index + 1], top / fields[index + 2]
                # A rename keeps the date of the commit that first added the file.
                added[new] = added.pop(old, Added(when, commit in boundary))
                index += 3
            else:
                added[top / fields[index + 1]] = Added(when, commit in boundary)
                index += 2
    return added


@dataclass
class GitHistory:
    """What version control knows about the files of one folder, read with one `git log`."""

    top: Path | None = None
    shallow: bool = False
    added: dict[Path, Added] = field(default_factory=dict)
    log_text: str = ""

    @classmethod
    def read(cls, folder: Path) -> GitHistory:
        """The history of `folder`; empty when it is not in a git work tree (or git is missing)."""
        top = _git(folder, "rev-parse", "--show-toplevel")
        if not top:
            return cls()
        top_path = Path(top.strip()).resolve()
        shallow = (_git(folder, "rev-parse", "--is-shallow-repository") or "").strip() == "true"
        boundary: set[str] = set()
        if shallow:
            # The commits whose parents were not fetched: files seem "added" there.
            shallow_file = (_git(folder, "rev-parse", "--git-path", "shallow") or "").strip()
            if shallow_file:
                path = Path(shallow_file)
                path = path if path.is_absolute() else Path(folder) / path
                try:
                    boundary = set(path.read_text(encoding="ascii").split())
                except OSError:
                    boundary = set()
        text = _log(top_path, folder.resolve())
        return cls(top_path, shallow, _parse_log(text, top_path, boundary), text)

    def added_by(self, path: Path) -> Added | None:
        return self.added.get(path.resolve())


def history_stamp(folder: Path) -> str:
    """A digest of the commits that decide episode dates, for the unchanged-build check:
    committing a previewed file, or rewriting history, changes dates but no file."""
    if not folder.is_dir():
        return ""
    history = GitHistory.read(folder)
    return hashlib.sha256(f"{history.shallow}\0{history.log_text}".encode()).hexdigest()


@dataclass
class DateFound:
    """An episode's date and where it came from: show notes, tags, git or file time."""

    date: datetime
    source: str


def file_time(path: Path, timezone: str) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, ZoneInfo(timezone)).replace(microsecond=0)


def from_history(history: GitHistory, audio: Path, timezone: str) -> tuple[DateFound | None, str]:
    """The date of the commit that added `audio`, or None and why not ('' = not committed)."""
    found = history.added_by(audio)
    if found is None:
        return None, ""
    if found.at_shallow_boundary:
        return None, (
            "the git history is shallow and the commit that added this file was not fetched; "
            "fetch the full history (`git fetch --unshallow`; CI: fetch-depth: 0 / GIT_DEPTH: 0)"
        )
    return DateFound(found.date.astimezone(ZoneInfo(timezone)), "git"), ""


def _problem(level: int, source: str, field_name: str, value: object, fix: str) -> None:
    logger.log(level, "podcast: %s: %s = %r: %s", source, field_name, value, fix)


class EpisodeDating:
    """Dates the episodes of one build; the git history is read once, when first needed."""

    def __init__(self, folder: Path, content_root: Path, timezone: str, parse_date: Any) -> None:
        self.folder = folder
        self.content_root = content_root
        self.timezone = timezone
        self.parse_date = parse_date  # Pelican's get_date, so tags read like show notes
        self._history: GitHistory | None = None

    @property
    def history(self) -> GitHistory:
        if self._history is None:
            self._history = GitHistory.read(self.folder)
        return self._history

    def date_for(
        self, rel: str, notes_date: Any, tag_date: str, audio: Path, new_episode: str
    ) -> DateFound | None:
        """The first date the chain gives; every unusable value on the way is reported."""
        if isinstance(notes_date, UnreadableValue):
            # An error already (strict mode fails): the preview uses the next date quietly.
            found = self._after_notes(tag_date, audio, new_episode, quiet=True)
            meanwhile = (f" (until then dated by {found.source}, {found.date:%Y-%m-%d %H:%M})"
                         if found else "")
            _problem(logging.ERROR, rel, "date", notes_date.raw,
                     f"not a date; write it as `date: 2026-03-26 10:00`{meanwhile}")
            return found
        if notes_date is not None:
            return DateFound(notes_date, "show notes")
        return self._after_notes(tag_date, audio, new_episode, quiet=False)

    def _after_notes(
        self, tag_date: str, audio: Path, new_episode: str, quiet: bool
    ) -> DateFound | None:
        if tag_date:
            try:
                return DateFound(self.parse_date(tag_date), "tags")
            except ValueError:
                if not quiet:
                    _problem(logging.WARNING, self._rel(audio), "date tag", tag_date,
                             "not a date; ignored")
        found, why_not = from_history(self.history, audio, self.timezone)
        if found is not None:
            return found
        try:
            guessed = DateFound(file_time(audio, self.timezone), "file time")
        except OSError:
            return None
        if quiet:
            return guessed
        reason = why_not or (
            "not in the show notes, the tags or the git history (the file is not committed)"
        )
        _problem(
            logging.WARNING, self._rel(audio), "date", None,
            f"{reason}; the file's time {guessed.date:%Y-%m-%d %H:%M} is used for this preview "
            f"and a publish refuses it: commit the file, or pin the date with `{new_episode}`",
        )
        return guessed

    def check_guid(self, rel: str, found: DateFound, number: int | None,
                   has_guid: bool, new_episode: str) -> None:
        """An unnumbered episode's GUID hangs on its date: from git or file time, that date
        moves when history is rewritten or the file copied, and podcast apps see a new one."""
        if number is None and not has_guid and found.source in ("git", "file time"):
            _problem(
                logging.WARNING, rel, "number", None,
                f"the GUID of an episode dated by {found.source} needs a number: put it in "
                f"the file name (001-…), or pin date and GUID in show notes with `{new_episode}`",
            )

    def _rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.content_root).as_posix()
        except ValueError:
            return str(path)
