"""The incremental search index: after a small edit Pagefind indexes only the changed
pages into a delta bundle, and the search page (headless Chromium) shows what a full
index would show."""

from __future__ import annotations

import functools
import http.server
import itertools
import json
import logging
import os
import re
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import ROOT, build_site, chromium_available, free_port
from resonanz_core.problems import StrictModeError
from test_search import _fragments, _searchable

ARTIFACTS = Path(os.environ.get("RESONANZ_ARTIFACTS", ROOT / "test-artifacts")) / "screenshots"
POSTS = 8
COMMON = "Kundendialog"  # in every post
NEW = "Quellwasserzauber"  # in no post before the edit


def _write(content: Path, n: int, text: str | None = None) -> Path:
    post = content / "posts" / f"p{n}.md"
    post.write_text(f"Title: Beitrag {n}\nDate: 2026-01-{n + 1:02d} 10:00\nCategory: Test\n\n"
                    f"{text or f'Altwort{n} im {COMMON}.'}\n", encoding="utf-8")
    return post


def _build(content: Path, output: Path, caplog, **overrides) -> str:
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="resonanz_search"):
        result = build_site(content, output, **overrides)
    assert result.error is None and result.problems == [], result.problems
    return caplog.text


def _delta_files(output: Path) -> list[str]:
    """The delta folders, and delta.json unless it is the empty one (which stays, so
    that the search page does not ask for a file that is not there)."""
    bundle = output / "pagefind"
    names = [p.name for p in bundle.iterdir() if p.name.startswith("delta-")]
    manifest = json.loads((bundle / "delta.json").read_text(encoding="utf-8"))
    if manifest["bundle"] or manifest["hide"] or manifest["filters"]:
        names.append("delta.json")
    return sorted(names)


@pytest.fixture
def site(tiny_content, tmp_path, caplog):
    """A site of eight posts, indexed in full once; the output lies in a sub-folder
    (/blog/) of what the server below serves."""
    for n in range(POSTS):
        _write(tiny_content, n)
    output = tmp_path / "www" / "blog"
    log = _build(tiny_content, output, caplog)
    assert re.search(rf"Pagefind indexed {POSTS} page\(s\) into pagefind/", log)
    assert _delta_files(output) == []
    return tiny_content, output


@pytest.fixture
def served(tmp_path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    port = free_port()
    handler = functools.partial(Quiet, directory=str(tmp_path / "www"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}/blog"
    server.shutdown()
    server.server_close()


def _search(page, base: str, word: str) -> tuple[str, list[str]]:
    """The status line and result paths the search page shows for word."""
    page.goto(f"{base}/suche/?q={word}")
    page.wait_for_function(
        "() => { const s = document.querySelector('[data-search-status]');"
        " return s && s.innerText && !s.innerText.includes('läuft'); }", timeout=20000)
    links = page.eval_on_selector_all(".search-result__link", "els => els.map(e => e.href)")
    return page.inner_text("[data-search-status]"), [urlparse(u).path for u in links]


def _filter_label(page) -> str:
    page.wait_for_selector("[data-search-filters] label")
    return page.inner_text("[data-search-filters] label").strip()


@pytest.mark.browser
@pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium")
def test_an_edited_post_is_indexed_alone_and_found_in_a_sub_folder_site(site, served, browser,
                                                                         caplog):
    content, output = site
    _write(content, 3, f"Neuer Absatz über {NEW} im {COMMON}.")  # Altwort3 is gone
    # two processes: Pagefind must not start early on the whole site for a delta
    log = _build(content, output, caplog, RESONANZ_JOBS=2)
    assert "delta index of 1 changed and 0 removed page(s) (Pagefind indexed 1 page(s)" in log
    assert "Pagefind started on" not in log
    assert not re.search(r"Pagefind indexed \d+ page\(s\) into pagefind/$", log, re.M)
    manifest = json.loads((output / "pagefind" / "delta.json").read_text(encoding="utf-8"))
    # what the hidden page adds to the counts of its language's type filter
    assert len(manifest["hide"]) == 1 and manifest["filters"] == {"de": {"type": {"Beitrag": 1}}}
    assert len(_fragments(output / "pagefind" / manifest["bundle"])) == 1
    assert len(_fragments(output / "pagefind")) == POSTS  # the main bundle as it was

    page = browser.new_page(viewport={"width": 1366, "height": 900})
    failed: list[str] = []
    page.on("response", lambda r: r.status >= 400 and "/pagefind/" in r.url
            and failed.append(r.url))
    try:
        assert _search(page, served, NEW) == (f"1 Treffer für „{NEW}“",
                                              ["/blog/2026/01/beitrag-3/"])
        assert _search(page, served, "Altwort3")[1] == []
        assert _search(page, served, "Altwort5")[1] == ["/blog/2026/01/beitrag-5/"]
        status, paths = _search(page, served, COMMON)
        assert status == f"{POSTS} Treffer für „{COMMON}“"
        assert sorted(paths) == sorted(f"/blog/2026/01/beitrag-{n}/" for n in range(POSTS))
        # Pagefind adds up both indexes' filter counts; the hidden page is taken off
        assert _filter_label(page) == f"Beitrag ({POSTS})"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for (width, height), scheme in itertools.product(((1366, 900), (390, 844)),
                                                         ("light", "dark")):
            page.set_viewport_size({"width": width, "height": height})
            page.emulate_media(color_scheme=scheme)
            _search(page, served, NEW)
            link = page.locator(".search-result__link")
            assert link.is_visible() and link.bounding_box()["width"] > 40
            page.screenshot(path=str(ARTIFACTS / f"suche-delta-{width}-{scheme}.png"),
                            full_page=True)
        assert failed == []
    finally:
        page.close()

    # the edit undone: the pages are the main bundle's again, the delta goes
    _write(content, 3)
    log = _build(content, output, caplog)
    assert "the pages are the main index's again; delta index removed" in log
    assert _delta_files(output) == []


@pytest.mark.browser
@pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium")
def test_a_deleted_post_is_no_longer_found(site, served, browser, caplog):
    content, output = site
    (content / "posts" / "p6.md").unlink()
    log = _build(content, output, caplog)
    # the other posts' "more on this" boxes list another post now: they are in the
    # delta too (on a small site all of them)
    assert re.search(r"delta index of \d+ changed and 1 removed page\(s\)", log), log[-2000:]
    assert "/2026/01/beitrag-6/" not in _searchable(output / "pagefind")
    # the box is not indexed: their fragments, so their ids, are those of the main
    # bundle; only the removed post's is hidden, and search.js keeps one of each pair
    manifest = json.loads((output / "pagefind" / "delta.json").read_text(encoding="utf-8"))
    assert "/2026/01/beitrag-6/" in _fragments(output / "pagefind")  # hidden, not gone
    assert len(manifest["hide"]) == 1
    delta_ids = {p.stem for p in (output / "pagefind" / manifest["bundle"] / "fragment")
                 .iterdir()}
    main_ids = {p.stem for p in (output / "pagefind" / "fragment").iterdir()}
    assert len(delta_ids) >= 1 and delta_ids <= main_ids
    page = browser.new_page()
    try:
        assert _search(page, served, "Altwort6")[1] == []
        assert _search(page, served, COMMON)[0] == f"{POSTS - 1} Treffer für „{COMMON}“"
        assert _filter_label(page) == f"Beitrag ({POSTS - 1})"
        assert _search(page, served, "Altwort7")[1] == ["/blog/2026/01/beitrag-7/"]
    finally:
        page.close()


@pytest.mark.browser
@pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium")
def test_a_delta_of_another_language_is_not_searched_by_the_german_page(site, served,
                                                                       browser, caplog):
    content, output = site
    english = content / "posts" / "p3-en.md"
    english.write_text("Title: Post 3\nDate: 2026-01-04 10:00\nCategory: Test\nSlug: beitrag-3"
                       "\nLang: en\n\nCustomer dialogue.\n", encoding="utf-8")
    log = _build(content, output, caplog, SEARCH_DELTA_MAX=0)  # a full index with it
    assert re.search(rf"Pagefind indexed {POSTS + 1} page\(s\) into pagefind/", log)
    english.write_text(english.read_text(encoding="utf-8").replace(
        "Customer dialogue.", f"Customer dialogue about {NEW}."), encoding="utf-8")
    log = _build(content, output, caplog)
    assert "delta index of 1 changed and 0 removed" in log
    manifest = json.loads((output / "pagefind" / "delta.json").read_text(encoding="utf-8"))
    assert list(manifest["delta_languages"]) == ["en"] and manifest["languages"]["de"] == POSTS
    page = browser.new_page()
    try:
        # the German search page searches the German index of each bundle; the delta has
        # none (Pagefind would fall back to its English one)
        assert _search(page, served, NEW)[1] == []
        assert _search(page, served, COMMON)[0] == f"{POSTS} Treffer für „{COMMON}“"
        assert _filter_label(page) == f"Beitrag ({POSTS})"
        # the English post's page searches the English index, delta included
        page.goto(f"{served}/en/2026/01/beitrag-3/")
        found = page.evaluate("""async (word) => {
            const pagefind = await import(new URL("../../../../pagefind/pagefind.js",
                                                  document.baseURI).href);
            await pagefind.options({ baseUrl: "/blog/" });
            await pagefind.init();
            await pagefind.mergeIndex(new URL("../../../../pagefind/" +
                (await (await fetch("../../../../pagefind/delta.json")).json()).bundle,
                document.baseURI).href, { baseUrl: "/blog/" });
            const search = await pagefind.search(word);
            return Promise.all(search.results.map((r) => r.data().then((d) => d.url)));
        }""", NEW)
        assert found == ["/blog/en/2026/01/beitrag-3/"]
    finally:
        page.close()


def test_more_changes_than_the_limit_make_a_full_index(site, caplog):
    content, output = site
    _write(content, 1, f"Erster {NEW}.")
    log = _build(content, output, caplog, SEARCH_DELTA_MAX=2)
    assert "delta index of 1 changed" in log
    assert _delta_files(output) != []
    _write(content, 2, "Zweiter Text.")
    _write(content, 4, "Vierter Text.")
    # three pages differ from the main bundle now (the delta counts from it)
    log = _build(content, output, caplog, SEARCH_DELTA_MAX=2)
    assert re.search(rf"Pagefind indexed {POSTS} page\(s\) into pagefind/", log)
    assert _delta_files(output) == []
    fragments = _fragments(output / "pagefind")
    assert NEW in fragments["/2026/01/beitrag-1/"]["content"]
    assert "Vierter Text" in fragments["/2026/01/beitrag-4/"]["content"]
    # the main bundle was recorded anew: the next edit is a delta from it
    _write(content, 5, "Fünfter Text.")
    log = _build(content, output, caplog, SEARCH_DELTA_MAX=2)
    assert "delta index of 1 changed and 0 removed" in log


def test_a_broken_record_or_bundle_means_a_full_index(site, caplog):
    content, output = site
    record = Path(output.parent / (output.name + "-cache") / "pelican" / "search-main.json")
    assert record.is_file()
    record.write_text("{kaputt", encoding="utf-8")
    _write(content, 1, f"Erster {NEW}.")
    log = _build(content, output, caplog)
    assert re.search(rf"Pagefind indexed {POSTS} page\(s\) into pagefind/", log)
    # a main bundle other than the recorded one (a build killed after replacing it)
    entry = output / "pagefind" / "pagefind-entry.json"
    entry.write_bytes(entry.read_bytes().replace(b'"version"', b'"version" '))
    _write(content, 2, "Zweiter Text.")
    log = _build(content, output, caplog)
    assert re.search(rf"Pagefind indexed {POSTS} page\(s\) into pagefind/", log)
    assert NEW in _searchable(output / "pagefind")["/2026/01/beitrag-1/"]["content"]


def test_other_pagefind_arguments_or_version_mean_a_full_index(site, tmp_path, caplog):
    from resonanz_search.pagefind_runner import find_binary

    content, output = site
    _write(content, 1, f"Erster {NEW}.")
    log = _build(content, output, caplog, SEARCH_PAGEFIND_ARGS=["--force-language", "de"])
    assert re.search(rf"Pagefind indexed {POSTS} page\(s\) into pagefind/", log)
    # a newer Pagefind (a wrapper that says so in the bundle it writes): the delta would
    # not fit the main bundle's pagefind.js
    newer = tmp_path / "newer-pagefind"
    newer.write_text(
        f'#!/bin/sh\n"{find_binary()}" "$@" || exit $?\n'
        'while [ $# -gt 0 ]; do [ "$1" = --output-path ] && out="$2"; shift; done\n'
        'sed -i \'s/"version":"[^"]*"/"version":"9.9.9"/\' "$out/pagefind-entry.json"\n',
        encoding="utf-8")
    newer.chmod(0o755)
    _write(content, 2, "Zweiter Text.")
    log = _build(content, output, caplog, SEARCH_PAGEFIND_ARGS=["--force-language", "de"],
                 SEARCH_PAGEFIND_BINARY=str(newer))
    assert "was made by Pagefind 1.5.2; indexing the whole site" in log
    assert re.search(rf"Pagefind indexed {POSTS} page\(s\) into pagefind/", log)
    assert _delta_files(output) == []
    entry = json.loads((output / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    assert entry["version"] == "9.9.9"
    assert "Zweiter Text" in _fragments(output / "pagefind")["/2026/01/beitrag-2/"]["content"]


def test_a_missing_pagefind_in_a_delta_build_is_the_usual_error(site, tmp_path, caplog):
    content, output = site
    _write(content, 1, f"Erster {NEW}.")
    missing = str(tmp_path / "no-pagefind")
    caplog.clear()
    with caplog.at_level(logging.INFO):
        result = build_site(content, output, SEARCH_PAGEFIND_BINARY=missing)
    assert result.error is None
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any(m.startswith("search: pagefind: SEARCH_PAGEFIND_BINARY") and missing in m
               for m in errors), errors
    assert _delta_files(output) == []
    strict = build_site(content, output, SEARCH_PAGEFIND_BINARY=missing,
                        RESONANZ_STRICT=True, RESONANZ_SKIP_UNCHANGED=False)
    assert isinstance(strict.error, StrictModeError) and missing in str(strict.error)
    # the next build tries again, with a delta
    log = _build(content, output, caplog)
    assert "delta index of 1 changed" in log


def test_a_bad_delta_limit_is_reported(caplog):
    from resonanz_search.plugin import options

    with caplog.at_level(logging.ERROR):
        assert options({"SEARCH_DELTA_MAX": "viele"})["SEARCH_DELTA_MAX"] is None
    assert "search: setting SEARCH_DELTA_MAX = 'viele': expected a whole number" in caplog.text
    assert options({"SEARCH_DELTA_MAX": 7})["SEARCH_DELTA_MAX"] == 7
