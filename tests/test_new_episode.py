"""`python -m resonanz new-episode` end to end: show notes written, audio placed, the built
episode what the notes say; a second run changes nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, tree_digest
from lxml import etree
from test_podcast_dating import git, site_files
from test_podcast_site import FIXTURES, NS, SHOW_GUID, build

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path) -> Path:
    """A project folder: content/ and a pelicanconf.py that is the real one with our show GUID."""
    site_files(tmp_path)
    (tmp_path / "pelicanconf.py").write_text(
        "import runpy\n"
        f"globals().update(runpy.run_path({str(ROOT / 'pelicanconf.py')!r}))\n"
        f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n"
        f"PODCAST_GUID = {SHOW_GUID!r}\n"
        "PODCAST_TITLE = 'Resonanz – der Podcast'\n",
        encoding="utf-8",
    )
    return tmp_path


def new_episode(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "resonanz", "new-episode", *args],
        cwd=project, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )


def tagged_audio(folder: Path) -> Path:
    """An MP3 with title, date, comment and two chapters, as ffmpeg-based editors write it."""
    meta = folder / "meta.txt"
    meta.write_text(
        ";FFMETADATA1\ntitle=Zuhören mit Aylin: über Gäste\ndate=2025-06-01\n"
        "comment=Wir sprechen über das Zuhören.\n"
        "[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=2500\ntitle=Begrüßung\n"
        "[CHAPTER]\nTIMEBASE=1/1000\nSTART=2500\nEND=6000\ntitle=Das Gespräch\n",
        encoding="utf-8",
    )
    target = folder / "export final.mp3"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-i", str(FIXTURES / "cbr.mp3"), "-i", str(meta),
         "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1", "-c", "copy", str(target)],
        check=True,
    )
    return target


def feed_items(output: Path) -> dict[str, etree._Element]:
    channel = etree.parse(str(output / "feeds/podcast.xml")).getroot().find("channel")
    return {item.findtext("title"): item for item in channel.findall("item")}


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def test_tagged_file_with_chapters(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("export")
    audio = tagged_audio(outside)
    shutil.copy(FIXTURES / "cbr.mp3", project / "content/episodes/001-erste-folge.mp3")
    done = new_episode(project, str(audio))
    assert done.returncode == 0, done.stderr
    stem = "002-zuhoeren-mit-aylin-ueber-gaeste"
    notes = project / f"content/episodes/{stem}.md"
    assert f"wrote content/episodes/{stem}.md" in done.stdout
    assert "duration: 00:00:06 (6.1 s, measured)" in done.stdout
    assert "still missing: cover" in done.stdout and "transcript" in done.stdout
    assert "chapters (" not in done.stdout  # the tags had chapters
    meta = front_matter(notes)
    assert meta["title"] == "Zuhören mit Aylin: über Gäste"
    assert meta["number"] == 2
    assert meta["chapters"] == ["00:00:00.000 Begrüßung", "00:00:02.500 Das Gespräch"]
    assert str(meta["date"]).startswith("2025-06-01")
    assert notes.read_text(encoding="utf-8").rstrip().endswith("Wir sprechen über das Zuhören.")
    placed = project / f"content/episodes/{stem}.mp3"
    assert placed.read_bytes() == audio.read_bytes() and audio.exists()  # copied

    before = tree_digest(project / "content")
    again = new_episode(project, str(audio))
    assert again.returncode == 0 and "nothing changed" in again.stdout
    assert tree_digest(project / "content") == before

    shutil.copy(FIXTURES / "cbr.mp3", project / "content/episodes/001-erste-folge.mp3")
    (project / "content/episodes/001-erste-folge.md").write_text(
        "Title: Erste Folge\nDate: 2025-05-01 10:00\n", encoding="utf-8")
    result = build(project / "content", project / "output", RESONANZ_STRICT=True)
    assert result.error is None, result.error
    item = feed_items(project / "output")["Zuhören mit Aylin: über Gäste"]
    assert item.findtext("guid") == meta["guid"]
    assert item.findtext("podcast:episode", namespaces=NS) == "2"
    assert parsedate_to_datetime(item.findtext("pubDate")).date().isoformat() == "2025-06-01"
    chapters = json.loads((project / f"output/podcast/{stem}.chapters.json").read_text())
    assert [c["title"] for c in chapters["chapters"]] == ["Begrüßung", "Das Gespräch"]


def test_untagged_file_moved_in(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("export") / "mein-erstes-interview.mp3"
    shutil.copy(FIXTURES / "vbr-noheader.mp3", outside)
    data = outside.read_bytes()
    done = new_episode(project, "--move", str(outside))
    assert done.returncode == 0, done.stderr
    notes = project / "content/episodes/001-mein-erstes-interview.md"
    assert front_matter(notes)["title"] == "Mein erstes interview"
    assert not outside.exists()
    assert (project / "content/episodes/001-mein-erstes-interview.mp3").read_bytes() == data
    # measured by scanning the frames (the file has no VBR header): 6.06 s, not 11 s
    assert "duration: 00:00:06" in done.stdout
    assert "note: a VBR MP3 without a Xing header" in done.stdout
    missing = done.stdout.split("still missing: ", 1)[1]
    for what in ("cover (", "transcript (", "chapters ("):
        assert what in missing

    before = tree_digest(project / "content")
    again = new_episode(project, "--move", str(outside))
    assert again.returncode == 1
    assert "file not found; nothing changed" in again.stderr
    assert tree_digest(project / "content") == before
    result = build(project / "content", project / "output", RESONANZ_STRICT=True)
    assert result.error is None, result.error
    assert list(feed_items(project / "output")) == ["Mein erstes interview"]


def test_pinning_a_previewed_file_keeps_its_date_and_guid(project):
    dropped = project / "content/episodes/interview-ohne-nummer.mp3"
    shutil.copy(FIXTURES / "cbr.mp3", dropped)
    git(project, "init", "-q")
    git(project, "add", "content")
    git(project, "commit", "-qm", "drop", date="2026-03-03T09:15:00+01:00")
    preview = build(project / "content", project / "out-1")
    assert any("number = None" in p and "new-episode content/episodes/interview-ohne-nummer.mp3"
               in p for p in preview.problems)
    was = feed_items(project / "out-1")["Interview ohne nummer"]

    done = new_episode(project, "content/episodes/interview-ohne-nummer.mp3")
    assert done.returncode == 0, done.stderr
    assert "audio:" not in done.stdout  # already in place: not copied
    pinned = build(project / "content", project / "out-2", RESONANZ_STRICT=True)
    assert pinned.error is None, pinned.error
    now = feed_items(project / "out-2")["Interview ohne nummer"]
    assert now.findtext("guid") == was.findtext("guid")
    assert now.findtext("pubDate") == was.findtext("pubDate") == "Tue, 03 Mar 2026 09:15:00 +0100"


def test_make_episode_passes_the_choice_on():
    dry = subprocess.run(["make", "-n", "episode", "FILE=a b.mp3", "MOVE=1"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert '-m resonanz new-episode "a b.mp3" --move --settings' in dry
    dry = subprocess.run(["make", "-n", "episode", "FILE=a.mp3"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert "new-episode \"a.mp3\" --copy" in dry


def test_a_file_that_is_no_audio_changes_nothing(project):
    before = tree_digest(project / "content")
    done = new_episode(project, str(FIXTURES / "text-named.mp3"))
    assert done.returncode == 1
    assert done.stderr.strip().endswith(
        "text-named.mp3: audio = 'text-named.mp3': not an audio file (content is not MP3, M4A, "
        "Opus, FLAC or WAV)")
    assert tree_digest(project / "content") == before
