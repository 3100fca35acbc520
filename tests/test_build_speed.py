"""Reading and rendering with worker processes, and stopping a build that has nothing to do.

The speed itself is measured by `make bench`, never here; these tests check that the
fast paths write exactly what the plain ones write and report what the plain ones report.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path

import pytest
from conftest import CONTENT, build_site, copy_demo_content, plugins, tree_digest

pytestmark = pytest.mark.fastbuild  # the plugin's own machinery; see test_fastbuild_off.py

NOT_REPRODUCIBLE = "pagefind/"  # Pagefind's index files (upstream), see test_publish.py
SKIPPED = "nothing changed since the last build"
RENDERED = re.compile(r"(\d+) pages and feeds rendered by (\d+) process\(es\) \(([\d + ]+)\)")
READ = re.compile(r"(\d+) source files read by (\d+) process\(es\) \(([\d + ]+)\)")


def comparable(output: Path) -> dict[str, str]:
    return {k: v for k, v in tree_digest(output).items() if not k.startswith(NOT_REPRODUCIBLE)}


def shares(pattern: re.Pattern, text: str) -> list[int]:
    found = pattern.search(text)
    assert found, f"no line like {pattern.pattern!r} in the log"
    return [int(n) for n in found[3].split("+")]


def test_two_processes_write_the_same_site_as_one(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    one = build_site(CONTENT, tmp_path / "one" / "output", RESONANZ_JOBS=1)
    assert one.error is None and one.problems == []
    caplog.clear()
    two = build_site(CONTENT, tmp_path / "two" / "output", RESONANZ_JOBS=2)
    assert two.error is None and two.problems == []
    # both processes did some of the work (otherwise this test would prove nothing)
    rendered = shares(RENDERED, caplog.text)
    read = shares(READ, caplog.text)
    assert len(rendered) == 2 and min(rendered) > 0, rendered
    assert len(read) == 2 and min(read) > 0, read
    assert comparable(one.output) == comparable(two.output)
    sitemap = (two.output / "sitemap.xml").read_text(encoding="utf-8")
    assert sitemap == (one.output / "sitemap.xml").read_text(encoding="utf-8")


def _posts(content: Path, count: int, body) -> None:
    for n in range(count):
        (content / "posts" / f"beitrag-{n:02d}.md").write_text(
            f"Title: Beitrag {n}\nDate: 2026-01-{n % 28 + 1:02d} 10:00\nCategory: Test\n"
            f"Slug: beitrag-{n:02d}\n\n{body(n)}\n",
            encoding="utf-8",
        )


@pytest.mark.parametrize("jobs", [1, 2])
def test_problems_found_while_rendering_reach_strict_mode(tiny_content, tmp_path, jobs,
                                                          monkeypatch):
    # A warning logged while a page is written (here: by a wrapped writer, for each post):
    # with two processes, about half of them are logged in the worker.
    from pelican.writers import Writer

    original = Writer._open_w

    def open_w(self, filename, *args, **kwargs):
        if "/beitrag-" in filename:
            logging.getLogger("test.render").warning("beim Schreiben: %s",
                                                     Path(filename).parent.name)
        return original(self, filename, *args, **kwargs)

    monkeypatch.setattr(Writer, "_open_w", open_w)
    _posts(tiny_content, 24, lambda n: "Text.")
    result = build_site(tiny_content, tmp_path / "out", RESONANZ_JOBS=jobs, RESONANZ_STRICT=True)
    assert result.error is not None, "strict mode must fail the build"
    report = str(result.error)
    for n in range(24):
        assert f"beim Schreiben: beitrag-{n:02d}" in report


@pytest.mark.parametrize("jobs", [1, 2])
def test_two_posts_with_one_output_path_are_one_error(tiny_content, tmp_path, jobs):
    # same month, same slug: the same output path; the second post is left out with one
    # line naming both files (issue 24: this used to stop the build)
    _posts(tiny_content, 20, lambda n: "Text.")
    for n in (3, 17):
        path = tiny_content / "posts" / f"beitrag-{n:02d}.md"
        text = path.read_text(encoding="utf-8")
        text = text.replace(f"Slug: beitrag-{n:02d}", "Slug: doppelt")
        text = re.sub(r"Date: 2026-01-\d\d", "Date: 2026-01-10", text)
        path.write_text(text, encoding="utf-8")
    result = build_site(tiny_content, tmp_path / "out", RESONANZ_JOBS=jobs)
    assert result.error is None
    lines = [p for p in result.problems if "doppelt/index.html" in p]
    assert len(lines) == 1 and "beitrag-03.md" in lines[0] and "beitrag-17.md" in lines[0]
    assert (tmp_path / "out/2026/01/doppelt/index.html").is_file()
    assert (tmp_path / "out/index.html").is_file()


def _mtimes(output: Path) -> dict[str, int]:
    return {str(p.relative_to(output)): p.stat().st_mtime_ns for p in output.rglob("*")
            if p.is_file()}


@pytest.fixture
def demo_copy(tmp_path) -> Path:
    return copy_demo_content(tmp_path / "content")


def test_a_build_with_nothing_changed_stops_and_leaves_the_output_alone(demo_copy, tmp_path,
                                                                          caplog):
    caplog.set_level(logging.INFO)
    output = tmp_path / "output"
    first = build_site(demo_copy, output)
    assert first.error is None and first.problems == []
    assert SKIPPED not in caplog.text
    before = _mtimes(output)
    caplog.clear()
    second = build_site(demo_copy, output)
    assert second.error is None
    assert SKIPPED in caplog.text
    assert "rendered by" not in caplog.text  # nothing rendered at all
    assert _mtimes(output) == before


@pytest.mark.parametrize("change", ["edit a post", "add a file", "remove an output file",
                                    "touch an output file", "other settings", "turned off"])
def test_any_change_means_a_full_build(demo_copy, tmp_path, caplog, change):
    caplog.set_level(logging.INFO)
    output = tmp_path / "output"
    assert build_site(demo_copy, output).error is None
    overrides = {}
    post = next((demo_copy / "posts").rglob("*.md"))
    page = next(output.rglob("index.html"))
    if change == "edit a post":
        post.write_text(post.read_text(encoding="utf-8") + "\nEin Nachtrag zum Test.\n",
                        encoding="utf-8")
    elif change == "add a file":
        (demo_copy / "images" / "neu.txt").write_text("neu", encoding="utf-8")
    elif change == "remove an output file":
        page.unlink()
    elif change == "touch an output file":
        os.utime(page, ns=(page.stat().st_atime_ns, page.stat().st_mtime_ns + 10**9))
    elif change == "other settings":
        overrides["SITENAME"] = "Resonanz (geändert)"
    else:
        overrides["RESONANZ_SKIP_UNCHANGED"] = False
    caplog.clear()
    again = build_site(demo_copy, output, **overrides)
    assert again.error is None
    assert SKIPPED not in caplog.text, change
    assert "rendered by" in caplog.text
    if change == "edit a post":
        assert "Ein Nachtrag zum Test." in "".join(
            p.read_text(encoding="utf-8") for p in output.rglob("index.html"))
    if change == "remove an output file":
        assert page.is_file()
    if change == "other settings":
        assert "Resonanz (geändert)" in (output / "index.html").read_text(encoding="utf-8")


def test_a_build_with_problems_is_never_skipped(tiny_content, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    (tiny_content / "posts" / "kaputt.md").write_text(
        "Title: Kaputt\nDate: 2026-01-01\nComments: vielleicht\n\nText.\n", encoding="utf-8")
    output = tmp_path / "out"
    first = build_site(tiny_content, output)
    assert any("vielleicht" in p for p in first.problems)
    caplog.clear()
    second = build_site(tiny_content, output)
    assert SKIPPED not in caplog.text
    assert any("vielleicht" in p for p in second.problems), "the problem must show again"


def _line_breaks(page: Path) -> int:
    from lxml import html

    paragraph = html.fromstring(page.read_bytes()).xpath("//p[contains(., 'Zeile eins')]")[0]
    return len(paragraph.findall("br"))


def test_the_content_cache_is_not_used_after_the_settings_changed(tiny_content, tmp_path):
    # Pelican's cache keeps each file's HTML; with other Markdown settings that HTML is
    # stale, and Pelican would serve it anyway.
    (tiny_content / "posts" / "zeilen.md").write_text(
        "Title: Zeilen\nDate: 2026-01-01 10:00\nSlug: zeilen\n\nZeile eins\nZeile zwei\n",
        encoding="utf-8")
    output = tmp_path / "out"
    first = build_site(tiny_content, output)
    page = next(output.rglob("zeilen/index.html"))
    assert _line_breaks(page) == 0
    markdown = dict(first.settings["MARKDOWN"])
    markdown["extension_configs"] = {**markdown["extension_configs"],
                                     "markdown.extensions.nl2br": {}}
    second = build_site(tiny_content, output, MARKDOWN=markdown)
    assert second.error is None
    assert _line_breaks(page) == 1


def test_pages_that_override_listings_and_feed_links_match_one_process(tiny_content, tmp_path):
    # Pages with Save_as over listing pages are written at once and the listings they
    # replace are skipped (os.devnull); summaries with links go into the feeds, where
    # Pelican resolves them against the SITEURL of the write before.
    (tiny_content / "pages" / "ueber.md").write_text(
        "Title: Über uns\nSlug: ueber\n\nWir.\n", encoding="utf-8")
    for n, target in enumerate(["archiv/index.html", "kategorie/index.html",
                                "autor/index.html", "schlagwort/index.html",
                                "fallstudien/index.html"]):
        (tiny_content / "pages" / f"ersatz-{n}.md").write_text(
            f"Title: Ersatz {n}\nSlug: ersatz-{n}\nSave_as: {target}\n\nErsatzseite {n}.\n",
            encoding="utf-8")
    _posts(tiny_content, 30, lambda n: f"Mehr [über uns]({{filename}}/pages/ueber.md), Teil {n}.")
    for n in range(30):
        path = tiny_content / "posts" / f"beitrag-{n:02d}.md"
        # half with a summary of their own, half summarised from the text (with its link)
        summary = f"Summary: Siehe [uns]({{filename}}/pages/ueber.md) ({n}).\n" if n % 2 else ""
        path.write_text(path.read_text(encoding="utf-8").replace(
            "\n\n", f"\n{summary}Tags: Thema {n % 4}\n\n", 1), encoding="utf-8")
    one = build_site(tiny_content, tmp_path / "one", RESONANZ_JOBS=1)
    two = build_site(tiny_content, tmp_path / "two", RESONANZ_JOBS=2)
    plain = build_site(tiny_content, tmp_path / "plain", PLUGINS=plugins(False))
    assert one.error is None and two.error is None, (one.error, two.error)
    assert plain.error is None
    assert comparable(one.output) == comparable(two.output) == comparable(plain.output)
    feed = (two.output / "feeds" / "alle.atom.xml").read_text(encoding="utf-8")
    assert "https://resonanz.example/ueber/" in feed and "../ueber/" not in feed
    assert "Ersatzseite 1." in (two.output / "kategorie" / "index.html").read_text(
        encoding="utf-8")


def test_a_build_is_not_skipped_past_a_moment_its_output_changes(tiny_content, tmp_path,
                                                                   caplog, monkeypatch):
    import datetime as dt
    import json

    from resonanz_fastbuild import uptodate

    caplog.set_level(logging.INFO)
    _posts(tiny_content, 2, lambda n: "Text.")
    output = tmp_path / "out"
    recent = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    (tiny_content / "posts" / "neu.md").write_text(
        f"Title: Neu\nDate: {recent}\nSlug: neu\n\nText.\n", encoding="utf-8")
    assert build_site(tiny_content, output, RESPONSES_CLOSE_AFTER_DAYS=5).error is None
    state = json.loads((tmp_path / "out-cache" / "pelican" / uptodate.STATE_NAME).read_text())
    closes = dt.datetime.fromisoformat(state["valid_until"])
    assert dt.timedelta(days=1) < closes - dt.datetime.now(dt.UTC) < dt.timedelta(days=3)
    caplog.clear()
    build_site(tiny_content, output, RESPONSES_CLOSE_AFTER_DAYS=5)
    assert SKIPPED in caplog.text
    # three days later the comments on "Neu" have closed: the build must run
    state["valid_until"] = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)).isoformat()
    (tmp_path / "out-cache" / "pelican" / uptodate.STATE_NAME).write_text(json.dumps(state))
    caplog.clear()
    build_site(tiny_content, output, RESPONSES_CLOSE_AFTER_DAYS=5)
    assert SKIPPED not in caplog.text


def test_a_warning_from_reading_shows_in_every_build_until_fixed(tiny_content, tmp_path,
                                                                  caplog):
    # Pelican's reader warns about a field given twice while it reads the file; a file
    # served from the content cache is not read again, so the cache is not used after a
    # build with problems, and such a build is never skipped.
    _posts(tiny_content, 3, lambda n: "Text.")
    (tiny_content / "posts" / "doppelt.md").write_text(
        "Title: Doppelt\nDate: 2026-02-01 10:00\nCategory: Eins\nCategory: Zwei\n\nText.\n",
        encoding="utf-8")
    output = tmp_path / "out"
    for _ in range(3):
        result = build_site(tiny_content, output)
        assert result.error is None
        assert any("doppelt.md" in p or "Category" in p or "category" in p
                   for p in result.problems), result.problems


def test_an_episode_on_the_path_of_a_page_is_reported(tiny_content, tmp_path):
    import shutil

    from conftest import CONTENT

    source = next((CONTENT / "episodes").glob("*.mp3"))
    shutil.copy(source, tiny_content / "episodes" / "001-kollision.mp3")
    (tiny_content / "episodes" / "001-kollision.md").write_text(
        "Title: Kollision\nDate: 2026-01-05 10:00\nNumber: 1\nSlug: kollision\n\nNotizen.\n",
        encoding="utf-8")
    (tiny_content / "pages" / "seite.md").write_text(
        "Title: Seite\nSlug: seite\nSave_as: episoden/kollision/index.html\n\nSeite.\n",
        encoding="utf-8")
    result = build_site(tiny_content, tmp_path / "out")
    assert result.error is None
    assert any("save_as" in p and "episoden/kollision/index.html" in p and "seite.md" in p
               and "001-kollision.md" in p
               for p in result.problems), result.problems


@pytest.mark.parametrize("jobs", [1, 2])
def test_only_the_show_notes_an_episode_uses_are_read(tiny_content, tmp_path, jobs):
    import shutil

    from conftest import CONTENT

    source = next((CONTENT / "episodes").glob("*.mp3"))
    for n in range(1, 12):
        shutil.copy(source, tiny_content / "episodes" / f"{n:03d}-folge.mp3")
        (tiny_content / "episodes" / f"{n:03d}-folge.md").write_text(
            f"Title: Folge {n}\nDate: 2026-01-{n:02d} 10:00\nNumber: {n}\n\nNotizen.\n",
            encoding="utf-8")
    # an old copy of the notes next to them, which the episode does not use
    (tiny_content / "episodes" / "001-folge.old.md").write_text(
        "Title: Alt\nDate: kein Datum\n\nAlt.\n", encoding="utf-8")
    result = build_site(tiny_content, tmp_path / "out", RESONANZ_JOBS=jobs)
    assert result.error is None
    assert not any("old.md" in p for p in result.problems), result.problems


def test_installed_packages_digest_sees_an_install_and_a_reinstall(tmp_path, monkeypatch):
    from resonanz_fastbuild.uptodate import packages_digest

    monkeypatch.syspath_prepend(str(tmp_path))
    before = packages_digest()
    assert packages_digest() == before
    meta = tmp_path / "beispiel-1.0.dist-info"
    meta.mkdir()
    installed = packages_digest()
    assert installed != before
    meta.rename(tmp_path / "beispiel-1.1.dist-info")  # an upgrade
    upgraded = packages_digest()
    assert upgraded not in (before, installed)
    (tmp_path / "beispiel-1.1.dist-info").rmdir()
    (tmp_path / "beispiel-1.1.dist-info").mkdir()  # the same version installed again
    os.utime(tmp_path / "beispiel-1.1.dist-info", ns=(1, 1))
    assert packages_digest() not in (before, installed, upgraded)


# Files that leave state in a Markdown converter: footnotes, abbreviations, headings
# for the table of contents, reference links, a summary with a "Key: value" line (the
# meta preprocessor must not eat it), HTML blocks; with native and YAML metadata.
REUSE_SOURCES = {
    "a.md": "Title: Erster\nDate: 2026-01-01 10:00\nSummary: Kurz: mit Doppelpunkt\n"
            "    und zweiter Zeile *betont*\nTags: eins, zwei\n\n"
            "# Kopf\n\nText[^1] mit HTML und [Link][ref].\n\n"
            "*[HTML]: Hypertext Markup Language\n\n[^1]: Fußnote eins.\n\n"
            "[ref]: https://example.org/a\n",
    "b.md": "Title: Zweiter\nDate: 2026-01-02 10:00\n\n# Kopf\n\n## Kopf\n\n"
            "Noch eine[^1] Fußnote, HTML ohne Abkürzung, [Link][ref] ohne Ziel.\n\n"
            "[^1]: Fußnote zwei.\n\n<div markdown=\"1\">*im Block*</div>\n",
    "c.md": "---\ntitle: Dritter\ndate: 2026-01-03 10:00\nsummary: |\n  Schlüssel: Wert\n"
            "tags: [drei]\n---\n# Kopf\n\nText[^x].\n\n[^x]: YAML-Fußnote.\n",
    "d.md": "Kein Metadatenblock, nur Text[^1].\n\n[^1]: Ohne Kopf.\n",
    "e.md": "Title: Fünfter\nDate: 2026-01-05 10:00\nSummary: Key: value\n\n"
            "Abbr HTML again, no definition.\n",
    # YAML header, text starting with a "Key: value" line: text, not metadata
    "f.md": "---\ntitle: Sechster\ndate: 2026-01-06 10:00\n---\nHinweis: kein Metadatum\n",
}


@pytest.mark.parametrize(("yaml_reader", "unique_ids"),
                         [(False, False), (True, False), (False, True), (True, True)])
def test_one_markdown_converter_per_reader_reads_like_a_new_one_per_file(tmp_path,
                                                                        yaml_reader,
                                                                        unique_ids):
    import copy

    from pelican.plugins.yaml_metadata.yaml_metadata import YAMLMetadataReader
    from pelican.readers import MarkdownReader
    from pelican.settings import DEFAULT_CONFIG
    from resonanz_fastbuild import markdown_reuse

    import pelicanconf

    markdown = copy.deepcopy(pelicanconf.MARKDOWN)
    if unique_ids:  # footnote ids count the converter's resets: a new one per file
        markdown["extension_configs"]["markdown.extensions.footnotes"] = {"UNIQUE_IDS": True}

    def settings():
        return {**copy.deepcopy(DEFAULT_CONFIG), "MARKDOWN": copy.deepcopy(markdown),
                "PATH": str(tmp_path)}

    plain_class = YAMLMetadataReader if yaml_reader else MarkdownReader
    reused_class = markdown_reuse.reusing(plain_class)
    assert reused_class is not plain_class and issubclass(reused_class, plain_class)
    reused = reused_class(settings())
    for name, text in REUSE_SOURCES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    converters = set()
    # twice round, so every file is read after every other one
    for name in [*REUSE_SOURCES, *REUSE_SOURCES]:
        path = str(tmp_path / name)
        if not yaml_reader and name in ("c.md", "f.md"):
            continue
        if yaml_reader and unique_ids and name == "c.md":
            continue  # footnote ids in YAML files: pelican-yaml-metadata's own converter
        expected = plain_class(settings()).read(path)
        got = reused.read(path)
        assert got == expected, name
        converters.add(id(reused._resonanz_converters or ()))
    if yaml_reader:  # after native files, a YAML file's text is still text
        content, metadata = reused.read(str(tmp_path / "f.md"))
        assert "Hinweis: kein Metadatum" in content and metadata["title"] == "Sechster"
    if unique_ids:
        assert reused._resonanz_converters is None
        return
    assert len(converters) == 1  # the same converters all along
    assert reused._resonanz_converters is not None
    assert reused._md is not None  # left as Pelican's reader leaves it
    # the summary kept its "Key: value" line as text
    content, metadata = reused.read(str(tmp_path / "e.md"))
    assert "Key: value" in metadata["summary"]


def test_a_build_makes_markdown_converters_per_reader_not_per_file(tiny_content, tmp_path,
                                                                    monkeypatch):
    import sys

    import markdown

    made_in = []
    original = markdown.Markdown.__init__

    def counting(self, *args, **kwargs):
        made_in.append(sys._getframe(1).f_code.co_name)  # the function that made it
        original(self, *args, **kwargs)

    monkeypatch.setattr(markdown.Markdown, "__init__", counting)
    for n in range(30):
        (tiny_content / "posts" / f"p{n}.md").write_text(
            f"Title: Beitrag {n}\nDate: 2026-01-{n + 1:02d} 10:00\nCategory: Test\n"
            f"Summary: Kurz {n}\n\nText {n}.\n", encoding="utf-8")
    result = build_site(tiny_content, tmp_path / "output", RESONANZ_JOBS=1)
    assert result.error is None and result.problems == []
    assert len(list((tmp_path / "output").glob("**/beitrag-*/index.html"))) == 30
    # Pelican's MarkdownReader.read makes one per file; ours two per reader, once
    assert "read" not in made_in
    assert made_in.count("_converters") == 2


@pytest.mark.parametrize("jobs", [1, 2])
def test_each_source_file_is_hashed_once_per_cache_ask_and_store(tiny_content, tmp_path,
                                                                 monkeypatch, jobs):
    # Pelican hashes a file (CHECK_MODIFIED_METHOD md5) when it asks the reader cache and
    # when it stores, and again for the generator's own cache, which is off at the
    # reader layer; with workers the stamp taken while checking serves the store.
    from pelican.cache import FileStampDataCacher

    hashed = []
    original = FileStampDataCacher._get_file_stamp

    def counting(self, filename):
        hashed.append(os.path.basename(filename))
        return original(self, filename)

    monkeypatch.setattr(FileStampDataCacher, "_get_file_stamp", counting)
    count = 40
    for n in range(count):
        (tiny_content / "posts" / f"p{n}.md").write_text(
            f"Title: Beitrag {n}\nDate: 2026-01-01 10:{n:02d}\nCategory: Test\n\nText.\n",
            encoding="utf-8")
    result = build_site(tiny_content, tmp_path / "output", RESONANZ_JOBS=jobs,
                        CHECK_MODIFIED_METHOD="md5")
    assert result.error is None and result.problems == []
    posts = [name for name in hashed if name.startswith("p")]
    assert len(set(posts)) == count
    assert len(posts) == (2 if jobs == 1 else 1) * count
    # and the caches still work: a second build converts no post again
    from resonanz_fastbuild import markdown_reuse

    converted = []
    convert = markdown_reuse.ReusingMarkdownReader.read
    monkeypatch.setattr(markdown_reuse.ReusingMarkdownReader, "read",
                        lambda self, path: converted.append(path) or convert(self, path))
    again = build_site(tiny_content, tmp_path / "output", RESONANZ_JOBS=jobs,
                       CHECK_MODIFIED_METHOD="md5", RESONANZ_SKIP_UNCHANGED=False)
    assert again.error is None and again.problems == []
    assert converted == []  # every file came from the cache: nothing left to prefetch
    assert len(list((tmp_path / "output").glob("2026/01/beitrag-*/index.html"))) == count


@pytest.mark.parametrize(("jobs", "summary_only"), [(1, False), (1, True), (2, False)])
def test_feed_entries_made_once_write_the_same_feeds(tmp_path, monkeypatch, jobs,
                                                     summary_only):
    # The demo with episodes in the all-posts feeds (the podcast plugin adds entries
    # there), with full-content and summary-only RSS: every feed must be the same bytes
    # with entries shared between feeds and without. (With 2 processes only the build
    # process's share of entries is counted; the bytes are compared all the same.)
    import io

    from resonanz_fastbuild import feeds

    overrides = {"RESONANZ_JOBS": jobs, "PODCAST_IN_READER_FEEDS": True,
                 "RSS_FEED_SUMMARY_ONLY": summary_only}
    made = []
    original_init = io.StringIO.__init__

    class Counting(io.StringIO):
        def __init__(self, *args, **kwargs):
            made.append(1)
            original_init(self, *args, **kwargs)

    monkeypatch.setattr(feeds.io, "StringIO", Counting)
    shared = build_site(CONTENT, tmp_path / "shared" / "output", PLUGINS=plugins(True),
                        **overrides)
    assert shared.error is None and shared.problems == []
    plain = build_site(CONTENT, tmp_path / "plain" / "output", PLUGINS=plugins(False),
                       **overrides)
    assert plain.error is None and plain.problems == []

    def feed_files(output: Path) -> dict[str, bytes]:
        return {str(p.relative_to(output)): p.read_bytes()
                for p in output.rglob("*.xml") if "feeds" in p.parts}

    one, other = feed_files(tmp_path / "shared" / "output"), feed_files(
        tmp_path / "plain" / "output")
    assert len(one) > 20 and one == other
    entries = sum(data.count(b"<entry>") + data.count(b"<item>") for data in one.values())
    # each post's entry was made once per kind and process, not once per feed
    assert 0 < len(made) < entries / 2
    assert any(b"<enclosure" in data for data in one.values())  # the episodes are in


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_reading_worker_compiles_the_theme(tiny_content, tmp_path, monkeypatch, jobs):
    # With workers, the first reading worker compiles the theme's templates while the
    # build process reads; the build process then loads them from the shared bytecode.
    import jinja2

    main = os.getpid()
    compiled = []
    original = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, *args, **kwargs):
        if os.getpid() == main and filename and "/theme/templates/" in filename:
            compiled.append(name)
        return original(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    from resonanz_fastbuild import templates

    monkeypatch.setattr(templates.BYTECODE, "store", {})  # as in a new build process
    for n in range(12):
        (tiny_content / "posts" / f"p{n}.md").write_text(
            f"Title: Beitrag {n}\nDate: 2026-01-{n + 1:02d} 10:00\nCategory: Test\n\nText.\n",
            encoding="utf-8")
    result = build_site(tiny_content, tmp_path / "output", RESONANZ_JOBS=jobs)
    assert result.error is None and result.problems == []
    assert (tmp_path / "output" / "index.html").is_file()
    if jobs == 1:
        assert len(compiled) > 15  # every template the site uses, here
    else:
        assert compiled == []


def test_compiled_templates_are_kept_for_the_next_build_and_an_edit_replaces_them(tmp_path):
    """templates.SharedBytecode in the cache folder: the next process compiles nothing it
    has; a template edited since compiles again once, and its new bytecode is kept (its
    key stays the same)."""
    import jinja2
    from resonanz_fastbuild.templates import SharedBytecode

    folder, cache = tmp_path / "templates", tmp_path / "cache"
    folder.mkdir()
    (folder / "seite.html").write_text("<p>{{ titel }}</p>", encoding="utf-8")

    def process() -> tuple[SharedBytecode, list[str], str]:
        """A new build process: its store from the cache folder, a template rendered."""
        store = SharedBytecode()
        store.load_from(cache)
        compiled = []

        class Counting(jinja2.Environment):
            def compile(self, source, name=None, filename=None, *args, **kwargs):
                compiled.append(name)
                return super().compile(source, name, filename, *args, **kwargs)

        env = Counting(loader=jinja2.FileSystemLoader(folder), bytecode_cache=store)
        html = env.get_template("seite.html").render(titel="Zuhören")
        store.save_to(cache)
        return store, compiled, html

    assert process()[1:] == (["seite.html"], "<p>Zuhören</p>")
    assert process()[1:] == ([], "<p>Zuhören</p>")  # from the cache folder
    (folder / "seite.html").write_text("<h1>{{ titel }}</h1>", encoding="utf-8")
    assert process()[1:] == (["seite.html"], "<h1>Zuhören</h1>")
    assert process()[1:] == ([], "<h1>Zuhören</h1>")  # the new bytecode was kept


def test_remembered_dates_are_formatted_as_pelican_formats_them(monkeypatch):
    """Pelican's strftime, remembered: equal moments in other zones, other formats and
    another time locale are not mixed up."""
    import locale
    from datetime import timedelta, timezone
    from zoneinfo import ZoneInfo

    from pelican.utils import SafeDatetime
    from resonanz_fastbuild import compat, speedups

    berlin, utc = ZoneInfo("Europe/Berlin"), ZoneInfo("UTC")
    dates = [SafeDatetime(2026, 3, 29, 1, 30, tzinfo=utc),
             SafeDatetime(2026, 3, 29, 3, 30, tzinfo=berlin),  # the same moment
             SafeDatetime(2026, 10, 25, 2, 30, tzinfo=berlin, fold=1),
             SafeDatetime(2026, 10, 25, 2, 30, tzinfo=berlin),
             SafeDatetime(2026, 1, 5, 9, 0),
             # fixed offsets compare by offset alone; %Z shows their names
             SafeDatetime(2026, 1, 5, 10, 0, tzinfo=timezone(timedelta(hours=1), "CET")),
             SafeDatetime(2026, 1, 5, 10, 0, tzinfo=timezone(timedelta(hours=1)))]
    formats = ["%Y/%m", "%-d. %B %Y %H:%M %Z", "%a, %d %b %Y %H:%M:%S %z"]
    speedups._DATES.clear()
    for _ in range(2):  # the second round answers from what the first remembered
        for date in dates:
            for fmt in formats:
                assert speedups.remembered_strftime(date, fmt) == compat.plain_strftime(date, fmt)
    assert speedups.remembered_strftime(dates[0], "%H") != \
        speedups.remembered_strftime(dates[1], "%H")
    assert speedups.remembered_strftime(dates[5], "%Z") == "CET"
    assert speedups.remembered_strftime(dates[6], "%Z") == "UTC+01:00"
    # the time locale is part of what is remembered (a language's DATE_FORMATS sets one)
    before = locale.setlocale(locale.LC_TIME)
    seen = {}
    try:
        for name in ("C", "C.UTF-8", "de_DE.UTF-8", "en_US.UTF-8"):
            try:
                locale.setlocale(locale.LC_TIME, name)
            except locale.Error:
                continue
            seen[name] = speedups.remembered_strftime(dates[4], "%A %B")
            assert seen[name] == compat.plain_strftime(dates[4], "%A %B")
    finally:
        locale.setlocale(locale.LC_TIME, before)
    assert seen


def test_members_answer_like_the_list_they_hold():
    from resonanz_fastbuild.compat import Members

    class Post:  # compares by identity, as Pelican's content does
        pass

    posts = [Post() for _ in range(5)]
    members = Members(posts[:3])
    assert [post in members for post in posts] == [True, True, True, False, False]
    members.append(posts[4])  # the set follows the list
    assert posts[4] in members and posts[3] not in members
    assert members == posts[:3] + [posts[4]] and list(members[1:]) == [posts[1], posts[2],
                                                                      posts[4]]
    import pickle

    plain = pickle.loads(pickle.dumps(Members(["a", "b"])))
    assert type(plain) is list and plain == ["a", "b"]


def test_only_a_command_line_build_freezes_its_objects(monkeypatch):
    """gc.freeze() at the end: only where the process ends with the build."""
    import sys
    import types

    from resonanz_fastbuild import textpath, uptodate

    class Instance:
        pass

    def main_module(spec_name=None, file=None):
        module = types.ModuleType("__main__")
        module.__spec__ = types.SimpleNamespace(name=spec_name) if spec_name else None
        if file:
            module.__file__ = file
        return module

    cases = [
        (main_module("pelican.__main__"), ["pelican", "content", "-s", "p.py"], True),
        (main_module(file="/x/.venv/bin/pelican"), ["pelican", "content"], True),
        (main_module(file="/x/.venv/bin/pelican"), ["pelican", "-r", "content"], False),
        (main_module(file="/x/.venv/bin/pelican"), ["pelican", "-l", "content"], False),
        (main_module("pytest.__main__"), ["pytest"], False),
        (main_module(file="/x/script.py"), ["script.py"], False),
    ]
    for module, argv, expected in cases:
        monkeypatch.setitem(sys.modules, "__main__", module)
        monkeypatch.setattr(sys, "argv", argv)
        assert uptodate._command_line_build(Instance()) is expected, argv
    resident = Instance()
    setattr(resident, textpath.RESIDENT, True)  # the dev server
    monkeypatch.setitem(sys.modules, "__main__", cases[0][0])
    monkeypatch.setattr(sys, "argv", cases[0][1])
    assert uptodate._command_line_build(resident) is False


def test_a_single_page_writes_context_is_the_one_pelican_renders_it_with(tmp_path):
    """The writer leaves a page the record replays without Pelican's write steps, and
    sends its signal with compat.single_page_context: the context Pelican's writer would
    have rendered the page with (relative URLs, the write's own values); a write of
    several pages (a listing's pagination) is not one."""
    from pelican.settings import read_settings
    from pelican.writers import Writer
    from resonanz_fastbuild import compat

    class Template:
        name = "article.html"

        def __init__(self):
            self.seen = []

        def render(self, context):
            self.seen.append(dict(context))
            return "x"

    settings = read_settings(None, override={
        "OUTPUT_PATH": str(tmp_path), "DEFAULT_PAGINATION": 2,
        "PAGINATED_TEMPLATES": {"index": None, "tag": None}})
    context = {"SITEURL": "https://example.org", "SITENAME": "Resonanz", "localsiteurl": None}
    posts = ["a", "b", "c"]
    cases = [
        (("a/b/post.txt", context), {"article": "A", "category": "C"}),
        (("a/b/post2.txt", context, True), {"article": "A"}),  # relative URLs
        (("post3.txt", context), {"relative_urls": True, "template_name": "article",
                                  "url": "post3/", "extra": 1}),
        # "articles" with a template that is not paginated: one page
        (("list.txt", context), {"articles": posts, "template_name": "archives"}),
        (("list2.txt", context, False, {"articles": posts}, "tags"), {}),
    ]
    for number, (args, kwargs) in enumerate(cases):
        template = Template()
        writer = Writer(str(tmp_path), settings=settings)
        writer.write_file(args[0], template, *args[1:], **kwargs)
        assert len(template.seen) == 1, number
        mine = compat.single_page_context((args[0], template, *args[1:]), kwargs, settings)
        assert mine == template.seen[0], number
        assert mine is not context
    paginated = [
        (("index.txt", context), {"articles": posts, "template_name": "index",
                                  "url": "index/"}),
        (("tag.txt", context, False, {"articles": posts}, "tag"), {"url": "tag/"}),
    ]
    for args, kwargs in paginated:
        template = Template()
        Writer(str(tmp_path), settings=settings).write_file(args[0], template, *args[1:],
                                                            **kwargs)
        assert len(template.seen) == 2  # three posts, two a page
        assert compat.single_page_context((args[0], Template(), *args[1:]), kwargs,
                                          settings) is None
    assert compat.single_page_context(("", Template(), context), {}, settings) is None


@pytest.mark.parametrize("command_line", [True, False])
def test_a_command_line_build_runs_without_the_cycle_collector(tiny_content, tmp_path,
                                                               monkeypatch, command_line):
    """`pelican` from the command line ends with its build: Python's cycle collector is
    off while it builds (it would walk every post again and again), and on again after;
    the dev server and other programs that go on keep it."""
    import gc

    from pelican import signals
    from resonanz_fastbuild import uptodate

    _posts(tiny_content, 3, lambda n: f"Text {n}.")
    seen = []

    def during(_sender, **_kwargs):
        seen.append(gc.isenabled())

    monkeypatch.setattr(uptodate, "_command_line_build", lambda pelican: command_line)
    signals.all_generators_finalized.connect(during)
    try:
        result = build_site(tiny_content, tmp_path / "out")
    finally:
        signals.all_generators_finalized.disconnect(during)
        gc.unfreeze()  # what a command-line build leaves frozen for its exit
    assert result.error is None and not result.problems
    assert seen == [not command_line]
    assert gc.isenabled()


EXIT_PLUGIN = '''
import atexit
from pathlib import Path

def register():
    # an exit function a plugin registers: it must still run when the build ends
    atexit.register(lambda: Path({marker!r}).write_text("ran", encoding="utf-8"))
'''

CONF = '''
import sys
sys.path.insert(0, {root!r})
from pelicanconf import *  # noqa: F403

PATH = {content!r}
OUTPUT_PATH = {output!r}
CACHE_PATH = {cache!r} + "/pelican"
PODCAST_CACHE_PATH = {cache!r} + "/podcast"
IMAGES_CACHE_PATH = {cache!r} + "/images"
THEME = {root!r} + "/theme"
PLUGIN_PATHS = [{root!r} + "/plugins", {plugins!r}]
PLUGINS = [*PLUGINS, "exit_marker"]
SITEURL = "https://resonanz.example"
RESONANZ_STRICT = {strict!r}
'''


def _command_line_site(tmp_path: Path, content: Path, strict: bool = False) -> list[str]:
    """A `pelican` command line for a site with the project's settings and a plugin
    that registers an exit function (it writes tmp_path/marker)."""
    from conftest import ROOT

    plugins = tmp_path / "plugins"
    (plugins / "exit_marker").mkdir(parents=True)
    (plugins / "exit_marker" / "__init__.py").write_text(
        EXIT_PLUGIN.format(marker=str(tmp_path / "marker")), encoding="utf-8")
    conf = tmp_path / "conf.py"
    conf.write_text(CONF.format(root=str(ROOT), content=str(content),
                                output=str(tmp_path / "out"), cache=str(tmp_path / "cache"),
                                plugins=str(plugins), strict=strict), encoding="utf-8")
    return [sys.executable, "-m", "pelican", str(content), "-s", str(conf)]


def test_a_command_line_build_ends_and_a_child_writes_its_records(tiny_content, tmp_path):
    """`pelican` from the command line hands the records for the next build to a child
    process and ends without tearing the interpreter down: it still exits with 0, prints
    its last line, and the exit functions plugins registered run. The next build waits
    for the child (it finds nothing changed: the records were there when it read them),
    and a build after an edit replays the pages the edit did not touch."""
    import subprocess

    _posts(tiny_content, 8, lambda n: f"Text {n}.")
    command = _command_line_site(tmp_path, tiny_content)
    env = {**os.environ, "COLUMNS": "300"}
    runs = []
    for step in range(4):
        if step >= 2:  # the oldest post: the newest posts' pages do not show it
            (tiny_content / "posts" / "beitrag-00.md").write_text(
                f"Title: Beitrag 0 ({step})\nDate: 2026-01-01 10:00\nCategory: Test\n"
                "Slug: beitrag-00\n\nText 0.\n", encoding="utf-8")
        (tmp_path / "marker").unlink(missing_ok=True)
        run = subprocess.run([*command, *(["-v"] if step == 3 else [])], cwd=tmp_path,
                             capture_output=True, text=True, env=env)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert (tmp_path / "marker").read_text(encoding="utf-8") == "ran", step
        runs.append(run.stdout + run.stderr)
    assert "Done: Processed 8 articles" in runs[0]
    # the first build of a checkout writes the build state: the next one has nothing to
    # do; the first edit renders every page and records what each used, the next replays
    assert SKIPPED in runs[1], runs[1][-2000:]
    replayed = re.findall(r"(\d+) pages as the last build wrote them, (\d+) rendered", runs[3])
    assert replayed and int(replayed[-1][0]) > 0 and int(replayed[-1][1]) > 0, runs[3][-3000:]
    # the output as the build left it is what the records hold, not what it is when the
    # child writes them: a file changed right after `pelican` ended is made again
    index = tmp_path / "out" / "index.html"
    built = index.read_bytes()
    index.write_bytes(b"<p>changed by a script</p>")
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=env)
    assert run.returncode == 0 and SKIPPED not in run.stdout + run.stderr
    assert index.read_bytes() == built
    cache = tmp_path / "cache" / "pelican"
    from resonanz_fastbuild import outputs, textpath, uptodate

    uptodate.wait_for_records(cache)
    for name in (uptodate.STATE_NAME, outputs.RECORD_NAME, textpath.SNAPSHOT_NAME):
        assert (cache / name).is_file(), name


def test_a_failing_command_line_build_exits_with_an_error(tiny_content, tmp_path):
    """A build that fails (strict mode, a broken post) ends as Pelican ends it: exit code
    1, the problem named, and no records for the next build."""
    import subprocess

    _posts(tiny_content, 2, lambda n: f"Text {n}.")
    (tiny_content / "posts" / "kaputt.md").write_text(
        "Title: Kaputt\nDate: 2026-13-45 99:00\n\nText.\n", encoding="utf-8")
    command = _command_line_site(tmp_path, tiny_content, strict=True)
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True,
                         env={**os.environ, "COLUMNS": "300"})
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]
    assert "kaputt.md" in run.stdout + run.stderr
    from resonanz_fastbuild import uptodate

    assert not (tmp_path / "cache" / "pelican" / uptodate.STATE_NAME).exists()


def test_a_build_waits_for_the_records_of_the_last_one(tmp_path):
    """wait_for_records returns once the process holding the lock (the child writing the
    last build's records) is done; without a lock file it returns at once."""
    from resonanz_fastbuild import uptodate

    uptodate.wait_for_records(tmp_path)  # no lock file: nothing to wait for
    import fcntl

    ready_read, ready_write = os.pipe()
    child = os.fork()
    if child == 0:  # the child of a build: holds the lock, writes, lets go
        code = 1
        try:
            lock = os.open(tmp_path / uptodate.LOCK_NAME, os.O_RDWR | os.O_CREAT)
            fcntl.flock(lock, fcntl.LOCK_EX)
            os.write(ready_write, b"x")
            import time

            time.sleep(0.3)  # a slow disk
            (tmp_path / "records").write_text("done", encoding="utf-8")
            code = 0
        finally:
            os._exit(code)
    os.close(ready_write)
    assert os.read(ready_read, 1) == b"x"  # the child holds the lock now
    os.close(ready_read)
    uptodate.wait_for_records(tmp_path)
    assert (tmp_path / "records").read_text(encoding="utf-8") == "done"
    assert os.waitpid(child, 0)[1] == 0


def test_file_lists_are_walked_once_per_build_and_question(tiny_content, tmp_path,
                                                            monkeypatch):
    """While generators read, each asks get_files() the same question more than once
    (the prefetch, the reading, the check for switched-off readers): each question is
    walked once, an empty set of extensions not at all, and after reading the generator
    walks again."""
    from pelican.generators import Generator

    _posts(tiny_content, 3, lambda n: f"Text {n}.")
    walks = []
    plain = Generator.get_files

    def counted(self, paths, exclude=None, extensions=None):
        walks.append((type(self).__name__, repr(paths), repr(exclude), repr(extensions)))
        return plain(self, paths, exclude=exclude, extensions=extensions)

    monkeypatch.setattr(Generator, "get_files", counted)
    kept = []
    from pelican import signals

    def keep(generators):
        kept.extend(generators)

    signals.all_generators_finalized.connect(keep)
    try:
        result = build_site(tiny_content, tmp_path / "out", RESONANZ_JOBS=2)
    finally:
        signals.all_generators_finalized.disconnect(keep)
    assert result.error is None and not result.problems
    assert walks and len(walks) == len(set(walks)), walks
    assert not [w for w in walks if w[3] in ("[]", "()", "set()")], walks
    assert any(w[0] == "ArticlesGenerator" for w in walks)
    assert (tmp_path / "out" / "2026" / "01" / "beitrag-02" / "index.html").is_file()
    # after reading, get_files() is Pelican's (with the guard) again: it walks
    articles = next(g for g in kept if type(g).__name__ == "ArticlesGenerator")
    before = len(walks)
    found = articles.get_files(articles.settings["ARTICLE_PATHS"],
                               exclude=articles.settings["ARTICLE_EXCLUDES"])
    assert len(walks) == before + 1
    assert {os.path.basename(f) for f in found} == {f"beitrag-0{n}.md" for n in range(3)}


def test_long_lists_in_writes_are_digested_once_per_build():
    """write_digest keeps the digest of a long list (Pelican's all_articles in every
    tag, category and period write) by identity for the writes of one build; a list
    that changed length is digested again, and an equal list gives the same digest."""
    from resonanz_fastbuild import outputs

    class Counted(list):
        iterated = 0

        def __iter__(self):
            Counted.iterated += 1
            return super().__iter__()

    items = Counted(f"post-{n}" for n in range(100))
    lists: dict = {}
    context = {"SITEURL": ""}
    first = outputs.write_digest(("tag/a.html", "tag", context), {"all_articles": items},
                                 None, context, lists)
    second = outputs.write_digest(("tag/b.html", "tag", context), {"all_articles": items},
                                  None, context, lists)
    assert Counted.iterated == 1 and first != second  # another page, the same list
    again = outputs.write_digest(("tag/a.html", "tag", context),
                                 {"all_articles": Counted(items)}, None, context, lists)
    assert again == first  # the same items in another list
    items.append("post-100")
    changed = outputs.write_digest(("tag/a.html", "tag", context), {"all_articles": items},
                                   None, context, lists)
    assert changed != first
    short = outputs.write_digest(("tag/a.html", "tag", context),
                                 {"all_articles": Counted(["a", "b"])}, None, context, lists)
    assert short != first


def test_urls_before_they_are_frozen_are_pelicans(monkeypatch):
    """Until URLs are frozen, a post's url and save_as are kept with what they were
    formatted from and given again while that is the same: after a change of slug,
    date (also an equal instant in another zone), category, author, draft status,
    language, an override or the time locale (for a pattern that names a month), the
    value is Pelican's again."""
    import datetime as dt
    import locale
    from zoneinfo import ZoneInfo

    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG
    from pelican.urlwrappers import Author, Category
    from resonanz_fastbuild import compat

    compat.install_frozen_urls()
    try:
        _check_kept_urls(compat, Article, DEFAULT_CONFIG, Author, Category, dt, locale,
                         ZoneInfo)
    finally:
        compat.restore_pelican()


def _check_kept_urls(compat, Article, DEFAULT_CONFIG, Author, Category, dt, locale,
                     ZoneInfo) -> None:
    settings = {**DEFAULT_CONFIG, "ARTICLE_URL": "{date:%Y}/{date:%m}/{slug}/",
                "ARTICLE_SAVE_AS": "{category}/{date:%Y}/{slug}/index.html",
                "ARTICLE_LANG_URL": "{lang}/{author}/{slug}/",
                "DRAFT_URL": "entwurf/{slug}/", "DEFAULT_LANG": "de"}
    berlin = ZoneInfo("Europe/Berlin")
    post = Article("<p>x</p>", metadata={
        "title": "A", "slug": "a", "date": dt.datetime(2026, 1, 31, 23, 30, tzinfo=berlin),
        "category": Category("Alltag", settings), "author": Author("Eva", settings)},
        settings=settings, source_path="/site/content/posts/a.md")

    def pelicans() -> tuple[str, str]:
        return (compat._PELICANS["url"].fget(post), compat._PELICANS["save_as"].fget(post))

    def check(note: str) -> None:
        assert (post.url, post.save_as) == pelicans(), note
        assert (post.url, post.save_as) == pelicans(), note  # the kept value

    check("first")
    post.slug = "b"
    check("slug")
    post.date = dt.datetime(2026, 1, 31, 22, 30, tzinfo=dt.UTC)  # the same instant
    assert post.url == "2026/01/b/"
    check("zone")
    post.date = dt.datetime(2025, 12, 1, 10, 0, tzinfo=berlin)
    check("date")
    post.category = Category("Neu", settings)
    check("category")
    post.in_default_lang, post.lang = False, "en"
    check("language")
    post.author = Author("Jo", settings)
    check("author")
    post.in_default_lang = True
    post.status = "draft"
    check("draft")
    post.status = "published"
    post.override_url = "eigen/"
    check("override")
    del post.override_url
    check("override gone")
    settings["ARTICLE_URL"] = "{date:%B}/{slug}/"
    check("pattern")
    before = locale.setlocale(locale.LC_TIME)
    try:
        for name in ("de_DE.UTF-8", "C.UTF-8"):
            try:
                locale.setlocale(locale.LC_TIME, name)
            except locale.Error:
                continue
            check(name)
    finally:
        locale.setlocale(locale.LC_TIME, before)
    settings["ARTICLE_URL"] = "{date:%Y}/{title}/"  # another field: not kept
    check("other field")
    compat.freeze_urls([post])
    assert post.url == "2025/A/"


EXIT_SCRIPT = """
import atexit, sys
sys.path.insert(0, {plugins!r})
from resonanz_fastbuild import uptodate

uptodate._pelican_process = lambda: True  # as if this were `pelican`


class Teardown:
    def __del__(self):
        print("teardown", flush=True)


kept = Teardown()
atexit.register(lambda: print("early", flush=True))
uptodate._exit_when_done()  # a build succeeded
mode = sys.argv[1]
if mode == "late":
    atexit.register(lambda: print("late", flush=True))
elif mode == "exit":
    sys.exit(3)
elif mode == "raise":
    raise RuntimeError("boom")
print("end", flush=True)
"""


@pytest.mark.parametrize("mode, code, lines", [
    ("plain", 0, ["end", "early"]),  # no teardown: the process left at once
    ("late", 0, ["end", "late", "early"]),
    ("exit", 3, ["early"]),
    ("raise", 1, ["early"]),
])
def test_a_build_ends_at_once_only_when_python_would_end_it_plainly(mode, code, lines):
    """After a successful command-line build the process runs its exit functions once
    and leaves without tearing the interpreter down; with an exit code, an exception at
    the top or an exit function registered after, Python ends it as it would have."""
    import subprocess

    from conftest import ROOT

    run = subprocess.run([sys.executable, "-c",
                          EXIT_SCRIPT.format(plugins=str(ROOT / "plugins")), mode],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == code, run.stderr
    # each exit function once; whether Python's teardown calls __del__ is its own affair
    assert [line for line in run.stdout.splitlines() if line != "teardown" or mode == "plain"
            ] == lines, (run.stdout, run.stderr)


def test_a_post_saved_after_its_build_read_it_gets_no_header_digest(tmp_path):
    """The snapshot's header digests are taken when the build ends; a post whose file is
    no longer as the build read it (saved again meanwhile) gets none, so that the next
    build compares it in full instead of trusting a header it never read."""
    from resonanz_fastbuild import textpath

    post = tmp_path / "a.md"
    post.write_text("Title: A\nDate: 2026-01-01\n\nText.\n", encoding="utf-8")
    stat = post.stat()
    read = [stat.st_size, stat.st_mtime_ns]
    assert textpath._header_as_read(str(post), read) == textpath.header_digest(post)
    post.write_text("Title: B\nDate: 2026-01-01\n\nText, longer.\n", encoding="utf-8")
    assert textpath._header_as_read(str(post), read) is None
    assert textpath._header_as_read(str(post), None) is None
    assert textpath._header_as_read(str(tmp_path / "gone.md"), read) is None


def test_a_content_cache_nothing_was_stored_into_is_not_written_again(tiny_content,
                                                                        tmp_path):
    """Every post served from Pelican's content cache: the cache file stays as it was;
    a post read again: the cache is written, and the build after it serves the new
    text from it."""
    _posts(tiny_content, 3, lambda n: f"Text {n}.")
    output = tmp_path / "out"
    assert build_site(tiny_content, output).error is None
    cache = tmp_path / "out-cache" / "pelican" / "ArticlesGenerator-Readers"
    before = cache.stat().st_mtime_ns
    again = build_site(tiny_content, output, RESONANZ_SKIP_UNCHANGED=False)
    assert again.error is None and not again.problems
    assert cache.stat().st_mtime_ns == before
    (tiny_content / "posts" / "beitrag-01.md").write_text(
        "Title: Beitrag 1\nDate: 2026-01-02 10:00\nCategory: Test\nSlug: beitrag-01\n\n"
        "Neuer Text.\n", encoding="utf-8")
    assert build_site(tiny_content, output, RESONANZ_SKIP_UNCHANGED=False).error is None
    assert cache.stat().st_mtime_ns != before
    import pickle

    with open(cache, "rb") as file:
        stored = pickle.load(file)
    assert any("Neuer Text." in str(entry) for entry in stored.values())
    page = next(output.rglob("beitrag-01/index.html")).read_text(encoding="utf-8")
    assert "Neuer Text." in page


def test_only_a_build_that_records_what_pages_use_watches_the_templates(tiny_content, tmp_path,
                                                                        monkeypatch, caplog):
    """The first build of a checkout keeps no record of what each page used, so its
    templates render with Jinja's own lookups; the build after it records, through the
    watching context, and the one after that replays what the record allows."""
    from resonanz_fastbuild import outputs

    watched = []
    watch = outputs.watch_environment

    def counting(env):
        watched.append(env)
        watch(env)

    monkeypatch.setattr(outputs, "watch_environment", counting)
    _posts(tiny_content, 3, lambda n: "Text.")
    output = tmp_path / "output"
    first = build_site(tiny_content, output)
    assert first.error is None and first.problems == []
    assert watched == []
    retitled = tiny_content / "posts" / "beitrag-01.md"
    retitled.write_text(retitled.read_text(encoding="utf-8").replace("Beitrag 1", "Neu 1"),
                        encoding="utf-8")
    second = build_site(tiny_content, output)
    assert second.error is None
    assert watched
    retitled.write_text(retitled.read_text(encoding="utf-8").replace("Neu 1", "Neuer 1"),
                        encoding="utf-8")
    caplog.clear()
    with caplog.at_level(logging.INFO):
        third = build_site(tiny_content, output)
    assert third.error is None
    # what the second build recorded lets the third one leave pages as they were
    assert re.search(r"[1-9]\d* pages as the last build wrote them", caplog.text), \
        caplog.text[-2000:]
    # and what it left as it was is what a cold build writes (a page whose template
    # lookups were not noted would keep the old title: archives, the year's page)
    cold = build_site(tiny_content, tmp_path / "cold")
    assert cold.error is None
    assert comparable(output) == comparable(tmp_path / "cold")


def test_a_verbose_build_has_no_line_per_post_without_yaml_front_matter(tiny_content, tmp_path,
                                                                        caplog):
    """pelicanconf.py filters the YAML plugin's note on every post whose metadata are
    Markdown lines (one log line per post with `pelican -v`); with -D it shows."""
    _posts(tiny_content, 3, lambda n: "Text.")
    (tiny_content / "posts" / "yaml.md").write_text(
        "---\ntitle: Mit YAML\ndate: 2026-02-01 10:00\ncategory: Test\n---\n\nText.\n",
        encoding="utf-8")
    with caplog.at_level(logging.INFO):
        result = build_site(tiny_content, tmp_path / "output")
    assert result.error is None and result.problems == []
    pages = [p.read_text(encoding="utf-8") for p in (tmp_path / "output").glob("20*/**/*.html")]
    assert any("Mit YAML" in page for page in pages)
    assert any("Beitrag 2" in page for page in pages)
    assert "No YAML metadata header" not in caplog.text
    assert "resonanz_fastbuild" in caplog.text  # INFO lines do reach the log
    caplog.clear()
    # Pelican's LimitFilter drops a message it saw before in the process, also one it
    # filtered; every build forgets them (resonanz_core), this says so here
    from resonanz_fastbuild import compat

    compat.reset_log_dedup()
    with caplog.at_level(logging.DEBUG):
        build_site(tiny_content, tmp_path / "output-debug", RESONANZ_JOBS=1)
    assert caplog.text.count("No YAML metadata header") == 3


def _site_with_everything(content: Path, posts: int = 12) -> None:
    """Posts, one with comments (one of them faulty), two episodes with the show's cover
    and the demo's audio: what the plugins' read-ahead and alongside work touch."""
    import shutil

    _posts(content, posts, lambda n: f"Text {n}.")
    source = next((CONTENT / "episodes").glob("*.mp3"))
    for n in (1, 2):
        shutil.copy(source, content / "episodes" / f"{n:03d}-folge.mp3")
        (content / "episodes" / f"{n:03d}-folge.md").write_text(
            f"Title: Folge {n}\nDate: 2026-01-{n:02d} 10:00\nNumber: {n}\n\nNotizen.\n",
            encoding="utf-8")
    (content / "images" / "podcast").mkdir()
    shutil.copy(CONTENT / "images" / "podcast" / "cover.jpg",
                content / "images" / "podcast" / "cover.jpg")
    (content / "responses" / "beitrag-03.yaml").write_text(
        "- id: c1\n  type: comment\n  status: approved\n  author: Lena\n"
        "  content: Danke!\n  published: 2026-01-05T10:00:00+01:00\n"
        "- id: c2\n  type: comment\n  status: approved\n  author: Paul\n"
        "  content: Ohne Datum.\n", encoding="utf-8")


READ_AHEAD = re.compile(r"done while the posts were read: (.*)")


@pytest.mark.parametrize("jobs", [1, 2])
def test_plugin_steps_that_need_no_post_are_done_while_the_posts_are_read(
        tiny_content, tmp_path, caplog, jobs):
    """hooks.read_ahead: with workers, the CMS bundle, the show artwork, the episodes'
    notes and audio, the responses archive and the comment counts are made while the
    posts are read; the site and the problems reported are those of one process (a
    work logs nothing: the plugin's own step reports, once)."""
    _site_with_everything(tiny_content)
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="resonanz_fastbuild")
    result = build_site(tiny_content, tmp_path / "out", RESONANZ_JOBS=jobs)
    assert result.error is None
    found = READ_AHEAD.search(caplog.text)
    if jobs == 1:
        assert found is None  # one process: each plugin does its own step, as before
    else:
        assert found, caplog.text[-2000:]
        done = found[1]
        for work in ("resonanz_cms.plugin.copy_ahead", "resonanz_podcast.plugin.artwork_ahead",
                     "resonanz_podcast.plugin.episodes_ahead",
                     "resonanz_related.plugin.counts_ahead",
                     "resonanz_responses.plugin.archive_ahead"):
            assert work in done, done
        # what the plugins' own steps found: the artwork in the cache, the notes read
        assert re.search(r"podcast: cache: [1-9]\d* hits", caplog.text), caplog.text[-2000:]
    # the faulty comment is reported once, in both modes
    missing = [p for p in result.problems if "beitrag-03.yaml" in p]
    assert len(missing) == 1 and "published" in missing[0], result.problems
    assert (result.output / "admin" / "config.yml").is_file()
    assert (result.output / "feeds" / "kommentare" / "beitrag-03.atom.xml").is_file()


def test_read_ahead_and_alongside_write_what_one_process_writes(tiny_content, tmp_path,
                                                               caplog):
    _site_with_everything(tiny_content)
    one = build_site(tiny_content, tmp_path / "one", RESONANZ_JOBS=1)
    caplog.set_level(logging.DEBUG, logger="resonanz_fastbuild")
    two = build_site(tiny_content, tmp_path / "two", RESONANZ_JOBS=2)
    assert one.error is None and two.error is None
    assert sorted(one.problems) == sorted(two.problems)
    # the comments feeds, the oEmbed documents, the media files and /admin/ were made
    # with the listings, by both processes
    made = re.search(r"(\d+) other output\(s\) made with them", caplog.text)
    assert made and int(made[1]) >= 6, caplog.text[-2000:]
    assert comparable(one.output) == comparable(two.output)
    assert (two.output / "feeds" / "kommentare.atom.xml").is_file()
    assert len(list((two.output / "episoden").glob("*/oembed.json"))) == 2
    assert len(list((two.output / "podcast").glob("*.mp3"))) == 2
    assert len(list((two.output / "podcast" / "artwork").glob("show-*.jpg"))) == 3


def test_read_ahead_work_of_a_plugin_the_build_does_not_load_is_not_done(tiny_content,
                                                                        tmp_path, caplog):
    from conftest import ROOT
    from pelican.settings import read_settings

    _site_with_everything(tiny_content)
    names = [p for p in read_settings(str(ROOT / "pelicanconf.py"))["PLUGINS"]
             if p != "resonanz_cms"]
    caplog.set_level(logging.DEBUG, logger="resonanz_fastbuild")
    result = build_site(tiny_content, tmp_path / "out", RESONANZ_JOBS=2, PLUGINS=names)
    assert result.error is None
    # (its signal receivers may still answer: Pelican's signals are process-wide, and an
    # earlier build in this process loaded it; its read-ahead work is not done)
    found = READ_AHEAD.search(caplog.text)
    assert found and "resonanz_cms" not in found[1] and "archive_ahead" in found[1]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_problem_of_an_output_made_alongside_reaches_strict_mode(tiny_content, tmp_path,
                                                                   jobs):
    """A comments feed written while the listings render (maybe by a worker) whose path
    leaves the output folder is one error, in both modes."""
    _site_with_everything(tiny_content)
    result = build_site(tiny_content, tmp_path / "out", RESONANZ_JOBS=jobs,
                        RESPONSES_ARTICLE_FEED_ATOM="../draussen/{slug}.atom.xml")
    assert result.error is None
    outside = [p for p in result.problems if "must stay inside the output folder" in p]
    assert len(outside) == 1, result.problems
    assert not (tmp_path / "draussen").exists()


def test_alongside_outside_a_build_runs_at_once_in_order():
    from resonanz_fastbuild import hooks

    seen = []
    hooks.alongside(lambda: seen.append("job 1") or 1, lambda result: seen.append(result))
    hooks.alongside(lambda: seen.append("job 2"))
    assert seen == ["job 1", 1, "job 2"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_warning_from_reading_show_notes_ahead_is_reported_once(tiny_content, tmp_path,
                                                                  caplog, jobs):
    """The episodes' show notes are read while the posts are read (hooks.read_ahead, with
    logging off): what the reader warns about is kept and logged where the notes are
    taken, once, in both modes (strict mode sees it)."""
    _site_with_everything(tiny_content)
    notes = tiny_content / "episodes" / "001-folge.md"
    notes.write_text(notes.read_text(encoding="utf-8").replace(
        "Number: 1\n", "Number: 1\nDate: 2026-01-03 10:00\n"), encoding="utf-8")
    caplog.set_level(logging.DEBUG, logger="resonanz_fastbuild")
    result = build_site(tiny_content, tmp_path / "out", RESONANZ_JOBS=jobs)
    assert result.error is None
    twice = [p for p in result.problems if "Duplicate definition" in p and "001-folge.md" in p]
    assert len(twice) == 1, result.problems
    if jobs == 2:  # the notes were read ahead indeed
        assert "resonanz_podcast.plugin.episodes_ahead" in READ_AHEAD.search(caplog.text)[1]
