"""Whole-site builds with the podcast plugin: feeds read by real consumers, GUIDs, cache, errors."""

from __future__ import annotations

import json
import runpy
import shutil
from pathlib import Path

import feedparser
import podcastparser
import pytest
import resonanz_podcast.facts
from conftest import CONTENT, ROOT, build_site, tree_digest
from lxml import etree, html

FIXTURES = Path(__file__).parent / "fixtures" / "audio"
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "psc": "http://podlove.org/simple-chapters",
}
FEEDS = ("feeds/podcast.xml", "feeds/podcast-m4a.xml", "feeds/podcast-opus.xml")
SHOW_GUID = "2d5e5f8a-8c7e-5a4b-9f51-3f1f6f0b7c11"
_CONF = runpy.run_path(str(ROOT / "pelicanconf.py"))
PODCAST = {
    "PLUGINS": list(dict.fromkeys([*_CONF["PLUGINS"], "resonanz_podcast"])),
    "PODCAST_TITLE": "Resonanz – der Podcast",
    "PODCAST_DESCRIPTION": "Kundendialog, Community und Marken: alle zwei Wochen.",
    "PODCAST_AUTHOR": "Lena Hoffmann",
    "PODCAST_OWNER_NAME": "Resonanz-Redaktion",
    "PODCAST_OWNER_EMAIL": "podcast@resonanz.example",
    "PODCAST_GUID": SHOW_GUID,
    "PODCAST_FUNDING": [("https://resonanz.example/unterstuetzen/", "Unterstützen")],
    "PODCAST_LICENSE": "cc-by-4.0",
}

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True, scope="module")
def _podcast_signals_off_afterwards():
    # Pelican's signals are process-wide: sites built by later test modules must not get ours.
    yield

    if "resonanz_podcast" not in _CONF["PLUGINS"]:
        import resonanz_podcast.plugin

        resonanz_podcast.plugin.unregister()


def build(content: Path, output: Path, **overrides):
    return build_site(content, output, **{**PODCAST, **overrides})


def parse(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    before = tree_digest(CONTENT)
    result = build(CONTENT, tmp_path_factory.mktemp("podcast-demo") / "output")
    assert result.error is None, result.error
    assert tree_digest(CONTENT) == before, "the build changed files under content/"
    return result


def test_demo_builds_without_podcast_problems(demo):
    assert [p for p in demo.problems if "podcast" in p] == []
    assert len(list((demo.output / "episoden").glob("*/index.html"))) == 4


def test_latest_episodes_head_the_first_page_of_the_home_page_only(demo):
    """Like the popular posts: a reader paging back through the posts finds them at the
    top of pages 2, 3, ...; the first page shows the newest episodes with play buttons."""
    first = html.parse(str(demo.output / "index.html"))
    cards = first.xpath("//section[@class='episodes-home']//article[contains(@class, "
                        "'episode-card')]")
    assert len(cards) == 3  # PODCAST_HOME_COUNT
    assert first.xpath("//section[@class='episodes-home']//button")  # play buttons
    later = sorted((demo.output / "page").glob("*/index.html"))
    assert later
    for page in later:
        doc = html.parse(str(page))
        assert not doc.xpath("//section[@class='episodes-home']"), page
        assert not doc.xpath("//script[contains(@src, 'player-core')]"), page
        assert doc.xpath("//section[@aria-labelledby='neueste']//article"), page


@pytest.mark.parametrize("feed", FEEDS)
def test_every_feed_is_read_by_feedparser_and_podcastparser(demo, feed):
    path = demo.output / feed
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.entries
    with open(path, "rb") as stream:
        podcast_data = podcastparser.parse(f"https://resonanz.example/{feed}", stream)
    assert podcast_data["title"] == "Resonanz – der Podcast"
    assert podcast_data["episodes"]
    for episode in podcast_data["episodes"]:
        assert episode["enclosures"] and episode["enclosures"][0]["file_size"] > 0
        assert episode["total_time"] > 0
        assert episode["guid"]


@pytest.mark.parametrize("feed", FEEDS)
def test_apple_required_tags_and_exact_enclosures(demo, feed):
    root = parse(demo.output / feed)
    channel = root.find("channel")
    for xpath in (
        "title",
        "description",
        "language",
        "link",
        "itunes:image/@href",
        "itunes:category/@text",
        "itunes:category/itunes:category/@text",
        "itunes:author",
        "itunes:owner/itunes:email",
        "itunes:type",
        "podcast:guid",
        "podcast:locked",
        "podcast:medium",
        "podcast:funding/@url",
        "podcast:license",
        "atom:link[@rel='self']/@href",
    ):
        assert channel.xpath(xpath, namespaces=NS), xpath
    assert channel.xpath("string(itunes:explicit)", namespaces=NS) == "false"
    assert channel.xpath("string(podcast:guid)", namespaces=NS) == SHOW_GUID
    assert channel.xpath("string(atom:link[@rel='self']/@href)", namespaces=NS).endswith(feed)
    alternates = channel.xpath("atom:link[@rel='alternate']/@href", namespaces=NS)
    assert sorted(a.rsplit("/", 1)[1] for a in alternates) == sorted(
        f.rsplit("/", 1)[1] for f in FEEDS if f != feed
    )
    items = channel.findall("item")
    assert items
    for item in items:
        for xpath in ("title", "guid", "pubDate", "link", "description", "itunes:duration"):
            assert item.xpath(xpath, namespaces=NS), xpath
        assert item.find("guid").get("isPermaLink") == "false"
        assert item.xpath("string(itunes:explicit)", namespaces=NS) in ("true", "false")
        assert item.xpath("string(itunes:episodeType)", namespaces=NS) in (
            "full",
            "trailer",
            "bonus",
        )
        enclosure = item.find("enclosure")
        local = demo.output / enclosure.get("url").removeprefix("https://resonanz.example/")
        assert int(enclosure.get("length")) == local.stat().st_size
        assert enclosure.get("type") in ("audio/mpeg", "audio/x-m4a", "audio/ogg")
        image = item.xpath("string(itunes:image/@href)", namespaces=NS)
        assert image.endswith(".jpg")
        assert (demo.output / image.removeprefix("https://resonanz.example/")).is_file()


def test_main_feed_carries_podcasting20_extras(demo):
    channel = parse(demo.output / "feeds/podcast.xml").find("channel")
    titles = channel.xpath("item/title/text()")
    assert titles[-1] == "Trailer: Das ist Resonanz"  # newest first
    trailer = channel.xpath("item[title='Trailer: Das ist Resonanz']")[0]
    assert trailer.xpath("string(itunes:episodeType)", namespaces=NS) == "trailer"
    first = channel.xpath("item[podcast:episode='1']", namespaces=NS)[0]
    assert first.xpath("string(itunes:season)", namespaces=NS) == "1"
    formats = first.xpath("podcast:alternateEnclosure/@type", namespaces=NS)
    assert formats == ["audio/mpeg", "audio/x-m4a", "audio/ogg"]
    assert first.xpath("psc:chapters/psc:chapter/@start", namespaces=NS)[1] == "00:00:02.500"
    assert first.xpath("podcast:person[@role='guest']/text()", namespaces=NS) == ["Jonas Weber"]
    second = channel.xpath("item[podcast:episode='2']", namespaces=NS)[0]
    transcript = second.xpath("podcast:transcript", namespaces=NS)[0]
    assert transcript.get("type") == "text/vtt"
    vtt = demo.output / transcript.get("url").removeprefix("https://resonanz.example/")
    assert vtt.read_text(encoding="utf-8").startswith("WEBVTT")
    assert second.xpath("string(podcast:soundbite/@duration)", namespaces=NS) == "4"


def test_chapters_json_is_valid_v12(demo):
    channel = parse(demo.output / "feeds/podcast.xml").find("channel")
    urls = channel.xpath("item/podcast:chapters/@url", namespaces=NS)
    assert len(urls) == 2  # file chapters (episode 1) and ID3 CHAP chapters (episode 3)
    for url in urls:
        document = json.loads(
            (demo.output / url.removeprefix("https://resonanz.example/")).read_text()
        )
        assert resonanz_podcast.chapters.json_chapters_problems(document) == []
        starts = [c["startTime"] for c in document["chapters"]]
        assert starts == sorted(starts) and starts[0] == 0
    embedded = json.loads((demo.output / "podcast/003-community-ziele.chapters.json").read_text())
    assert [c["title"] for c in embedded["chapters"]] == ["Einstieg", "Ziele"]


def test_audio_is_copied_unchanged(demo):
    for source in (CONTENT / "episodes").glob("*.m*"):
        if source.suffix in (".mp3", ".m4a"):
            assert (demo.output / "podcast" / source.name).read_bytes() == source.read_bytes()


def test_episode_page_player_chapters_transcript_jsonld(demo):
    page = html.parse(str(demo.output / "episoden/001-zuhoeren/index.html")).getroot()
    assert len(page.xpath("//h1")) == 1
    sources = page.xpath("//source/@type")  # libxml2 nests the void <source> elements
    assert sources[0] == "audio/mpeg" and len(sources) == 3
    links = page.xpath("//ol[@class='chapter-list']//a[@class='chapter-link']/@href")
    assert links == ["#t=00:00:00.000", "#t=00:00:02.500", "#t=00:00:05.000"]
    downloads = page.xpath("//ul[@class='download-list']/li")
    assert "kB" in downloads[0].text_content()
    assert page.xpath("//script[contains(@src, 'player.js')]/@defer") is not None
    assert not page.xpath("//script[not(@src) and not(@type='application/ld+json')]")
    assert not page.xpath("//@onclick")
    data = json.loads(page.xpath("//script[@type='application/ld+json']/text()")[0])
    assert data["@type"] == "PodcastEpisode"
    assert data["partOfSeries"]["@type"] == "PodcastSeries"
    assert data["episodeNumber"] == 1
    transcript_page = html.parse(str(demo.output / "episoden/002-beschwerden/index.html")).getroot()
    paragraphs = transcript_page.xpath("//div[@class='transcript']/p")
    assert "Lena Hoffmann:" in paragraphs[0].text_content()
    assert transcript_page.xpath("//li[@class='h-card']/a/@href") == [
        "https://resonanz.example/autor/aylin-demir/"
    ]
    index = html.parse(str(demo.output / "episoden/index.html")).getroot()
    assert len(index.xpath("//article[contains(@class, 'episode-card')]")) == 4
    series = json.loads(index.xpath("//script[@type='application/ld+json']/text()")[0])
    assert series["@type"] == "PodcastSeries" and series["webFeed"].endswith("feeds/podcast.xml")


def test_episode_from_tags_alone(demo):
    page = html.parse(str(demo.output / "episoden/003-community-ziele/index.html")).getroot()
    assert page.xpath("string(//h1)") == "Community-Aufbau: Ziele zuerst"
    assert "Ziele braucht" in page.xpath("string(//div[contains(@class, 'e-content')])")
    assert page.xpath("string(//time[@class='dt-published']/@datetime)").startswith("2026-03-12")


# ---------- fixture sites


def fixture_site(tmp_path: Path, files: dict[str, str | Path | bytes]) -> Path:
    content = tmp_path / "content"
    (content / "episodes").mkdir(parents=True)
    (content / "images/podcast").mkdir(parents=True)
    shutil.copy(FIXTURES / "cover-ok.jpg", content / "images/podcast/cover.jpg")
    for name, value in files.items():
        target = content / "episodes" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(value, Path):
            shutil.copy(value, target)
        elif isinstance(value, bytes):
            target.write_bytes(value)
        else:
            target.write_text(value, encoding="utf-8")
    return content


def notes(title: str, date: str = "2026-01-01 10:00", **extra: str) -> str:
    lines = [f"Title: {title}", f"Date: {date}", *(f"{k}: {v}" for k, v in extra.items())]
    return "\n".join(lines) + "\n\nShownotes.\n"


DURATION_FIXTURES = ["cbr.mp3", "vbr-xing.mp3", "vbr-noheader.mp3", "episode.m4a", "episode.opus"]


def test_itunes_duration_within_half_a_second(tmp_path):
    files: dict[str, str | Path | bytes] = {}
    for number, name in enumerate(DURATION_FIXTURES, start=1):
        stem = f"{number:03d}-{name.split('.')[0]}"
        files[f"{stem}.{name.split('.')[1]}"] = FIXTURES / name
        files[f"{stem}.md"] = notes(f"Fixture {name}", f"2026-01-{number:02d} 10:00")
    result = build(fixture_site(tmp_path, files), tmp_path / "output")
    assert result.error is None
    channel = parse(tmp_path / "output/feeds/podcast.xml").find("channel")
    durations = {
        item.findtext("title"): int(item.findtext("itunes:duration", namespaces=NS))
        for item in channel.findall("item")
    }
    assert len(durations) == len(DURATION_FIXTURES)
    for title, seconds in durations.items():
        assert abs(seconds - 6.0) <= 0.5, (title, seconds)
    # Each format also gets its own feed with only its episodes.
    m4a = parse(tmp_path / "output/feeds/podcast-m4a.xml").find("channel")
    assert m4a.xpath("item/enclosure/@type") == ["audio/x-m4a"]


def test_bad_input_is_reported_and_the_rest_builds(tmp_path):
    content = fixture_site(
        tmp_path,
        {
            "001-gut.mp3": FIXTURES / "cbr.mp3",
            "001-gut.md": notes("Gut", explicit="vielleicht"),
            "001-gut.jpg": FIXTURES / "cover-small.jpg",
            "002-leer.mp3": FIXTURES / "zero-byte.mp3",
            "002-leer.md": notes("Leer"),
            "003-text.mp3": FIXTURES / "text-named.mp3",
            "004-kaputt.mp3": FIXTURES / "truncated.mp3",
            "004-kaputt.md": notes("Kaputt"),
            "005-fehlt.md": notes("Fehlt"),
            "006-raus.md": notes("Raus", audio="../../../etc/passwd"),
            "007-doppelt.md": notes("Doppelt", number="1"),
            "007-doppelt.mp3": FIXTURES / "vbr-xing.mp3",
            "008-breit.mp3": FIXTURES / "cbr.mp3",
            "008-breit.md": notes("Breit", date="2026-01-08 10:00"),
            "008-breit.jpg": FIXTURES / "cover-wide.jpg",
        },
    )
    result = build(content, tmp_path / "output")
    assert result.error is None
    expected = [
        "podcast: episodes/001-gut.md: explicit = 'vielleicht': use true or false",
        "podcast: episodes/001-gut.jpg: cover = '600x600': must be at least 1400x1400 px",
        "podcast: episodes/002-leer.mp3: audio = 'zero-byte",
        "podcast: episodes/003-text.mp3: audio = '003-text.mp3': not an audio file",
        "podcast: episodes/004-kaputt.mp3: audio = '004-kaputt.mp3': file is truncated",
        "podcast: episodes/005-fehlt.md: audio = None: no audio file",
        "podcast: episodes/006-raus.md: audio = '../../../etc/passwd': path leaves content/",
        "podcast: episodes/007-doppelt.md: number = 1: already used by episodes/001-gut.md",
        "podcast: episodes/008-breit.jpg: cover = '1600x1400': must be square",
    ]
    text = "\n".join(result.problems)
    for line in expected:
        if line.startswith("podcast: episodes/002"):
            line = "podcast: episodes/002-leer.mp3: audio = '002-leer.mp3': file is empty"
        assert line in text, f"missing {line!r} in\n{text}"
    # One line per problem, nothing else from the podcast plugin.
    assert len([p for p in result.problems if "podcast:" in p]) == len(expected)
    feed = feedparser.parse((tmp_path / "output/feeds/podcast.xml").read_bytes())
    assert not feed.bozo
    assert sorted(e.title for e in feed.entries) == ["Breit", "Gut"]
    assert (tmp_path / "output/episoden/001-gut/index.html").is_file()

    strict = build(content, tmp_path / "strict", RESONANZ_STRICT=True)
    assert strict.error is not None
    assert "003-text.mp3" in str(strict.error) or any("003-text.mp3" in p for p in strict.problems)


def guids_by_number(feed: Path) -> dict[str, str]:
    channel = parse(feed).find("channel")
    return {
        item.findtext("podcast:episode", namespaces=NS) or item.findtext("title"): item.findtext(
            "guid"
        )
        for item in channel.findall("item")
    }


def test_guids_survive_renaming_title_slug_file_and_siteurl(tmp_path):
    content = fixture_site(
        tmp_path,
        {
            "001-alt.mp3": FIXTURES / "cbr.mp3",
            "001-alt.md": notes("Alter Titel"),
            "002-zwei.mp3": FIXTURES / "vbr-xing.mp3",
            "002-zwei.md": notes("Zwei", date="2026-01-02 10:00"),
            "trailer.mp3": FIXTURES / "cbr.mp3",
            "trailer.md": notes("Trailer", date="2025-12-01 08:00", episode_type="trailer"),
        },
    )
    first = build(content, tmp_path / "out1")
    assert first.error is None
    before = guids_by_number(tmp_path / "out1/feeds/podcast.xml")
    assert len(set(before.values())) == 3

    episodes = content / "episodes"
    (episodes / "001-alt.mp3").rename(episodes / "001-neuer-name.mp3")
    (episodes / "001-alt.md").unlink()
    (episodes / "001-neuer-name.md").write_text(
        notes("Ganz neuer Titel", slug="umbenannt"), encoding="utf-8"
    )
    (episodes / "trailer.mp3").rename(episodes / "vorschau.mp3")
    (episodes / "trailer.md").rename(episodes / "vorschau.md")
    second = build(
        content,
        tmp_path / "out2",
        SITEURL="https://neue-domain.example",
        CANONICAL_SITEURL="https://neue-domain.example",
        FEED_DOMAIN="https://neue-domain.example",
    )
    assert second.error is None
    feed = tmp_path / "out2/feeds/podcast.xml"
    text = feed.read_text(encoding="utf-8")
    assert "https://neue-domain.example/episoden/umbenannt/" in text
    assert "001-neuer-name.mp3" in text and "Ganz neuer Titel" in text
    assert guids_by_number(feed) == before


def test_second_build_reuses_cached_audio_facts(tmp_path, monkeypatch):
    content = fixture_site(
        tmp_path,
        {
            "001-a.mp3": FIXTURES / "vbr-noheader.mp3",
            "001-a.md": notes("A"),
            "002-b.m4a": FIXTURES / "episode.m4a",
            "002-b.md": notes("B", date="2026-01-02 10:00"),
        },
    )
    reads: list[str] = []
    original = resonanz_podcast.facts.read_audio_facts

    def counting(path):
        reads.append(Path(path).name)
        return original(path)

    monkeypatch.setattr(resonanz_podcast.facts, "read_audio_facts", counting)
    cache = tmp_path / "podcast-cache"
    first = build(content, tmp_path / "out1", PODCAST_CACHE_PATH=str(cache))
    assert first.error is None
    assert sorted(reads) == ["001-a.mp3", "002-b.m4a"]
    assert list(cache.glob("*.json"))

    reads.clear()
    second = build(content, tmp_path / "out2", PODCAST_CACHE_PATH=str(cache))
    assert second.error is None
    assert reads == []  # every audio file and cover came from the cache
    assert (tmp_path / "out1/feeds/podcast.xml").read_bytes() == (
        tmp_path / "out2/feeds/podcast.xml"
    ).read_bytes()

    # A changed file is read again, the unchanged one is not.
    (content / "episodes/002-b.m4a").write_bytes((FIXTURES / "episode.m4a").read_bytes() + b"\0")
    build(content, tmp_path / "out3", PODCAST_CACHE_PATH=str(cache))
    assert reads == ["002-b.m4a"]


def test_paged_feeds_and_media_host(tmp_path):
    files: dict[str, str | Path | bytes] = {}
    for number in range(1, 6):
        files[f"{number:03d}-f.mp3"] = FIXTURES / "cbr.mp3"
        files[f"{number:03d}-f.md"] = notes(
            f"Folge {number}", f"2026-01-{number:02d} 10:00", slug=f"f{number}"
        )
    result = build(
        fixture_site(tmp_path, files),
        tmp_path / "output",
        PODCAST_FEED_PAGE_SIZE=2,
        PODCAST_MEDIA_URL="https://cdn.example/audio",
    )
    assert result.error is None
    out = tmp_path / "output"
    first = parse(out / "feeds/podcast.xml").find("channel")
    assert first.xpath("item/title/text()") == ["Folge 5", "Folge 4"]
    assert first.xpath("string(atom:link[@rel='next']/@href)", namespaces=NS).endswith(
        "feeds/podcast/page/2.xml"
    )
    assert first.xpath("string(atom:link[@rel='last']/@href)", namespaces=NS).endswith(
        "feeds/podcast/page/3.xml"
    )
    last = parse(out / "feeds/podcast/page/3.xml").find("channel")
    assert last.xpath("item/title/text()") == ["Folge 1"]
    assert last.xpath("string(atom:link[@rel='first']/@href)", namespaces=NS).endswith(
        "feeds/podcast.xml"
    )
    assert first.xpath("item/enclosure/@url")[0] == "https://cdn.example/audio/005-f.mp3"


def test_episodes_in_reader_feed_when_asked(tmp_path):
    content = fixture_site(
        tmp_path, {"001-a.mp3": FIXTURES / "cbr.mp3", "001-a.md": notes("Folge im Blogfeed")}
    )
    (content / "posts").mkdir()
    (content / "posts/2026-01-02-post.md").write_text(
        "Title: Ein Beitrag\nDate: 2026-01-02 10:00\nCategory: Kundendialog\n\nText.\n",
        encoding="utf-8",
    )
    result = build(content, tmp_path / "output", PODCAST_IN_READER_FEEDS=True)
    assert result.error is None
    feed = feedparser.parse((tmp_path / "output/feeds/alle.atom.xml").read_bytes())
    assert [e.title for e in feed.entries] == ["Ein Beitrag", "Folge im Blogfeed"]
    assert feed.entries[1].enclosures[0]["type"] == "audio/mpeg"
