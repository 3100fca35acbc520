"""Two episodes claiming one number: the published one keeps number and GUID; and the
messages for an unreadable show-notes date and an embedded cover that is no image."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree
from mutagen.id3 import APIC, ID3
from test_podcast_site import FIXTURES, NS, build, fixture_site, notes

pytestmark = pytest.mark.slow


def items(output: Path) -> dict[str, tuple[str, str]]:
    """title -> (podcast:episode, guid) of the main feed."""
    channel = etree.parse(str(output / "feeds/podcast.xml")).getroot().find("channel")
    return {
        item.findtext("title"): (item.findtext("podcast:episode", namespaces=NS),
                                 item.findtext("guid"))
        for item in channel.findall("item")
    }


def two_episodes(tmp_path: Path) -> Path:
    return fixture_site(tmp_path, {
        "001-zuhoeren.mp3": FIXTURES / "cbr.mp3",
        "001-zuhoeren.md": notes("Zuhören", "2026-01-01 10:00"),
        "002-beschwerden.mp3": FIXTURES / "vbr-xing.mp3",
        "002-beschwerden.md": notes("Beschwerden", "2026-01-15 10:00"),
    })


def add_newcomer(content: Path, date: str) -> None:
    # Sorted by name it comes first, and its date is older: neither may decide.
    shutil.copy(FIXTURES / "episode.m4a", content / "episodes/002-anders.m4a")
    (content / "episodes/002-anders.md").write_text(notes("Anders", date), encoding="utf-8")


@pytest.mark.parametrize("output_name", ["output", "output.new"])
def test_published_episode_keeps_its_number_and_guid(tmp_path, output_name):
    content = two_episodes(tmp_path)
    first = build(content, tmp_path / "output")
    assert first.error is None
    published = items(tmp_path / "output")
    assert published["Beschwerden"][0] == "2"

    add_newcomer(content, "2025-12-01 10:00")
    # the same output folder, or the fresh folder `make publish` builds into beside it
    second = build(content, tmp_path / output_name)
    assert second.error is None
    now = items(tmp_path / output_name)
    assert now["Beschwerden"] == published["Beschwerden"]
    assert "Anders" not in now
    assert not (tmp_path / output_name / "episoden/002-anders").exists()
    lines = [p for p in second.problems if "002-anders" in p]
    assert lines == [
        "ERROR: podcast: episodes/002-anders.md: number = 2: already used by "
        "episodes/002-beschwerden.md (published: in the last build's feed), which keeps the "
        "number and its GUID; give this episode the next free number, 3 (skipped)"
    ]
    strict = build(content, tmp_path / "strict-out", RESONANZ_STRICT=True)
    assert strict.error is not None and "number = 2" in str(strict.error)


def test_a_build_that_deletes_its_output_first_still_knows_what_was_published(tmp_path):
    content = two_episodes(tmp_path)
    assert build(content, tmp_path / "output").error is None
    published = items(tmp_path / "output")
    add_newcomer(content, "2025-12-01 10:00")
    # publishconf.py's setting: Pelican empties output/ before the episodes are read
    result = build(content, tmp_path / "output", DELETE_OUTPUT_DIRECTORY=True)
    assert result.error is None
    assert items(tmp_path / "output")["Beschwerden"] == published["Beschwerden"]
    assert any("002-anders.md: number = 2" in p and "(published" in p for p in result.problems)


def test_without_a_last_feed_the_older_date_keeps_the_number(tmp_path):
    content = two_episodes(tmp_path)
    add_newcomer(content, "2026-02-01 10:00")
    result = build(content, tmp_path / "output")
    assert result.error is None
    assert items(tmp_path / "output")["Beschwerden"][0] == "2"
    assert "Anders" not in items(tmp_path / "output")
    assert any("episodes/002-anders.md: number = 2: already used by episodes/002-beschwerden.md "
               "(older)" in p for p in result.problems)


def test_unreadable_date_and_embedded_cover_that_is_no_image(tmp_path):
    content = fixture_site(tmp_path, {
        "001-datum.mp3": FIXTURES / "cbr.mp3",
        "001-datum.md": notes("Datum", "32.13.2025"),
        "002-cover.mp3": FIXTURES / "cbr.mp3",
        "002-cover.md": notes("Cover"),
        "003-yaml.mp3": FIXTURES / "cbr.mp3",
        "003-yaml.md": "---\ntitle: YAML\ndate: 2025-02-30 10:00\nnumber: 3\n---\n\nText.\n",
    })
    tags = ID3()
    tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="", data=b"no image at all"))
    tags.save(str(content / "episodes/002-cover.mp3"))
    result = build(content, tmp_path / "output")
    assert result.error is None
    podcast = [p for p in result.problems if "podcast:" in p]
    assert len(podcast) == 3, podcast
    assert podcast[0].startswith(
        "ERROR: podcast: episodes/001-datum.md: date = '32.13.2025': not a date; write it as "
        "`date: 2026-03-26 10:00` (until then dated by file time, "
    )
    assert podcast[1] == (
        "ERROR: podcast: episodes/002-cover.mp3: cover = '002-cover.mp3 (embedded cover)': "
        "not a readable image (15 bytes, neither JPEG nor PNG); use a square JPEG or PNG, "
        "1400-3000 px"
    )
    assert podcast[2].startswith(
        "ERROR: podcast: episodes/003-yaml.md: date = '2025-02-30 10:00': not a date; "
    )
    # the episodes are still on the site: a date error does not drop the episode
    assert sorted(items(tmp_path / "output")) == ["Cover", "Datum", "YAML"]
    strict = build(content, tmp_path / "strict", RESONANZ_STRICT=True)
    assert strict.error is not None
    assert "date = '32.13.2025'" in str(strict.error) and "embedded cover" in str(strict.error)
