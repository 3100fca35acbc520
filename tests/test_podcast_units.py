"""Pure functions of the podcast plugin: audio facts, chapters, transcripts, artwork, GUIDs."""

from __future__ import annotations

import io
import json
import subprocess
from datetime import datetime
from pathlib import Path

import mutagen
import pytest
from PIL import Image
from resonanz_podcast.artwork import ArtworkError, inspect_artwork, render_variants
from resonanz_podcast.audio import AudioError, read_audio_facts, scan_mp3_frames, sniff_format
from resonanz_podcast.chapters import (
    ChapterError,
    json_chapters_problems,
    parse_json_chapters,
    parse_text_chapters,
    to_json_chapters,
)
from resonanz_podcast.episode import FieldError, parse_bool, parse_guests, parse_soundbites
from resonanz_podcast.feed import feed_guid
from resonanz_podcast.guids import episode_guid, identity, show_namespace
from resonanz_podcast.transcripts import TranscriptError, paragraphs, parse_transcript

FIXTURES = Path(__file__).parent / "fixtures" / "audio"
# make_fixtures.sh synthesises exactly 6.0 s of samples (3 s tone + 3 s noise) for every file.
TRUE_LENGTH = 6.0


@pytest.mark.parametrize(
    ("name", "fmt", "mime"),
    [
        ("cbr.mp3", "mp3", "audio/mpeg"),
        ("vbr-xing.mp3", "mp3", "audio/mpeg"),
        ("vbr-noheader.mp3", "mp3", "audio/mpeg"),
        ("episode.m4a", "m4a", "audio/x-m4a"),
        ("episode.opus", "opus", "audio/ogg"),
    ],
)
def test_duration_size_and_type_of_each_format(name, fmt, mime):
    path = FIXTURES / name
    facts = read_audio_facts(path)
    assert facts.format == fmt
    assert facts.mime_type == mime
    assert facts.size == path.stat().st_size
    assert abs(facts.duration - TRUE_LENGTH) < 0.5, facts.duration
    assert facts.channels >= 1  # mutagen reads mono AAC as 2 channels


def test_headerless_vbr_is_measured_by_frame_scan_not_first_frame():
    path = FIXTURES / "vbr-noheader.mp3"
    # The pitfall itself: mutagen's estimate from the first (quiet, low-bitrate) frame is far off.
    assert abs(mutagen.File(path).info.length - TRUE_LENGTH) > 2
    facts = read_audio_facts(path)
    assert facts.duration_source == "frame scan"
    assert abs(facts.duration - TRUE_LENGTH) < 0.5
    assert abs(scan_mp3_frames(path).duration - TRUE_LENGTH) < 0.5
    assert facts.headerless_vbr


def test_headerless_cbr_is_not_called_vbr(tmp_path):
    # ffmpeg without the Info frame: every frame at 64 kbit/s, players get the length right
    path = tmp_path / "cbr-noheader.mp3"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(FIXTURES / "cbr.mp3"),
                    "-write_xing", "0", "-c:a", "libmp3lame", "-b:a", "64k", str(path)],
                   check=True)
    facts = read_audio_facts(path)
    assert facts.duration_source == "frame scan"
    assert not facts.headerless_vbr
    assert abs(facts.duration - TRUE_LENGTH) < 0.5


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("zero-byte.mp3", "0 bytes"),
        ("text-named.mp3", "not an audio file"),
        ("truncated.mp3", "truncated"),
        ("does-not-exist.mp3", "not found"),
    ],
)
def test_broken_audio_is_refused_with_field_and_fix(name, message):
    with pytest.raises(AudioError) as caught:
        read_audio_facts(FIXTURES / name)
    assert caught.value.field == "audio"
    assert caught.value.value == name
    assert message in caught.value.fix


def test_mime_type_comes_from_content_not_extension(tmp_path):
    disguised = tmp_path / "episode.mp3"
    disguised.write_bytes((FIXTURES / "episode.m4a").read_bytes())
    assert read_audio_facts(disguised).mime_type == "audio/x-m4a"
    assert sniff_format(b"OggS" + b"\0" * 24 + b"OpusHead") == "opus"
    assert sniff_format(b"fLaC\0\0\0\0") == "flac"
    assert sniff_format(b"hello world") is None


def test_flac_is_read():
    facts = read_audio_facts(FIXTURES / "episode.flac")
    assert facts.format == "flac" and abs(facts.duration - 1.0) < 0.1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "00:00:00.000 Intro\n00:01:02.500 Thema <https://x.example/>\n",
            [(0, "Intro"), (62.5, "Thema")],
        ),
        ("0:00 Intro\n1:02 Thema\n1:02:03 Ende", [(0, "Intro"), (62, "Thema"), (3723, "Ende")]),
        (
            "CHAPTER01=00:00:00.000\nCHAPTER01NAME=Intro\nCHAPTER02=00:00:30.000\nCHAPTER02NAME=B",
            [(0, "Intro"), (30, "B")],
        ),
        ("# comment\n\n00:00:05 Nur eins", [(5, "Nur eins")]),
    ],
)
def test_text_chapter_formats(text, expected):
    chapters = parse_text_chapters(text)
    assert [(c.start, c.title) for c in chapters] == expected


def test_chapter_links_are_kept():
    chapters = parse_text_chapters("00:00:00.000 Intro <https://x.example/a>")
    assert chapters[0].href == "https://x.example/a"


@pytest.mark.parametrize(
    "text",
    ["Intro ohne Zeit", "00:00:10 B\n00:00:05 A", "99:xx Kaputt"],
)
def test_bad_chapter_text_names_the_line(text):
    with pytest.raises(ChapterError):
        parse_text_chapters(text)


def test_json_chapters_round_trip_and_structure():
    source = {
        "version": "1.2.0",
        "chapters": [
            {"startTime": 0, "title": "Intro"},
            {"startTime": 12.5, "title": "Hidden", "toc": False},
            {
                "startTime": 30,
                "title": "Link",
                "url": "https://x.example/",
                "img": "https://x/i.jpg",
            },
        ],
    }
    chapters = parse_json_chapters(json.dumps(source))
    assert [c.title for c in chapters] == ["Intro", "Link"]
    document = to_json_chapters(chapters, "Folge", "Show")
    assert json_chapters_problems(document) == []
    assert document["chapters"][1] == {
        "startTime": 30.0,
        "title": "Link",
        "url": "https://x.example/",
        "img": "https://x/i.jpg",
    }


@pytest.mark.parametrize(
    "document",
    [
        [],
        {"chapters": []},
        {"version": "1.2.0", "chapters": [{"title": "no start"}]},
        {"version": "1.2.0", "chapters": [{"startTime": -1}]},
        {"version": "1.2.0", "chapters": [{"startTime": "10"}]},
        {"version": "1.2.0", "chapters": [{"startTime": 1, "toc": "no"}]},
    ],
)
def test_json_chapters_check_finds_structural_errors(document):
    assert json_chapters_problems(document)
    with pytest.raises(ChapterError):
        parse_json_chapters(json.dumps(document))


def test_webvtt_with_voices_and_srt():
    vtt = (
        "WEBVTT\n\nNOTE a note\n\n1\n00:00:00.000 --> 00:00:02.000\n<v Anna>Hallo &amp; willkommen."
        "\n\n00:00:02.000 --> 00:00:04.000\n<v Anna>Noch ein Satz.\n\n"
        "00:01:00.000 --> 00:01:02.000\n<v.loud Ben>Ja.</v>\n"
    )
    cues = parse_transcript("x.vtt", vtt)
    assert [(c.start, c.speaker, c.text) for c in cues] == [
        (0.0, "Anna", "Hallo & willkommen."),
        (2.0, "Anna", "Noch ein Satz."),
        (60.0, "Ben", "Ja."),
    ]
    assert [p.text for p in paragraphs(cues)] == ["Hallo & willkommen. Noch ein Satz.", "Ja."]
    srt = (
        "1\n00:00:01,500 --> 00:00:03,000\nAnna: Hallo\n\n2\n00:00:03,000 --> 00:00:04,000\nTschüss"
    )
    cues = parse_transcript("x.srt", srt)
    assert [(c.start, c.speaker, c.text) for c in cues] == [
        (1.5, "Anna", "Hallo"),
        (3.0, "", "Tschüss"),
    ]


@pytest.mark.parametrize(
    "text", ["no header\n\n00:00.000 --> 00:01.000\nx", "WEBVTT\n\nkein timing"]
)
def test_bad_transcripts(text):
    with pytest.raises(TranscriptError):
        parse_transcript("x.vtt", text)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cover-ok.jpg", []),
        ("cover-small.jpg", ["at least 1400"]),
        ("cover-wide.jpg", ["square"]),
        ("cover-png-named.jpg", ["PNG file with a .jpg name"]),
        ("cover-cmyk.jpg", ["RGB"]),
    ],
)
def test_artwork_rules(name, expected):
    _, problems = inspect_artwork((FIXTURES / name).read_bytes(), name, 50_000_000)
    fixes = [p.fix for p in problems]
    assert len(fixes) == len(expected), fixes
    for fragment, fix in zip(expected, fixes, strict=True):
        assert fragment in fix


def test_artwork_variants_are_rgb_jpeg_of_each_width():
    variants = render_variants(
        (FIXTURES / "cover-cmyk.jpg").read_bytes(), [3000, 1400, 600, 300], 10**8
    )
    assert sorted(variants) == [300, 600, 1400]  # never scaled up
    for width, data in variants.items():
        image = Image.open(io.BytesIO(data))
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (width, width))


def test_oversized_cover_is_capped_at_3000():
    buffer = io.BytesIO()
    Image.new("P", (3200, 3200)).save(buffer, format="PNG")
    data = buffer.getvalue()
    _, problems = inspect_artwork(data, "big.png", 10**8)
    assert any("larger than 3000" in p.fix for p in problems)
    assert max(render_variants(data, [3000, 600], 10**8)) == 3000


def test_decompression_bomb_is_refused_before_decoding():
    # A 20000 x 20000 one-bit PNG is a few kB on disk and 400 megapixels in memory.
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, format="PNG")
    with pytest.raises(ArtworkError, match="decompression bomb"):
        inspect_artwork(buffer.getvalue(), "bomb.png", 50_000_000)
    with pytest.raises(ArtworkError):
        render_variants(buffer.getvalue(), [300], 50_000_000)
    with pytest.raises(ArtworkError, match="not a readable image"):
        inspect_artwork(b"not an image", "x.jpg", 50_000_000)


def test_podcast_guid_follows_the_spec_example():
    # The example in the Podcasting 2.0 namespace documentation for <podcast:guid>.
    assert feed_guid("https://mp3s.nashownotes.com/pc20rss.xml") == (
        "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    )
    assert feed_guid("http://mp3s.nashownotes.com/pc20rss.xml/") == feed_guid(
        "mp3s.nashownotes.com/pc20rss.xml"
    )


def test_episode_guid_depends_only_on_show_guid_and_number():
    namespace = show_namespace("2d5e5f8a-8c7e-5a4b-9f51-3f1f6f0b7c11", "any title")
    date = datetime(2026, 2, 1, 9, 0)
    first = episode_guid(namespace, identity(34, "full", date))
    assert first == episode_guid(namespace, identity(34, "bonus", datetime(2030, 1, 1)))
    assert first != episode_guid(namespace, identity(35, "full", date))
    assert episode_guid(namespace, identity(None, "trailer", date)) != first


@pytest.mark.parametrize(
    ("value", "expected"), [("ja", True), ("false", False), ("clean", False), (True, True)]
)
def test_explicit_values(value, expected):
    assert parse_bool("explicit", value) is expected


def test_invalid_values_raise_field_errors():
    with pytest.raises(FieldError, match="explicit = 'vielleicht'"):
        parse_bool("explicit", "vielleicht")
    with pytest.raises(FieldError):
        parse_soundbites("kaputt")
    guests = parse_guests("Anna Beispiel <https://anna.example/>; Ben")
    assert [(g.name, g.href) for g in guests] == [
        ("Anna Beispiel", "https://anna.example/"),
        ("Ben", ""),
    ]


def test_feed_channel_flags_and_item_tags():
    from lxml import etree
    from resonanz_podcast.feed import Enclosure, FeedItem, Person, ShowInfo, build_feed

    show = ShowInfo(
        title="Show",
        link="https://x.example/episoden/",
        description="Beschreibung",
        language="de",
        author="Anna",
        owner_name="Anna",
        owner_email="anna@x.example",
        image_url="https://x.example/cover.jpg",
        self_url="https://x.example/feeds/podcast.xml",
        guid="2d5e5f8a-8c7e-5a4b-9f51-3f1f6f0b7c11",
        categories=[("Business", "Marketing"), ("Society & Culture", "")],
        explicit=True,
        show_type="serial",
        complete=True,
        block=True,
        new_feed_url="https://neu.example/feed.xml",
        persons=[Person("Anna", href="https://anna.example/")],
        last_build=datetime(2026, 1, 1, 10, 0).astimezone(),
    )
    item = FeedItem(
        guid="g-1",
        title="Folge",
        link="https://x.example/episoden/1/",
        pub_date=datetime(2026, 1, 1, 10, 0).astimezone(),
        description="kurz",
        content_html="<p>lang</p>",
        enclosure=Enclosure("https://x.example/1.mp3", 1234, "audio/mpeg"),
        duration=61.6,
        explicit=True,
        number=1,
        episode_type="bonus",
    )
    root = etree.fromstring(build_feed(show, [item]))
    ns = {
        "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
        "podcast": "https://podcastindex.org/namespace/1.0",
    }
    channel = root.find("channel")
    assert channel.xpath("string(itunes:explicit)", namespaces=ns) == "true"
    assert len(channel.xpath("itunes:explicit", namespaces=ns)) == 1
    assert channel.xpath("string(itunes:type)", namespaces=ns) == "serial"
    assert channel.xpath("string(itunes:complete)", namespaces=ns) == "yes"
    assert channel.xpath("string(itunes:block)", namespaces=ns) == "yes"
    assert channel.xpath("string(itunes:new-feed-url)", namespaces=ns) == (
        "https://neu.example/feed.xml"
    )
    assert channel.xpath("itunes:category/@text", namespaces=ns) == [
        "Business",
        "Society & Culture",
    ]
    assert channel.xpath("string(podcast:person[@role='host']/@href)", namespaces=ns)
    assert channel.findtext("link") == "https://x.example/episoden/"
    entry = channel.find("item")
    assert entry.xpath("string(itunes:duration)", namespaces=ns) == "62"
    assert entry.xpath("string(itunes:episodeType)", namespaces=ns) == "bonus"
    assert entry.xpath("string(itunes:explicit)", namespaces=ns) == "true"
    assert entry.find("enclosure").get("length") == "1234"
    # Same input, same bytes.
    assert build_feed(show, [item]) == build_feed(show, [item])


def test_mp4_chpl_chapters_are_read_from_the_file():
    path = Path(__file__).parent / "fixtures" / "audio" / "chapters-chpl.m4a"
    assert b"chpl" in path.read_bytes()  # the Nero chapter atom, as ffmpeg writes it
    facts = read_audio_facts(path)
    assert facts.mime_type in ("audio/mp4", "audio/x-m4a")
    assert [(c.start, c.title) for c in facts.chapters] == [
        (0.0, "Begrüßung"),
        (2.0, "Zweites Kapitel"),
    ]
    assert abs(facts.duration - 4.0) < 0.5
