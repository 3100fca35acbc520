"""Player, play buttons and subscribe box in the built demo (parsed HTML), and their pure parts."""

from __future__ import annotations

import json

import pytest
from conftest import TEST_SITEURL
from lxml import html
from resonanz_podcast.episode import format_duration_words
from resonanz_podcast.subscribe import subscribe_links

FEED = f"{TEST_SITEURL}/feeds/podcast.xml"


NB = "\u00a0"  # no-break space: a number stays with its unit when the line wraps


@pytest.mark.parametrize(
    ("seconds", "lang", "text"),
    [
        (4.6, "de", f"5{NB}Sek."),
        (59.4, "de", f"59{NB}Sek."),
        (60, "de", f"1{NB}Min."),
        (12 * 60 + 20, "de", f"12{NB}Min."),
        (3600, "de", f"1{NB}Std."),
        (3600 + 3 * 60 + 10, "de", f"1{NB}Std. 3{NB}Min."),
        (2 * 3600 + 59 * 60 + 50, "de", f"3{NB}Std."),
        (45, "en", f"45{NB}sec"),
        (3600 + 3 * 60, "en", f"1{NB}h 3{NB}min"),
    ],
)
def test_duration_in_words(seconds, lang, text):
    assert format_duration_words(seconds, lang) == text


def test_subscribe_links_per_app_and_directories():
    links = subscribe_links("https://pod.example/feeds/podcast.xml?x=1",
                            [("Spotify", "https://open.spotify.com/show/abc")])
    urls = {link.label: link.url for link in links}
    assert urls == {
        "Apple Podcasts": "podcast://pod.example/feeds/podcast.xml?x=1",
        "AntennaPod": "https://antennapod.org/deeplink/subscribe?url="
                      "https%3A%2F%2Fpod.example%2Ffeeds%2Fpodcast.xml%3Fx%3D1",
        "Pocket Casts": "pktc://subscribe/pod.example/feeds/podcast.xml?x=1",
        "Overcast": "overcast://x-callback-url/add?url="
                    "https%3A%2F%2Fpod.example%2Ffeeds%2Fpodcast.xml%3Fx%3D1",
        "Podcast Addict": "podcastaddict://pod.example/feeds/podcast.xml?x=1",
        "gPodder": "gpodder://pod.example/feeds/podcast.xml?x=1",
        "Spotify": "https://open.spotify.com/show/abc",
    }
    assert [link.kind for link in links][-1] == "directory"
    # listed in Apple's directory: the Apple button opens that page, and appears once
    listed = subscribe_links("https://pod.example/f.xml",
                             [("Apple Podcasts", "https://podcasts.apple.com/de/podcast/id1")])
    apple = [link for link in listed if link.label == "Apple Podcasts"]
    assert [(a.url, a.kind) for a in apple] == [
        ("https://podcasts.apple.com/de/podcast/id1", "app")]


def parse(demo_site, path: str):
    return html.parse(str(demo_site.output / path)).getroot()


@pytest.mark.parametrize("path", ["episoden/001-zuhoeren/index.html",
                                  "episoden/001-zuhoeren/embed/index.html"])
def test_player_markup_keeps_native_controls_and_carries_chapters(demo_site, path):
    page = parse(demo_site, path)
    player = page.xpath("//div[@data-player]")[0]
    audio = player.xpath(".//audio")[0]
    assert audio.get("controls") is not None  # what a reader without JavaScript uses
    assert [s.get("type").split(";")[0] for s in audio.xpath(".//source")] == [
        "audio/mpeg", "audio/x-m4a", "audio/ogg"]
    assert player.xpath(".//div[@class='podplayer__ui']/@hidden") == [""]
    chapters = json.loads(player.get("data-chapters"))
    assert [c["start"] for c in chapters] == [0.0, 2.5, 5.0]
    assert chapters[1]["title"] == "Fragen stellen und nachfragen"
    artwork = json.loads(player.get("data-artwork"))
    assert artwork and all((demo_site.output / a["src"].lstrip("./")).is_file()
                           for a in artwork if not a["src"].startswith("http"))
    download = player.xpath(".//a[@class='podplayer__download']")[0]
    assert download.get("download") is not None and download.get("href").endswith(".mp3")
    scripts = page.xpath("//script[contains(@src, '/player')]")
    assert [s.get("src").rsplit("/", 1)[-1] for s in scripts] == ["player-core.js", "player.js"]
    assert all(s.get("defer") is not None for s in scripts)  # in order, after parsing


def test_duration_reads_as_words_not_a_clock(demo_site):
    page = parse(demo_site, "episoden/001-zuhoeren/index.html")
    meta = page.xpath("//header//p[@class='meta']")[0].text_content()
    assert "Dauer 10 Sek." in " ".join(meta.split())


def test_subscribe_box_has_app_buttons_and_no_raw_feed_url(demo_site):
    page = parse(demo_site, "episoden/001-zuhoeren/index.html")
    box = page.xpath("//section[@class='podcast-subscribe']")[0]
    apps = {a.text_content(): a.get("href") for a in box.xpath(".//ul/li/a")}
    assert apps["Apple Podcasts"] == "podcast://resonanz.example/feeds/podcast.xml"
    assert apps["Pocket Casts"] == "pktc://subscribe/resonanz.example/feeds/podcast.xml"
    assert set(apps) >= {"AntennaPod", "Overcast", "Podcast Addict", "gPodder"}
    assert box.xpath(".//button[@data-copy]/@data-copy") == [FEED]
    text = box.text_content()
    assert "http" not in text and "(AAC (M4A))" not in text
    # nothing from an app or a directory is loaded: no images, scripts or frames in the box
    assert not box.xpath(".//img | .//script | .//iframe")


@pytest.mark.parametrize("path", ["index.html", "episoden/index.html"])
def test_lists_have_play_buttons_for_existing_audio(demo_site, path):
    page = parse(demo_site, path)
    buttons = page.xpath("//button[contains(@class, 'play-button')]")
    assert buttons
    for button in buttons:
        src = button.get("data-play-src")
        assert (demo_site.output / path).parent.joinpath(src).resolve().is_file(), src
        assert button.get("data-guid")
        # the accessible name says what the button does, for which episode, and contains
        # the visible length
        name = " ".join(button.text_content().split())
        assert name.startswith("Abspielen: ") and name.endswith(("Sek.", "Min.", "Std."))
    scripts = page.xpath("//script/@src")
    assert [s.rsplit("/", 1)[-1] for s in scripts if "play" in s] == ["player-core.js",
                                                                     "play-buttons.js"]
