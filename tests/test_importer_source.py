"""Reading exports from the wild: encodings, XML repairs, slugs, basenames, redirect keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from resonanz.importer.model import ImportInputError
from resonanz.importer.movabletype import dirify
from resonanz.importer.redirects import old_path
from resonanz.importer.slugs import entry_slug
from resonanz.importer.source import decode, parse_xml
from resonanz.importer.wordpress import linkback_parts

HERE = Path("export.xml")


def mojibake(text: str) -> bytes:
    """UTF-8 text once read as Windows-1252 (Latin-1 where it has no character) and saved."""
    out = []
    for byte in text.encode("utf-8"):
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out).encode("utf-8")


def test_mixed_utf8_and_windows_1252_is_read_and_reported():
    data = "„Köln“ ".encode() + b"K\xf6ln \x93Zitat\x94 " + mojibake("Anna’s „Blog“")
    notes: list[str] = []
    assert decode(HERE, data, "utf-8", "declared", notes) == "„Köln“ Köln “Zitat” Anna’s „Blog“"
    assert notes[0].startswith("encoding: 3 bytes not valid UTF-8 (declared), first at line 1,")
    assert "repaired in 1 line" in notes[1]


def test_windows_1252_given_reads_utf8_too():
    # the case: --encoding windows-1252 on a UTF-8 file with 0x9d in every ”
    data = "„Zitat” aus Köln".encode()
    assert decode(HERE, data, "windows-1252", "given", []) == "„Zitat” aus Köln"


def test_clean_utf8_is_left_alone():
    notes: list[str] = []
    text = "Grüße – „ok“, Ελληνικά, 東京, naïve café"
    assert decode(HERE, text.encode(), "utf-8", "declared", notes) == text
    assert notes == []


@pytest.mark.parametrize(
    ("encoding", "message"),
    [("klingonisch", "unknown encoding; leave out --encoding"),
     ("ascii", "byte c3 is not valid ascii (given); leave out --encoding")],
)
def test_encoding_errors_name_a_step_that_works(encoding, message):
    with pytest.raises(ImportInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        decode(HERE, "Köln".encode(), encoding, "given", [])


def test_undeclared_prefixes_are_declared_and_reported():
    text = ('<rss xmlns:wp="http://wordpress.org/export/1.0/"><channel>'
            "<wp:wxr_version>1.0</wp:wxr_version><item><excerpt:encoded>kurz</excerpt:encoded>"
            "<foo:bar>x</foo:bar></item></channel></rss>")
    notes: list[str] = []
    root = parse_xml(HERE, text, notes)
    excerpt = root.find("channel/item/{http://wordpress.org/export/1.0/excerpt/}encoded")
    assert excerpt is not None and excerpt.text == "kurz"
    assert notes == [
        "XML: prefix excerpt: was not declared; read with their usual namespaces, "
        "as forgiving readers do",
        "XML: prefix foo: was not declared; unknown, their elements were read by name",
    ]


def test_entities_and_control_characters():
    notes: list[str] = []
    root = parse_xml(HERE, "<a><t>Caf&eacute;&nbsp;\x0bx &amp; y</t></a>", notes)
    assert root.findtext("t") == "Café\u00a0x & y"
    assert len(notes) == 2


def test_broken_markup_in_the_middle_is_read_forgivingly():
    text = ("<rss><channel><item><title>eins</title></item><item><title>Preis < 5</title>"
            "</item><item><title>drei</title></item>\n</channel></rss>")
    notes: list[str] = []
    root = parse_xml(HERE, text, notes)
    assert [i.findtext("title") for i in root.iter("item")][::2] == ["eins", "drei"]
    assert "read with a forgiving XML reader from there on" in notes[0]


@pytest.mark.parametrize("text", ["<rss><channel><item><title>eins</title></item>\n<item><ti",
                                  "<rss><channel><item>\n<title>zw"])
def test_a_truncated_file_is_still_an_error(text):
    with pytest.raises(ImportInputError, match="probably truncated"):
        parse_xml(HERE, text, [])


@pytest.mark.parametrize(
    ("old", "title", "slug"),
    [("%ce%b5%ce%bb%ce%bb%ce%b7%ce%bd%ce%b9%ce%ba%ce%ac", "Ελληνικά", "ελληνικά"),
     ("", "Μέρος 2", "meros-2"),
     ("", "Über uns", "ueber-uns"),
     ("mein_eintrag", "Mein Eintrag", "mein_eintrag"),
     ("hat leerzeichen", "x", "hat-leerzeichen"),
     ("a/b", "x", "a-b"),
     ("", "", "")],
)
def test_entry_slug_keeps_the_old_slug_when_it_is_a_path_segment(old, title, slug):
    assert entry_slug(old, title) == slug


@pytest.mark.parametrize(
    ("title", "basename"),
    [("Grüße aus Köln", "grusse_aus_koln"),
     ("Community-Moderation: Regeln, die tragen", "communitymoderation_regeln_die"),
     ("<b>Fett</b> &amp; mager", "fett_mager"),
     ("Ein sehr langer Titel über Moderation und Regeln", "ein_sehr_langer_titel_uber_mod")],
)
def test_movable_type_basename_from_title(title, basename):
    assert dirify(title) == basename


@pytest.mark.parametrize(
    ("url", "path"),
    [("https://alt.example//greek/2008/%CE%B1/", "/greek/2008/α/"),
     ("https://alt.example/a///b", "/a/b"),
     ("https://alt.example/?p=3", None)],
)
def test_old_path_is_normalised_as_nginx_compares(url, path):
    assert old_path(url) == path


@pytest.mark.parametrize(
    ("author", "blog", "title"),
    [("Ping 3 « Blog", "Blog", "Ping 3"),
     ("Blog » Beitrag", "Blog", "Beitrag"),
     ("Teil 1 - Teil 2 – Blog", "Blog", "Teil 1 - Teil 2"),
     ("Titel :: Blog", "Blog", "Titel")],
)
def test_pingback_title_and_blog_name(author, blog, title):
    assert linkback_parts("pingback", "[…] text […]", author, "https://b.example/")[:2] == (
        blog, title)


def test_utf8_declared_as_latin_1_is_repaired():
    notes: list[str] = []
    data = "Köln „Zitat“ – Straße".encode()
    assert decode(HERE, data, "iso-8859-1", "declared", notes) == "Köln „Zitat“ – Straße"
    assert "repaired in 1 line" in notes[0]
