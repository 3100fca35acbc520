"""Bad input: clear errors naming file, field and value; the rest builds; content unchanged."""

from __future__ import annotations

from conftest import build_site, tree_digest
from resonanz_core.problems import StrictModeError

GOOD = "Title: Gut\nDate: 2026-01-01 10:00\nCategory: Test\n\nHallo [Link]({filename}fehlt.md).\n"
BAD_DATE = "Title: Schlecht\nDate: 2026-13-45 99:00\nCategory: Test\n\nText.\n"
UNKNOWN = (
    "---\ntitle: Tippfehler\ndate: 2026-01-03\ncategroy: Test\ncomments: vielleicht\n---\nText.\n"
)
OTHER = "Title: Andere\nDate: 2026-01-04 08:00\nCategory: Test\n\nAuch da.\n"


def write_site(content):
    (content / "posts" / "gut.md").write_text(GOOD, encoding="utf-8")
    (content / "posts" / "kaputtes-datum.md").write_text(BAD_DATE, encoding="utf-8")
    (content / "posts" / "tippfehler.md").write_text(UNKNOWN, encoding="utf-8")
    (content / "posts" / "andere.md").write_text(OTHER, encoding="utf-8")


def test_broken_metadata_is_reported_and_the_rest_builds(tiny_content, tmp_path):
    write_site(tiny_content)
    before = tree_digest(tiny_content)
    result = build_site(tiny_content, tmp_path / "out")
    assert result.error is None
    text = "\n".join(result.problems)
    assert "posts/kaputtes-datum.md" in text and "date = '2026-13-45 99:00'" in text
    assert (
        "posts/tippfehler.md: categroy = 'Test': unknown field (typo? did you mean 'category'?)"
        in text
    )
    assert (
        "posts/tippfehler.md: comments = 'vielleicht': expected one of open, closed, hidden" in text
    )
    assert "posts/gut.md: link {filename}fehlt.md: no such file in content/" in text
    # the other pages were written
    assert (result.output / "2026" / "01" / "gut" / "index.html").is_file()
    assert (result.output / "2026" / "01" / "andere" / "index.html").is_file()
    assert (result.output / "index.html").is_file()
    assert not list(result.output.glob("**/schlecht/index.html"))
    assert tree_digest(tiny_content) == before


def test_strict_mode_fails_listing_every_problem(tiny_content, tmp_path):
    write_site(tiny_content)
    before = tree_digest(tiny_content)
    result = build_site(tiny_content, tmp_path / "out", RESONANZ_STRICT=True)
    assert isinstance(result.error, StrictModeError)
    message = str(result.error)
    assert "Strict mode: 5 problem(s)" in message
    for needle in ("kaputtes-datum.md", "categroy", "vielleicht", "fehlt.md"):
        assert needle in message
    assert tree_digest(tiny_content) == before


def test_strict_mode_passes_a_clean_site(tiny_content, tmp_path):
    (tiny_content / "posts" / "andere.md").write_text(OTHER, encoding="utf-8")
    result = build_site(tiny_content, tmp_path / "out", RESONANZ_STRICT=True)
    assert result.error is None and result.problems == []


def test_output_inside_content_is_refused(tiny_content):
    (tiny_content / "posts" / "andere.md").write_text(OTHER, encoding="utf-8")
    before = tree_digest(tiny_content)
    result = build_site(tiny_content, tiny_content / "output")
    assert result.error is not None and "must not be inside" in str(result.error)
    assert tree_digest(tiny_content) == before


def test_a_missing_static_image_is_one_problem(tiny_content, tmp_path):
    (tiny_content / "posts" / "bild.md").write_text(
        "Title: Bild\nDate: 2026-01-05 10:00\nCategory: Test\n\n"
        "![Fehlt]({static}/images/fehlt-auch.png)\n", encoding="utf-8")
    result = build_site(tiny_content, tmp_path / "out")
    assert result.error is None
    about_it = [p for p in result.problems if "fehlt-auch.png" in p]
    assert about_it == [
        "WARNING: resonanz_core: posts/bild.md: link {static}/images/fehlt-auch.png: "
        "no such file in content/"
    ], about_it
