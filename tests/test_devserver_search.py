"""The dev server's one-post path updates the search index in the background: a word
saved into a post's text is found by the site's search page in Chromium soon after."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from urllib.parse import urlparse

import pytest
from conftest import ROOT, chromium_available, free_port
from test_devserver import fetch, wait_for
from test_devserver_browser import OPENING, save

WORD = "Quellwasserzauber"  # in no page before the edit
POST = ("Title: {title}\nDate: 2026-11-{day:02d} 09:30\nCategory: Praxis\nSlug: {slug}\n\n"
        f"{OPENING}\n\n{{second}}\n")


def hits(page, base: str, word: str) -> list[str] | None:
    """The result paths the search page shows for word; None while it still searches."""
    page.goto(f"{base}/suche/?q={word}")
    page.wait_for_function(
        "() => { const s = document.querySelector('[data-search-status]');"
        " return s && s.innerText && !s.innerText.includes('läuft'); }", timeout=20000)
    links = page.eval_on_selector_all(".search-result__link", "els => els.map(e => e.href)")
    return [urlparse(link).path for link in links]


@pytest.mark.browser
@pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium")
def test_a_word_saved_into_a_post_is_found_by_search(tmp_path, browser):
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    post = content / "posts" / "zuhoeren.md"
    save(post, POST.format(title="Zuhören lernen", day=23, slug="zuhoeren",
                           second="Der zweite Absatz."))
    save(content / "posts" / "andere.md",
         POST.format(title="Ein anderer Beitrag", day=20, slug="andere", second="Nichts."))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "resonanz", "devserver", str(content), "-o",
         str(tmp_path / "output"), "-s", str(ROOT / "pelicanconf.py"), "-p", str(port),
         "-e", f'SITEURL="{base}"', "RESONANZ_STRICT=false",
         f'CACHE_PATH="{tmp_path / "cache"}"'],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    try:
        url = f"{base}/2026/11/zuhoeren/"
        assert wait_for(lambda: (html := fetch(url)) and "zweite Absatz" in html)
        assert wait_for(lambda: (tmp_path / "output" / "pagefind" / "pagefind.js").is_file())
        assert hits(page, base, WORD) == []  # the index does not know the word yet
        assert "/2026/11/zuhoeren/" in hits(page, base, "Absatz")

        save(post, POST.format(title="Zuhören lernen", day=23, slug="zuhoeren",
                               second=f"Der zweite Absatz über {WORD}."))
        assert wait_for(lambda: (html := fetch(url)) and WORD in html), "edit not served"
        found = wait_for(lambda: hits(page, base, WORD), seconds=60)
        assert found == ["/2026/11/zuhoeren/"], "search did not find the saved word"
    finally:
        page.close()
        os.killpg(process.pid, signal.SIGTERM)
        log = process.communicate(timeout=30)[0].decode("utf-8", "replace")
        print(log)
    # the edit went the one-post path: no full build after the first ran Pagefind
    assert "text build" in log
    assert log.count("full build in") == 1, log
    # and Pagefind indexed that post alone, into a delta beside the full index
    from test_search import _fragments

    bundle = tmp_path / "output" / "pagefind"
    delta = json.loads((bundle / "delta.json").read_text(encoding="utf-8"))
    assert list(_fragments(bundle / delta["bundle"])) == ["/2026/11/zuhoeren/"]
    assert len(delta["hide"]) == 1 and WORD not in str(_fragments(bundle))


def test_a_full_build_stops_the_background_index_and_indexes_itself(tmp_path, caplog):
    # A Pagefind that waits while a flag file exists: the refresh is surely still running
    # when the next full build starts, which must stop it (not wait for it).
    import logging
    import threading

    from resonanz_search.pagefind_runner import find_binary
    from test_devserver_incremental import overrides
    from test_search import _searchable

    from resonanz.devserver.site import DevSite

    flag = tmp_path / "hold"
    slow = tmp_path / "slow-pagefind"
    slow.write_text(f'#!/bin/sh\nwhile [ -e "{flag}" ]; do sleep 0.1; done\n'
                    f'exec "{find_binary()}" "$@"\n', encoding="utf-8")
    slow.chmod(0o755)
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    post = content / "posts" / "zuhoeren.md"
    text = POST.format(title="Zuhören lernen", day=23, slug="zuhoeren", second="Erst.")
    save(post, text)
    site = DevSite(ROOT / "pelicanconf.py", {**overrides(content, tmp_path / "dev"),
                                             "SEARCH_PAGEFIND_BINARY": str(slow)})
    assert site.full().errors == []
    bundle = site.output / "pagefind"

    def indexed() -> str:
        return " ".join(record["content"] for record in _searchable(bundle).values())

    assert WORD not in indexed()
    flag.touch()
    try:
        save(post, text.replace("Erst.", f"Erst {WORD}."))
        assert site.update({post}).how == "text"
        site.refresh_search()
        assert wait_for(lambda: site.search.run is not None, seconds=30), "no refresh started"
        stopper = threading.Thread(target=site.close)
        stopper.start()
        stopper.join(timeout=30)
        assert not stopper.is_alive(), "the full build would wait for the held Pagefind"
        assert site.search.run is None and site.search.thread is None
        assert WORD not in indexed()  # the stopped run left the old bundle as it was
    finally:
        flag.unlink()  # a held Pagefind left by a failure ends too
    save(post, text.replace("Erst.", f"Erst {WORD}.").replace("Zuhören lernen", "Neu"))
    with caplog.at_level(logging.ERROR):
        outcome = site.update({post})
    assert (outcome.how, outcome.errors) == ("full", [])
    assert WORD in indexed()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
