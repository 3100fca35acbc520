"""`python -m resonanz new-episode AUDIO`: show notes for an audio file, from what it already says.

Writes content/episodes/NNN-slug.md (YAML front matter: title, date, number, a pinned GUID,
chapters; the description as text) and puts the audio next to it (copied, or moved with
--move). A file already in the episodes folder keeps its name, and its notes pin the date
and GUID the build gives it today. Nothing is ever overwritten: run twice, the second run
finds the episode and changes nothing.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

_NOTES_SUFFIXES = (".md", ".markdown", ".mkd")


@dataclass
class Plan:
    """What new-episode will write; every path is absolute."""

    audio_source: Path
    audio_target: Path
    notes: Path
    front_matter: dict[str, Any]
    description: str
    duration: float
    missing: list[str] = field(default_factory=list)
    headerless_vbr: bool = False


def _load(settings_file: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Pelican's settings and the podcast plugin's (the plugin folder put on sys.path)."""
    from pelican.settings import get_settings_from_file

    # Read, not configured: no theme or output is needed to write show notes.
    settings = get_settings_from_file(str(settings_file))
    here = settings_file.resolve().parent
    settings["PATH"] = str(here / settings.get("PATH", "content"))
    for folder in reversed(settings.get("PLUGIN_PATHS") or []):
        folder = str(here / folder)
        if folder not in sys.path:
            sys.path.insert(0, folder)
    from resonanz_podcast.settings import podcast_settings

    return settings, podcast_settings(settings)


def _numbers_in_use(folder: Path) -> set[int]:
    """Numbers of the file names and of `number:` lines in show notes."""
    from resonanz_podcast.episode import number_from_stem

    used = set()
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        number = number_from_stem(path.name.split(".", 1)[0])
        if number is not None:
            used.add(number)
        if path.suffix.lower() in _NOTES_SUFFIXES:
            text = path.read_text(encoding="utf-8", errors="replace")
            used.update(int(n) for n in re.findall(r"(?im)^number:\s*['\"]?(\d+)", text))
    return used


def _same_file_in(folder: Path, audio: Path) -> Path | None:
    """An audio file in the folder with the same bytes (a second run after --copy)."""
    size = audio.stat().st_size
    for path in sorted(folder.rglob(f"*{audio.suffix}")):
        if path.is_file() and path.stat().st_size == size and filecmp.cmp(
            path, audio, shallow=False
        ):
            return path
    return None


def _slug(title: str, settings: dict[str, Any]) -> str:
    from pelican.utils import slugify

    slug = slugify(title, regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []),
                   use_unicode=settings.get("SLUGIFY_USE_UNICODE", False))
    return slug or "folge"


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def plan_episode(audio: Path, settings: dict[str, Any], podcast: dict[str, Any]) -> Plan | str:
    """The plan for `audio`, or a sentence saying why there is nothing to do."""
    from pelican.utils import get_date
    from resonanz_podcast import dating, guids
    from resonanz_podcast.audio import read_audio_facts
    from resonanz_podcast.episode import number_from_stem

    folder = (Path(settings["PATH"]) / podcast["PODCAST_PATH"]).resolve()
    zone = settings.get("TIMEZONE") or "UTC"
    audio = audio.resolve()
    in_place = audio.is_relative_to(folder)
    if not in_place and folder.is_dir():
        twin = _same_file_in(folder, audio)
        if twin is not None:
            audio, in_place = twin, True
    facts = read_audio_facts(audio)
    stem = audio.name.split(".", 1)[0]
    if in_place:
        existing = [audio.with_name(stem + s) for s in _NOTES_SUFFIXES]
        found = next((p for p in existing if p.exists()), None)
        if found is not None:
            return f"{found} already holds the show notes of {audio.name}; nothing changed"
    title = facts.title or dating.title_from_stem(stem)
    date = None
    if facts.date:
        try:
            date = get_date(facts.date)
        except ValueError:
            date = None
    if date is None and in_place:
        # the date the build gives this file today, so the episode does not move
        date = dating.from_history(dating.GitHistory.read(folder), audio, zone)[0]
        date = date.date if date else dating.file_time(audio, zone)
    if date is None:
        date = datetime.now(ZoneInfo(zone)).replace(second=0, microsecond=0)
    file_number = number_from_stem(stem) if in_place else None
    number = file_number
    if number is None:
        used = _numbers_in_use(folder) if folder.is_dir() else set()
        number = max(used, default=0) + 1
    if in_place:
        target = audio
    else:
        stem = f"{number:03d}-{_slug(title, settings)}"
        target = folder / f"{stem}{audio.suffix.lower()}"
    # The GUID the build derives today (an unnumbered file's hangs on its date): pinned, it
    # stays when the file is renamed, renumbered or history is rewritten.
    show = podcast["PODCAST_TITLE"] or settings.get("SITENAME", "")
    namespace = guids.show_namespace(podcast["PODCAST_GUID"], show)
    guid = guids.episode_guid(namespace, guids.identity(file_number if in_place else number,
                                                        "full", date))
    front: dict[str, Any] = {
        "title": title,
        "date": date.isoformat(sep=" ", timespec="minutes"),
        "number": number,
        "guid": guid,
    }
    chapters = [f"{_clock(ms // 1000)}.{ms % 1000:03d} {c.title}"
                for c, ms in ((c, round(c.start * 1000)) for c in facts.chapters)]
    if chapters:
        front["chapters"] = chapters
    missing = []
    siblings = {p.name.lower() for p in target.parent.glob(stem + ".*")} if in_place else set()
    if not facts.cover_mime and not siblings & {f"{stem}.jpg".lower(), f"{stem}.png".lower()}:
        missing.append(f"cover ({stem}.jpg, square, 1400-3000 px)")
    if not siblings & {f"{stem}.vtt".lower(), f"{stem}.srt".lower()}:
        missing.append(f"transcript ({stem}.vtt or .srt)")
    if not chapters and not any(".chapters." in name for name in siblings):
        missing.append(f"chapters ({stem}.chapters.txt: `00:00:00 Titel` per line)")
    return Plan(
        audio_source=audio,
        audio_target=target,
        notes=target.with_name(f"{stem}.md"),
        front_matter=front,
        description=facts.comment,
        duration=facts.duration,
        missing=missing,
        headerless_vbr=facts.headerless_vbr,
    )


def _place_audio(source: Path, target: Path, move: bool) -> None:
    """Copy or move without ever replacing a file (a link fails when the name is taken)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.copy2(source, temporary)
    try:
        os.link(temporary, target)
    finally:
        temporary.unlink()
    if move:
        source.unlink()


def write(plan: Plan, move: bool) -> None:
    """Write the notes (exclusively: an existing file stops it) and place the audio."""
    text = "---\n" + yaml.safe_dump(plan.front_matter, allow_unicode=True, sort_keys=False)
    text += "---\n\n" + (plan.description.strip() + "\n" if plan.description.strip() else "")
    if plan.audio_target.exists() and plan.audio_target != plan.audio_source:
        raise FileExistsError(plan.audio_target)
    with open(plan.notes, "x", encoding="utf-8") as notes:
        notes.write(text)
    if plan.audio_target != plan.audio_source:
        try:
            _place_audio(plan.audio_source, plan.audio_target, move)
        except BaseException:
            plan.notes.unlink()  # no notes without their audio
            raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m resonanz new-episode",
        description="Write show notes for an audio file and put it into content/episodes/.",
    )
    parser.add_argument("audio", type=Path, help="the audio file (MP3, M4A, Opus, ...)")
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--copy", action="store_true", help="copy the audio into place (default)")
    how.add_argument("--move", action="store_true", help="move the audio into place")
    parser.add_argument("--settings", type=Path, default=Path("pelicanconf.py"),
                        help="Pelican settings (default: pelicanconf.py)")
    args = parser.parse_args(argv)
    if not args.audio.is_file():
        print(f"new-episode: {args.audio}: file not found; nothing changed", file=sys.stderr)
        return 1
    if not args.settings.is_file():
        print(f"new-episode: {args.settings}: settings file not found; run it in the project "
              "folder or give --settings", file=sys.stderr)
        return 2
    settings, podcast = _load(args.settings)
    from resonanz_podcast.audio import AudioError

    try:
        plan = plan_episode(args.audio, settings, podcast)
    except AudioError as exc:
        print(f"new-episode: {args.audio}: {exc.field} = {exc.value!r}: {exc.fix}",
              file=sys.stderr)
        return 1
    if isinstance(plan, str):
        print(f"new-episode: {plan}")
        return 0
    try:
        write(plan, args.move)
    except FileExistsError as exc:
        print(f"new-episode: {exc.args[0] if exc.args else exc.filename}: exists; "
              "nothing changed (choose another title or number)", file=sys.stderr)
        return 1
    here = Path.cwd()

    def shown(path: Path) -> str:
        return os.path.relpath(path, here)

    print(f"new-episode: wrote {shown(plan.notes)}")
    if plan.audio_target != plan.audio_source:
        verb = "moved" if args.move else "copied"
        print(f"  audio: {shown(plan.audio_target)} ({verb} from {shown(plan.audio_source)})")
    print(f"  duration: {_clock(plan.duration)} ({plan.duration:.1f} s, measured)")
    print(f"  date: {plan.front_matter['date']}, number: {plan.front_matter['number']}, "
          f"guid: {plan.front_matter['guid']}")
    if plan.missing:
        print("  still missing: " + "; ".join(plan.missing))
    if plan.headerless_vbr:
        print("  note: a VBR MP3 without a Xing header: the build measures it, but browsers and "
              "some apps guess its length from the first frame; export it with a VBR header")
    return 0
