"""The podcast's feeds go through Pelican's writer: `feed_written` and the overwrite check."""

from __future__ import annotations

import logging
from pathlib import Path

import podcastparser
import pytest
from test_podcast_site import FIXTURES, build, fixture_site, notes

pytestmark = pytest.mark.slow

WRITTEN: list[tuple[str, object]] = []


def heard(path, context=None, feed=None) -> None:  # a plugin listening for written feeds
    WRITTEN.append((path, feed))


def _site(tmp_path: Path) -> Path:
    return fixture_site(tmp_path, {
        "001-a.mp3": FIXTURES / "cbr.mp3",
        "001-a.md": notes("Erste Folge"),
        "002-b.mp3": FIXTURES / "vbr-xing.mp3",
        "002-b.m4a": FIXTURES / "episode.m4a",
        "002-b.md": notes("Zweite Folge", "2026-01-02 10:00"),
    })


def test_every_podcast_feed_is_announced_as_written(tmp_path):
    from pelican import signals

    WRITTEN.clear()
    signals.feed_written.connect(heard)
    try:
        result = build(_site(tmp_path), tmp_path / "output")
    finally:
        signals.feed_written.disconnect(heard)
    assert result.error is None, result.error
    output = (tmp_path / "output").resolve()
    podcast = {str(Path(path).resolve().relative_to(output)): feed for path, feed in WRITTEN
               if "/podcast" in path}
    assert sorted(podcast) == ["feeds/podcast-m4a.xml", "feeds/podcast.xml"]
    for relative, feed in podcast.items():
        # the listener gets the document that was written, as Pelican's own feeds do
        assert feed.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True) == (
            output / relative).read_bytes()
    with (output / "feeds/podcast.xml").open("rb") as stream:
        parsed = podcastparser.parse("https://resonanz.example/feeds/podcast.xml", stream)
    assert [e["title"] for e in parsed["episodes"]] == ["Zweite Folge", "Erste Folge"]
    with (output / "feeds/podcast-m4a.xml").open("rb") as stream:
        parsed = podcastparser.parse("https://resonanz.example/feeds/podcast-m4a.xml", stream)
    assert [e["title"] for e in parsed["episodes"]] == ["Zweite Folge"]


def test_a_page_that_overrides_a_feed_path_keeps_it(tmp_path, caplog):
    """Pelican's rule for output a page claims with `save_as`: the page is kept and a later
    write to that path is skipped, as for Pelican's own feeds (past the writer, the feed
    used to replace the page)."""
    content = _site(tmp_path)
    (content / "pages").mkdir()
    (content / "pages/clash.md").write_text(
        "Title: Zusammenstoß\nSave_as: feeds/podcast.xml\n\nText.\n", encoding="utf-8")
    with caplog.at_level(logging.INFO):
        result = build(content, tmp_path / "output", RESONANZ_JOBS=1)
    assert result.error is None, result.error
    assert "Zusammenstoß" in (tmp_path / "output/feeds/podcast.xml").read_text(encoding="utf-8")
    skipped = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Skipping")]
    assert len(skipped) == 1 and skipped[0].endswith('feeds/podcast.xml", not overwriting')
    # the other feeds are written as ever
    with (tmp_path / "output/feeds/podcast-m4a.xml").open("rb") as stream:
        parsed = podcastparser.parse("https://resonanz.example/feeds/podcast-m4a.xml", stream)
    assert [e["title"] for e in parsed["episodes"]] == ["Zweite Folge"]
