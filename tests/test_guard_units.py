"""Pure functions of the input guard: encodings, limits, YAML front matter, German dates,
symbolic links."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from resonanz_core.containment import Containment
from resonanz_core.inputs import (
    ContentProblem,
    check_control_characters,
    check_front_matter,
    decode,
    german_dates,
    header_block,
    nesting_depth,
)


@pytest.mark.parametrize(("raw", "expected"), [
    ("Grüße".encode("cp1252"), "looks like Windows-1252"),
    ("„Zitat“ – 5 €".encode("cp1252"), "looks like Windows-1252"),
    (b"\x81\x8d\x8f\x90\x9d", "unknown encoding"),  # not even Windows-1252
])
def test_decode_names_the_encoding(raw, expected):
    with pytest.raises(ContentProblem) as info:
        decode(raw)
    assert info.value.field == "encoding" and expected in info.value.fix
    assert "save the file as UTF-8" in info.value.fix


def test_decode_drops_a_byte_order_mark():
    assert decode("\ufeffTitle: A".encode()) == "Title: A"


@pytest.mark.parametrize(("text", "depth"), [
    ("- a\n    - b\n        - c\n", 2),
    ("> a\n> > b\n> > > c\n", 3),
    ("```\n" + "    " * 50 + "code\n```\n", 0),  # fenced code does not count
    ("\t\t- a\n", 2),
])
def test_nesting_depth(text, depth):
    assert nesting_depth(text) == depth


@pytest.mark.parametrize(("text", "message"), [
    ("Title: ok\ttab\n\nnewline\r\n", None),
    ("Title: Bell\x07\n\nText.\n", "title = 'Bell\\x07': contains the invisible control "
                                     "character U+0007"),
    ("---\ntitle: A\nsummary: nul\x00\n---\nText\n", "summary = 'nul\\x00'"),
    ("Title: A\n\nEins.\nesc\x1b[0m\n", "text = 'U+001B in line 4'"),
    ("Title: A\n\ndel\x7f", "text = 'U+007F in line 3'"),
])
def test_control_characters_name_field_or_line(text, message):
    if message is None:
        check_control_characters(text)
        return
    with pytest.raises(ContentProblem) as info:
        check_control_characters(text)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize(("header", "expected"), [
    ("Date: 01.02.2026", {"date": dt.datetime(2026, 2, 1)}),
    ("date: 1.2.2026 9:30", {"date": dt.datetime(2026, 2, 1, 9, 30)}),
    ("Date: 23.11.2026 09:30\nModified: 24.11.2026", {
        "date": dt.datetime(2026, 11, 23, 9, 30), "modified": dt.datetime(2026, 11, 24)}),
    ("date: '05.06.2026 10:00:30'", {"date": dt.datetime(2026, 6, 5, 10, 0, 30)}),
    ("Date: 2026-02-01 10:00", {}),  # ISO is Pelican's
])
def test_german_dates_are_day_first(header, expected):
    assert german_dates(header) == expected


@pytest.mark.parametrize("value", ["01/02/2026", "1-2-2026", "01.02.26", "3/4/26 10:00"])
def test_ambiguous_dates_are_refused(value):
    with pytest.raises(ContentProblem, match="ambiguous"):
        german_dates(f"Date: {value}")


def test_only_the_header_is_searched_for_dates():
    text = "Title: A\nDate: 2026-01-01\n\nIm Text: date: 01/02/2026\n"
    assert german_dates(header_block(text)) == {}


def test_front_matter_warns_about_duplicates_and_refuses_mappings():
    assert check_front_matter("title: A\ntags: [a, b]\n") == []
    warnings = check_front_matter("title: A\ndate: 2026-01-01\ntitle: B\n")
    assert warnings == ["title = line 4: the field is given twice; the second value wins, "
                        "delete one of them"]
    with pytest.raises(ContentProblem, match="expected text or a list of texts"):
        check_front_matter("title: A\nauthor: {name: Jonas}\n")
    with pytest.raises(ContentProblem, match="expected text or a list of texts"):
        check_front_matter("title: A\ntags:\n  - a\n  - [b]\n")


def test_containment_judges_each_link(tmp_path):
    root, outside = tmp_path / "content", tmp_path / "outside"
    (root / "images/echt").mkdir(parents=True)
    outside.mkdir()
    (outside / "x.png").write_bytes(b"x")
    (root / "images/echt/y.png").write_bytes(b"y")
    os.symlink(outside / "x.png", root / "images/raus.png")
    os.symlink(outside, root / "images/ordner")
    os.symlink("echt", root / "images/innen")
    os.symlink("..", root / "images/kreis")
    os.symlink("weg.png", root / "images/weg.png")
    guard = Containment(str(root))
    assert guard.refusal("images/echt/y.png") is None
    assert guard.refusal("images/innen/y.png") is None  # a link that stays inside is fine
    assert "leaves content/" in guard.refusal("images/raus.png")[3]
    assert guard.refusal("images/ordner/x.png")[0] == "images/ordner"
    assert "loop" in guard.refusal("images/kreis/images/echt/y.png")[3]
    assert "loop" in guard.refusal("images/weg.png")[3]
    assert "leaves content/" in guard.refusal("../outside/x.png")[3]
    os.mkfifo(root / "images/rohr.png")
    assert "not a regular file" in guard.refusal("images/rohr.png")[3]
    assert sorted(guard.unsafe_folders()) == ["images/kreis", "images/ordner", "images/raus.png",
                                              "images/weg.png"]
