"""Search: the Pagefind bundle in the output, the search page, what gets indexed."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import CONTENT, ROOT, build_site
from lxml import html
from resonanz_core.problems import StrictModeError
from resonanz_search.pagefind_runner import PagefindError, find_binary


def parse(path: Path):
    return html.fromstring(path.read_bytes())


def test_pagefind_bundle_is_built_with_a_german_index(demo_site):
    bundle = demo_site.output / "pagefind"
    for name in ("pagefind.js", "pagefind-ui.js", "pagefind-ui.css", "pagefind-entry.json"):
        assert (bundle / name).is_file(), name
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    german = [p for p in indexed_pages(demo_site.output) if parse(p).get("lang") == "de"]
    # one German index (stemming follows <html lang="de">) holding exactly the marked pages
    assert entry["languages"]["de"]["page_count"] == len(german)


def indexed_pages(output: Path) -> list[Path]:
    return [p for p in output.rglob("*.html") if parse(p).xpath("//*[@data-pagefind-body]")]


def test_posts_case_studies_and_episodes_are_marked_with_their_type(demo_site):
    types = {}
    for page in indexed_pages(demo_site.output):
        doc = parse(page)
        marked = doc.xpath("//*[@data-pagefind-body]")
        assert len(marked) == 1, page
        kind = marked[0].get("data-pagefind-filter", "")
        types.setdefault(kind, []).append(page.relative_to(demo_site.output).as_posix())
    assert len(types.get("type:Fallstudie", [])) >= 6
    assert all(p.startswith("fallstudien/") for p in types["type:Fallstudie"])
    assert len(types.get("type:Beitrag", [])) >= 10
    assert set(types) <= {"type:Beitrag", "type:Fallstudie", "type:Episode", "type:Post"}
    # listings are not indexed: a search hit should lead to the content, not to page 2 of a tag
    for listing in ("index.html", "fallstudien/index.html", "archiv/index.html"):
        assert not parse(demo_site.output / listing).xpath("//*[@data-pagefind-body]")


def test_search_page_works_from_the_site_itself(demo_site):
    doc = parse(demo_site.output / "suche" / "index.html")
    assert doc.xpath("string(//h1)") == "Suche"
    scripts = doc.xpath("//script/@src")
    assert any(src.endswith("js/search.js") for src in scripts)
    for url in scripts + doc.xpath("//link[@rel='stylesheet']/@href"):
        assert not urlparse(url).netloc, url
    form = doc.xpath("//form[@data-search-form]")[0]
    # the bundle that search.js imports is in this very output
    bundle = (demo_site.output / "suche" / form.get("data-bundle")).resolve()
    assert (bundle / "pagefind.js").is_file()
    # a real form with a visible label: without JavaScript it still sends ?q= somewhere sane
    assert form.get("method") == "get"
    assert form.xpath(".//label/@for") == form.xpath(".//input[@name='q']/@id")
    # readers without JavaScript get a pointer to the archive
    assert doc.xpath("//*[@data-search-fallback]//a")


def test_header_search_partial_posts_to_the_search_page(demo_site):
    doc = parse(demo_site.output / "index.html")
    forms = doc.xpath("//form[contains(@class,'header-search')]")
    if not forms:
        pytest.skip("base.html does not include partials/header_search.html yet")
    form = forms[0]
    assert form.get("method") == "get" and form.get("action").rstrip("/").endswith("suche")
    assert form.xpath(".//input[@type='search']/@name") == ["q"]
    assert form.xpath(".//label/@for") == form.xpath(".//input/@id")


def test_search_index_can_be_switched_off(tiny_content, tmp_path):
    (tiny_content / "posts" / "a.md").write_text(
        "Title: A\nDate: 2026-01-01\nCategory: Kundendialog\n\nText.\n", encoding="utf-8"
    )
    result = build_site(tiny_content, tmp_path / "out", SEARCH_INDEX=False)
    assert result.error is None
    assert (tmp_path / "out" / "suche" / "index.html").is_file()
    assert not (tmp_path / "out" / "pagefind").exists()


def test_missing_binary_is_a_clear_error(tiny_content, tmp_path, caplog):
    (tiny_content / "posts" / "a.md").write_text(
        "Title: A\nDate: 2026-01-01\nCategory: Kundendialog\n\nText.\n", encoding="utf-8"
    )
    missing = str(tmp_path / "no-pagefind")
    result = build_site(tiny_content, tmp_path / "out", SEARCH_PAGEFIND_BINARY=missing)
    assert result.error is None  # the site itself is built
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any(
        m.startswith("search: pagefind: SEARCH_PAGEFIND_BINARY") and missing in m for m in errors
    ), errors
    strict = build_site(
        tiny_content, tmp_path / "strict", SEARCH_PAGEFIND_BINARY=missing, RESONANZ_STRICT=True
    )
    # collected with every other problem of the build: resonanz_core's step runs last
    assert isinstance(strict.error, StrictModeError)
    assert "SEARCH_PAGEFIND_BINARY" in str(strict.error) and missing in str(strict.error)
    assert any("SEARCH_PAGEFIND_BINARY" in p for p in result.problems)


def test_find_binary_uses_the_python_package():
    binary = find_binary()
    assert binary.is_file()
    with pytest.raises(PagefindError, match="no such file"):
        find_binary("/nonexistent/pagefind")


def test_rebuild_with_the_same_pages_keeps_the_index(tmp_path, caplog):
    import logging

    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "posts" / "a.md").write_text(
        "Title: Zuhören\nDate: 2026-01-01 10:00\nCategory: Test\n\nKundendialog.\n",
        encoding="utf-8",
    )
    output = tmp_path / "output"
    first = build_site(content, output)
    assert first.error is None
    entry = output / "pagefind" / "pagefind-entry.json"
    before = entry.read_bytes()
    with caplog.at_level(logging.INFO, logger="resonanz_search.plugin"):
        # rendered again (a build with nothing changed would stop before rendering)
        second = build_site(content, output, RESONANZ_SKIP_UNCHANGED=False)
    assert second.error is None
    assert "Pagefind not run" in caplog.text
    assert entry.read_bytes() == before
    (content / "posts" / "a.md").write_text(
        "Title: Zuhören\nDate: 2026-01-01 10:00\nCategory: Test\n\nNeuer Text.\n",
        encoding="utf-8",
    )
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="resonanz_search.plugin"):
        third = build_site(content, output)
    assert third.error is None and "Pagefind not run" not in caplog.text


def _pages_site(root: Path) -> Path:
    site = root / "site"
    (site / "a").mkdir(parents=True)
    (site / "pagefind").mkdir()
    (site / "a" / "index.html").write_text("<main data-pagefind-body>Kundendialog</main>")
    (site / "b.html").write_text("<main>Liste</main>")
    (site / "pagefind" / "x.html").write_text("<main data-pagefind-body>Index</main>")
    return site


def test_pages_known_from_the_writes_are_not_read_again(tmp_path):
    import os

    from resonanz_search.pagefind_runner import indexable_pages, page_facts

    site = _pages_site(tmp_path)
    fingerprint, pages, read = indexable_pages(site, "pagefind", [])
    assert [p.relative_to(site).as_posix() for p in pages] == ["a/index.html"] and len(read) == 2
    known = {os.path.abspath(p): page_facts(str(p)) for p in site.rglob("*.html")}
    assert indexable_pages(site, "pagefind", [], known) == (fingerprint, pages, set())
    # what the writes recorded is used as it is while size and mtime match ...
    b = os.path.abspath(site / "b.html")
    known[b] = (*known[b][:2], "00" * 32)
    trusted = indexable_pages(site, "pagefind", [], known)
    assert len(trusted[1]) == 2 and trusted[0] != fingerprint and trusted[2] == set()
    # ... and a page changed after its write is read again
    (site / "b.html").write_text("<main>Liste, länger</main>")
    assert indexable_pages(site, "pagefind", [], known) == (fingerprint, pages, {b})


def test_workers_report_the_pages_they_wrote_for_the_index(tmp_path, caplog):
    import logging
    import re

    with caplog.at_level(logging.DEBUG, logger="resonanz_search.plugin"):
        # the CMS page is written beside Pelican's writer (resonanz_cms), so it is read
        # once more; this test is about the pages the writer's workers report
        result = build_site(CONTENT, tmp_path / "output", RESONANZ_JOBS=2, CMS_ENABLED=False)
    assert result.error is None and result.problems == []
    found = re.search(r"search: (\d+) page\(s\) with a search body; (\d+) HTML file\(s\) not "
                      r"known from the writes were read", caplog.text)
    assert found, caplog.text[-2000:]
    assert int(found[1]) > 20 and found[2] == "0"


def _indexed(text: str) -> int:
    import re

    found = re.findall(r"search: Pagefind indexed (\d+) page\(s\)", text)
    assert len(found) == 1, text[-3000:]
    return int(found[0])


@pytest.mark.fastbuild
@pytest.mark.parametrize("jobs", [1, 2])
def test_pagefind_starts_while_listings_render(tmp_path, caplog, jobs):
    import logging

    with caplog.at_level(logging.DEBUG, logger="resonanz_search.plugin"):
        result = build_site(CONTENT, tmp_path / "output", RESONANZ_JOBS=jobs)
    assert result.error is None and result.problems == []
    # one process writes every page at once: Pagefind runs when the build is done
    assert ("Pagefind started on" in caplog.text) == (jobs == 2)
    assert "indexing again" not in caplog.text
    pages = [p for p in (tmp_path / "output").rglob("*.html")
             if b"data-pagefind-body" in p.read_bytes()]
    assert _indexed(caplog.text) == len(pages) > 20
    assert (tmp_path / "output" / "pagefind" / "pagefind-entry.json").is_file()
    _assert_public(tmp_path / "output" / "pagefind")
    # nothing of the run is left beside the cache
    cache = result.settings["CACHE_PATH"]
    assert not (Path(cache) / "pagefind-bundle").exists()


@pytest.mark.fastbuild
def test_a_small_change_leaves_the_early_start_out(tiny_content, tmp_path, caplog,
                                                   monkeypatch):
    """After a change of a few pages the index gets a delta at the end: the early start
    does not look through the output for a full run it will not make (the output is
    looked through once, at the end). With deltas switched off, the early start runs."""
    import logging

    from resonanz_search import plugin as search_plugin

    for n in range(4):
        (tiny_content / "posts" / f"p{n}.md").write_text(
            f"Title: Beitrag {n}\nDate: 2026-01-0{n + 1} 10:00\nCategory: Test\n\nText.\n",
            encoding="utf-8")
    output = tmp_path / "output"
    assert build_site(tiny_content, output, RESONANZ_JOBS=2).error is None
    walks = []
    plain = search_plugin.indexable_pages

    def counted(*args, **kwargs):
        walks.append(args[0])
        return plain(*args, **kwargs)

    monkeypatch.setattr(search_plugin, "indexable_pages", counted)
    for delta_max, expected in ((None, 1), (0, 2)):
        (tiny_content / "posts" / "p1.md").write_text(
            f"Title: Beitrag 1\nDate: 2026-01-02 10:00\nCategory: Test\n\nNeu {delta_max}.\n",
            encoding="utf-8")
        walks.clear()
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="resonanz_search.plugin"):
            result = build_site(tiny_content, output, RESONANZ_JOBS=2,
                                SEARCH_DELTA_MAX=delta_max)
        assert result.error is None and not result.problems
        assert len(walks) == expected, (delta_max, walks)
        if delta_max is None:
            assert "delta index of" in caplog.text and "Pagefind started on" not in caplog.text
        else:
            assert "Pagefind started on" in caplog.text
        texts = {url.rstrip("/").rsplit("/", 1)[-1]: record["content"]
                 for url, record in _searchable(output / "pagefind").items()}
        assert f"Neu {delta_max}" in texts["beitrag-1"], texts


@pytest.mark.fastbuild
def test_a_page_changed_after_pagefind_started_is_indexed(tiny_content, tmp_path, caplog):
    import logging

    from pelican import signals
    from resonanz_fastbuild import compat

    for n in range(3):
        (tiny_content / "posts" / f"p{n}.md").write_text(
            f"Title: Beitrag {n}\nDate: 2026-01-0{n + 1} 10:00\nCategory: Test\n\nText.\n",
            encoding="utf-8")

    def late_page(pelican):  # a plugin that adds a page and changes one when all is done
        extra = Path(pelican.output_path) / "spaet" / "index.html"
        extra.parent.mkdir(parents=True, exist_ok=True)
        extra.write_text('<!doctype html><html lang="de"><head><title>Spät</title></head>'
                         '<body><main data-pagefind-body><h1>Spät</h1><p>Nachzügler</p>'
                         '</main></body></html>', encoding="utf-8")
        post = next(Path(pelican.output_path).rglob("beitrag-1/index.html"))
        post.write_bytes(post.read_bytes().replace(b"<p>Text.</p>", b"<p>Nachgetragen.</p>"))

    signals.finalized.connect(late_page)
    compat.move_first(signals.finalized, late_page)
    try:
        with caplog.at_level(logging.DEBUG, logger="resonanz_search.plugin"):
            result = build_site(tiny_content, tmp_path / "output", RESONANZ_JOBS=2)
    finally:
        signals.finalized.disconnect(late_page)
    assert result.error is None
    assert "Pagefind started on" in caplog.text and "indexing again" in caplog.text
    pages = [p for p in (tmp_path / "output").rglob("*.html")
             if b"data-pagefind-body" in p.read_bytes()]
    assert _indexed(caplog.text) == len(pages)
    assert any(p.parent.name == "spaet" for p in pages)
    texts = {url.rstrip("/").rsplit("/", 1)[-1]: record["content"]
             for url, record in _fragments(tmp_path / "output" / "pagefind").items()}
    assert "Nachzügler" in texts["spaet"]
    assert "Nachgetragen" in texts["beitrag-1"] and "Text." not in texts["beitrag-1"]


PAGE = (b'<!DOCTYPE html>\n<html lang="de" dir="ltr">\n<head><meta charset="utf-8">'
        b"<title>Zuh\xc3\xb6ren | Resonanz</title><link rel=stylesheet href=a.css></head>"
        b'<body><header><nav><a href="/">Start</a></nav></header><main>'
        b'<article class="a" data-pagefind-body data-pagefind-filter="type:Beitrag">'
        b"<h1>Zuh\xc3\xb6ren</h1><article class=quote><p>innen</p></article><p>Text</p>"
        b"</article><aside>Verwandt</aside></main><footer>Impressum</footer></body></html>")


def test_search_copy_keeps_what_pagefind_reads():
    from resonanz_search.search_copies import search_copy

    copy = search_copy(PAGE)
    assert copy == (
        b'<!DOCTYPE html><html lang="de" dir="ltr"><head><meta charset="utf-8">'
        b"<title>Zuh\xc3\xb6ren | Resonanz</title></head><body>"
        b'<article class="a" data-pagefind-body data-pagefind-filter="type:Beitrag">'
        b"<h1>Zuh\xc3\xb6ren</h1><article class=quote><p>innen</p></article><p>Text</p>"
        b"</article></body></html>")
    # something Pagefind reads outside the element: the whole page
    outside = PAGE.replace(b"<aside>", b'<aside data-pagefind-meta="image:/a.png">')
    assert search_copy(outside) == outside
    # no end found: the whole page
    broken = PAGE.replace(b"</article><aside>", b"<aside>")
    assert search_copy(broken) == broken
    assert search_copy(b"<html><body>Liste</body></html>") == b"<html><body>Liste</body></html>"
    # whatever could make Pagefind index the copy differently: the whole page
    for changed in (
        PAGE.replace(b"<main>", b"<main><h1>Seitentitel</h1>"),  # an <h1> it takes as title
        PAGE.replace(b"<h1>Zuh\xc3\xb6ren</h1>", b"").replace(b"<aside>", b"<aside><h1>A</h1>"),
        PAGE.replace(b"<main>", b'<main data-pagefind-ignore="all">'),  # an ancestor
        PAGE.replace(b"<aside>Verwandt", b'<aside><img src="a.png" alt="">'),  # image
        PAGE.replace(b"<p>Text</p>", b"<p>Text</p><!-- </article> -->"),
        PAGE.replace(b"<p>Text</p>", b"<script>var a = '</article>';</script>"),
        PAGE.replace(b'<article class="a" data-pagefind-body', b"<article class=\"a\"")
            .replace(b"<body>", b"<body data-pagefind-body>"),
    ):
        assert search_copy(changed) == changed
    # an external script or an image inside the element, a part after it that Pagefind
    # is told to ignore anyway are fine
    fine = PAGE.replace(b"<p>Text</p>", b'<p>Text</p><script src="a.js" defer></script>'
                                        b'<img src="b.png" alt="">')
    assert search_copy(fine) != fine and b'<script src="a.js"' in search_copy(fine)
    fine = PAGE.replace(b"<aside>", b"<aside data-pagefind-ignore>")
    assert search_copy(fine) == copy


def test_whole_pages_when_pagefind_selects_elements_itself(tmp_path):
    from resonanz_search.search_copies import copies_allowed

    assert copies_allowed([], tmp_path)
    assert copies_allowed(["--force-language", "de"], tmp_path)
    assert not copies_allowed(["--exclude-selectors", ".werbung"], tmp_path)
    assert not copies_allowed(["--root-selector=main"], tmp_path)
    (tmp_path / "pagefind.yml").write_text("exclude_selectors: ['.x']\n", encoding="utf-8")
    assert not copies_allowed([], tmp_path)


def _fragments(bundle: Path) -> dict:
    import gzip

    found = {}
    for path in (bundle / "fragment").iterdir():
        data = gzip.decompress(path.read_bytes())
        record = json.loads(data[data.index(b"{"):])
        found[record["url"]] = record
    return found


def _searchable(bundle: Path) -> dict:
    """What search.js searches: the main bundle's fragments (by URL) without those that
    delta.json hides, and the delta bundle's."""
    import gzip

    manifest = bundle / "delta.json"
    delta = json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else {}
    found = {}
    folders = [bundle] + ([bundle / delta["bundle"]] if delta.get("bundle") else [])
    for folder in folders:
        for path in (folder / "fragment").iterdir():
            if folder == bundle and path.stem in delta.get("hide", []):
                continue
            data = gzip.decompress(path.read_bytes())
            record = json.loads(data[data.index(b"{"):])
            assert record["url"] not in found or folder != bundle, record["url"]
            found[record["url"]] = record
    return found


def test_search_copies_index_like_the_whole_pages(tmp_path):
    # Pagefind run on the whole pages must find what the build's run on the copies found
    # (two processes: the copies come from both, and Pagefind starts before the listings)
    import os
    import subprocess

    demo_site = build_site(CONTENT, tmp_path / "output", RESONANZ_JOBS=2)
    assert demo_site.error is None
    pages = tmp_path / "pages"
    for page in demo_site.output.rglob("*.html"):
        if b"data-pagefind-body" in page.read_bytes() and "pagefind" not in page.parts:
            target = pages / page.relative_to(demo_site.output)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(page, target)
    done = subprocess.run([str(find_binary()), "--site", str(pages), "--output-path",
                           str(tmp_path / "bundle")], capture_output=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    whole = _fragments(tmp_path / "bundle")
    assert len(whole) > 20
    assert _fragments(demo_site.output / "pagefind") == whole

    def languages(bundle: Path) -> dict:
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        return {lang: data["page_count"] for lang, data in entry["languages"].items()}

    assert languages(demo_site.output / "pagefind") == languages(tmp_path / "bundle")


@pytest.mark.parametrize("jobs", [1, 2])
def test_search_copies_are_removed_after_the_build(tiny_content, tmp_path, jobs):
    for n in range(12):
        (tiny_content / "posts" / f"p{n}.md").write_text(
            f"Title: Beitrag {n}\nDate: 2026-01-{n + 1:02d} 10:00\nCategory: Test\n\nText.\n",
            encoding="utf-8")
    result = build_site(tiny_content, tmp_path / "output", RESONANZ_JOBS=jobs)
    assert result.error is None
    assert _left_over(result) == []
    assert (tmp_path / "output" / "pagefind" / "pagefind-entry.json").is_file()


def _left_over(result) -> list[str]:
    """Staging folders and bundles of this build process still there after 5 s (they
    are deleted by a thread while the build goes on)."""
    import os
    import time

    from resonanz_search.pagefind_runner import MEMORY

    cache = Path(result.settings["CACHE_PATH"])
    mine = f"-{os.getpid()}-"

    def recent(path: Path) -> bool:
        try:
            return path.stat().st_mtime > time.time() - 600
        except FileNotFoundError:  # the thread deleted it between listing and looking
            return False

    for _ in range(50):
        found = [p.name for folder in (MEMORY, cache) if folder.is_dir()
                 for p in folder.iterdir()
                 if mine in p.name and p.name.startswith(("resonanz-pagefind", "pagefind-bundle"))
                 and (folder != MEMORY or recent(p))]
        if not found:
            return []
        time.sleep(0.1)
    return found


@pytest.mark.fastbuild
def test_staging_on_disk_where_there_is_no_memory_folder(tiny_content, tmp_path, monkeypatch,
                                                         caplog):
    import logging

    from resonanz_search import pagefind_runner

    monkeypatch.setattr(pagefind_runner, "MEMORY", tmp_path / "kein-shm")
    for n in range(12):
        (tiny_content / "posts" / f"p{n}.md").write_text(
            f"Title: Beitrag {n}\nDate: 2026-01-{n + 1:02d} 10:00\nCategory: Test\n\nText.\n",
            encoding="utf-8")
    with caplog.at_level(logging.DEBUG, logger="resonanz_search"):
        result = build_site(tiny_content, tmp_path / "output", RESONANZ_JOBS=2)
    assert result.error is None and result.problems == []
    assert "Pagefind started on" in caplog.text
    assert f"--site {Path(result.settings['CACHE_PATH']).resolve()}/resonanz-pagefind" in (
        caplog.text)
    assert _indexed(caplog.text) == 12
    assert _left_over(result) == []
    # the bundle was written beside the cache and renamed into the site
    bundle = f"{Path(result.settings['CACHE_PATH']).resolve()}/resonanz-pagefind-bundle"
    assert f"--output-path {bundle}" in caplog.text
    _assert_public(tmp_path / "output" / "pagefind")


def _assert_public(bundle: Path) -> None:
    """The bundle's folder has the mode of any other folder of the site (it was made
    private, 0700, while Pagefind wrote it), and nothing of the copy is left beside it."""
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    assert bundle.stat().st_mode & 0o777 == 0o777 & ~mask
    assert not [p for p in bundle.parent.iterdir() if p.name.startswith(".pagefind")]


@pytest.mark.fastbuild
def test_a_failed_build_stops_pagefind_and_removes_its_files(tiny_content, tmp_path):
    from resonanz_fastbuild import hooks
    from resonanz_search import pagefind_runner, plugin

    for n in range(12):
        (tiny_content / "posts" / f"p{n}.md").write_text(
            f"Title: Beitrag {n}\nDate: 2026-01-{n + 1:02d} 10:00\nCategory: Test\n"
            f"Tags: t{n}\n\nText.\n", encoding="utf-8")
    started = []

    def fail(_writer):  # after the search plugin's receiver: Pagefind runs
        started.append(bool(pagefind_runner._RUNNING))
        if pagefind_runner._RUNNING:
            raise RuntimeError("Festplatte voll")

    hooks.content_pages_written.connect(fail, weak=False)
    try:
        result = build_site(tiny_content, tmp_path / "output", RESONANZ_JOBS=1)
        assert result.error is None  # one process: Pagefind starts after the feeds
        result = build_site(tiny_content, tmp_path / "output2", RESONANZ_JOBS=2)
    finally:
        hooks.content_pages_written.disconnect(fail)
    assert started == [True]
    assert result.error is not None and "Festplatte voll" in str(result.error)
    assert pagefind_runner._RUNNING == set()
    assert plugin._Build.current is None
    assert _left_over(result) == []


def test_a_new_bundle_replaces_the_old_one_and_a_foreign_folder_is_added_to(
        tiny_content, tmp_path):
    for n in range(6):
        (tiny_content / "posts" / f"p{n}.md").write_text(
            f"Title: Beitrag {n}\nDate: 2026-01-{n + 1:02d} 10:00\nCategory: Test\n\n"
            f"Wort{n} im Text.\n", encoding="utf-8")
    output = tmp_path / "output"
    first = build_site(tiny_content, output, RESONANZ_SKIP_UNCHANGED=False)
    assert first.error is None and first.problems == []
    before = {p.name for p in (output / "pagefind" / "fragment").iterdir()}
    assert len([u for u in _fragments(output / "pagefind") if "/beitrag-" in u]) == 6
    (tiny_content / "posts" / "p5.md").write_text(
        "Title: Beitrag 5\nDate: 2026-01-06 10:00\nCategory: Test\n\nNeuer Text.\n",
        encoding="utf-8")
    # a full index (one changed page would otherwise go into a delta index)
    second = build_site(tiny_content, output, RESONANZ_SKIP_UNCHANGED=False,
                        SEARCH_DELTA_MAX=0)
    assert second.error is None and second.problems == []
    fragments = _fragments(output / "pagefind")
    assert "Neuer Text" in fragments["/2026/01/beitrag-5/"]["content"]
    # one fragment per indexed page: the old bundle's fragment of beitrag-5 is gone
    after = {p.name for p in (output / "pagefind" / "fragment").iterdir()}
    assert len(after) == len(fragments) and after != before
    _assert_public(output / "pagefind")
    # a pagefind/ folder that Pagefind did not write is kept and added to
    other = tmp_path / "other"
    (other / "pagefind").mkdir(parents=True)
    (other / "pagefind" / "eigen.txt").write_text("von Hand", encoding="utf-8")
    third = build_site(tiny_content, other, RESONANZ_SKIP_UNCHANGED=False)
    assert third.error is None and third.problems == []
    assert (other / "pagefind" / "eigen.txt").read_text(encoding="utf-8") == "von Hand"
    _assert_public(other / "pagefind")  # the folder keeps its own mode
    assert len([u for u in _fragments(other / "pagefind") if "/beitrag-" in u]) == 6


def test_a_pagefind_run_left_running_is_stopped_at_exit(tmp_path):
    # a build that ends without finishing its early run (Ctrl-C, an error) stops it
    import subprocess
    import sys

    marker = tmp_path / "gestoppt"
    code = (
        "import os, sys\n"
        f"sys.path.insert(0, {str(ROOT / 'plugins')!r})\n"
        "from resonanz_search import pagefind_runner\n"
        "class Run:\n"
        "    owner = os.getpid()\n"
        "    def cancel(self, later=True):\n"
        f"        open({str(marker)!r}, 'w').write(str(later))\n"
        "pagefind_runner._RUNNING.add(Run())\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    assert marker.read_text() == "False"  # removed at once, not by a thread


def test_the_old_bundle_stays_when_the_new_one_cannot_take_its_place(tmp_path, monkeypatch):
    import os

    from resonanz_search import pagefind_runner

    site = tmp_path / "site"
    target = site / "pagefind"
    target.mkdir(parents=True)
    (target / "pagefind-entry.json").write_text("alt", encoding="utf-8")
    run = object.__new__(pagefind_runner.PagefindRun)

    def new_bundle():
        run.folder = Path(tmp_path / "privat")
        run.bundle = run.folder / "bundle"
        run.bundle.mkdir(parents=True)
        (run.bundle / "pagefind-entry.json").write_text("neu", encoding="utf-8")

    real = os.replace

    def full_disk(src, dst):
        if Path(dst) == target and "-old-" not in Path(src).name:
            raise OSError(28, "No space left on device")
        return real(src, dst)

    new_bundle()
    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError):
        run._put_in_place(target)
    monkeypatch.setattr(os, "replace", real)
    assert (target / "pagefind-entry.json").read_text(encoding="utf-8") == "alt"
    assert [p.name for p in site.iterdir()] == ["pagefind"]  # nothing left beside it
    # when it can, the new one takes the old one's place
    run._drop_bundle()
    new_bundle()
    run._put_in_place(target)
    assert (target / "pagefind-entry.json").read_text(encoding="utf-8") == "neu"
    assert [p.name for p in site.iterdir()] == ["pagefind"]


def test_episode_pages_index_what_is_said_not_the_player_or_the_subscribe_box(demo_site):
    fragments = _fragments(demo_site.output / "pagefind")
    episodes = {url: record["content"] for url, record in fragments.items()
                if url.startswith("/episoden/") and url.count("/") == 3}
    assert len(episodes) >= 3
    for url, text in episodes.items():
        for junk in ("Apple Podcasts", "Feed-Adresse", "Podcast-Feed", ".xml", "0,75×",
                     "Kapitelmarken als JSON", "00:00:", "nicht abspielen"):
            assert junk not in text, (url, junk, text)
        # the kicker (show name, number, season) is on every episode: as a post's category
        assert not text.startswith(("Resonanz – der Podcast", "Folge")), (url, text[:80])
    zuhoeren = episodes["/episoden/001-zuhoeren/"]
    # a picture's file path is no text: "jpg" or "artwork" must not find every page
    assert all(not record["meta"].get("image") for record in fragments.values()), fragments
    assert "Fragen stellen und nachfragen" in zuhoeren  # chapter titles are searched for
    assert "Fundament jedes Kundendialogs" in zuhoeren
    assert "Eine Beschwerde ist ein Geschenk" in episodes["/episoden/002-beschwerden/"]


@pytest.mark.parametrize("pidfd", [True, False])
def test_waiting_for_pagefind_ends_with_it_or_at_the_timeout(monkeypatch, pidfd):
    """Pagefind is waited for on a pidfd where the system has them (Popen.wait with a
    timeout looks only every 50 ms), else as Popen does; both keep the timeout."""
    import os
    import subprocess
    import sys

    from resonanz_search import pagefind_runner

    if not pidfd:
        monkeypatch.delattr(os, "pidfd_open", raising=False)
    elif not hasattr(os, "pidfd_open"):
        pytest.skip("no pidfd_open here")
    done = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    assert pagefind_runner._wait(done, 30) == 3
    assert pagefind_runner._wait(done, 30) == 3  # reaped already: the same code
    slow = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            pagefind_runner._wait(slow, 0.3)
        assert slow.poll() is None  # still running: the caller decides (it kills it)
    finally:
        slow.kill()
        slow.wait()
