"""The directories' feed rules in `make check`: each broken on purpose in a copy of the built
demo, each named once; the demo itself passes them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree
from test_podcast_site import FIXTURES

from resonanz.check import main
from resonanz.check.directories import container

IT = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PC = "{https://podcastindex.org/namespace/1.0}"

pytestmark = pytest.mark.slow


@pytest.fixture
def feed_copy(demo_site, tmp_path) -> Path:
    return Path(shutil.copytree(demo_site.output, tmp_path / "output"))


def check(output: Path, capsys) -> tuple[int, list[str]]:
    code = main([str(output), "--only", "podcast"])
    lines = capsys.readouterr().out.splitlines()
    return code, [line for line in lines if line.startswith(("ERROR [podcast]",
                                                              "WARNING [podcast]"))]


def test_demo_feeds_pass_the_directory_rules(demo_site, capsys):
    code, lines = check(demo_site.output, capsys)
    assert code == 0 and lines == []


def test_each_rule_is_named(feed_copy, capsys):
    path = feed_copy / "feeds/podcast.xml"
    tree = etree.parse(str(path))
    channel = tree.getroot().find("channel")
    channel.find("language").text = "deutsch"
    channel.find("description").text = "x" * 4001
    channel.find(f"{PC}guid").text = "0b6a2f5e-6c43-4f0b-8a3f-7f2d3b2a1c0d"  # version 4
    block = etree.SubElement(channel, f"{IT}block")
    block.text = "vielleicht"
    first, second, third = channel.findall("item")[:3]
    first.find(f"{IT}episode").text = "0"
    second.find(f"{IT}episode").text = "1"  # episode 1 of season 1, like the third
    second.remove(second.find(f"{IT}duration"))
    second.find("pubDate").text = "Wed, 01 Jan 2099 10:00:00 +0100"
    # the third item announces the second's file; the first an M4A as MP3
    third.find("enclosure").set("url", second.find("enclosure").get("url"))
    m4a = feed_copy / "podcast/001-zuhoeren.m4a"
    first.find("enclosure").set("url", first.find("enclosure").get("url").rsplit("/", 1)[0]
                                + "/003-community-ziele.m4a")
    shutil.copy(m4a, feed_copy / "podcast/003-community-ziele.m4a")
    first.find("enclosure").set("length", str(m4a.stat().st_size))
    first.find(f"{PC}chapters").set("type", "application/json")
    shutil.copy(FIXTURES / "cover-wide.jpg", feed_copy / "podcast/artwork/wide.jpg")
    image = first.find(f"{IT}image")
    image.set("href", image.get("href").rsplit("/", 1)[0] + "/wide.jpg")
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")

    code, lines = check(feed_copy, capsys)
    assert code == 1
    text = "\n".join(lines)
    expected = [
        "ERROR [podcast] feeds/podcast.xml:3: <language>: 'deutsch': Apple and Spotify want an "
        "ISO 639 code",
        "<channel><description>: 4001 characters: Apple allows 4000",
        "WARNING [podcast] feeds/podcast.xml:3: <itunes:block>: 'vielleicht': Apple reads only Yes",
        "<podcast:guid>: UUID version 4: Podcasting 2.0 wants a UUIDv5",
        "item 'Community-Aufbau: Ziele zuerst' <itunes:episode>: '0': Apple wants a whole number",
        "<itunes:episode>: episode 1 again (first at line",
        "item 'Beschwerden als Chance' <itunes:duration>: missing: Apple and Spotify",
        "item 'Beschwerden als Chance' <pubDate>: Wed, 01 Jan 2099 10:00:00 +0100 is in the future",
        "the same file as the item at line",
        "the URL ends in '.m4a', not .mp3: Apple wants the extension to match",
        "podcast/003-community-ziele.m4a is mp4 data, not mpeg: players refuse or misplay it",
        "<podcast:chapters>: type 'application/json': Podcasting 2.0 wants "
        "application/json+chapters",
        "artwork is 1600x1400: Apple wants a square of 1400-3000 px",
    ]
    for line in expected:
        assert line in text, f"missing {line!r} in\n{text}"


@pytest.mark.parametrize(("name", "kind"), [("cbr.mp3", "mpeg"), ("episode.m4a", "mp4"),
                                            ("episode.opus", "ogg"), ("episode.flac", "flac"),
                                            ("text-named.mp3", "unknown")])
def test_container_is_read_from_the_bytes(name, kind):
    assert container((FIXTURES / name).read_bytes()[:12]) == kind
