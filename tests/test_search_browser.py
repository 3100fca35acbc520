"""Headless Chromium: German search through the header box finds posts and case studies."""

from __future__ import annotations

import functools
import http.server
import threading
from urllib.parse import urlparse

import pytest
from conftest import chromium_available, free_port

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium"),
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest output readable
        pass


@pytest.fixture(scope="module")
def served_site(demo_site):
    port = free_port()
    handler = functools.partial(_QuietHandler, directory=str(demo_site.output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


def result_links(page) -> list[str]:
    return page.eval_on_selector_all(".search-result__link", "els => els.map(e => e.href)")


def test_header_search_finds_posts_and_case_studies_without_leaving_127(served_site, browser):
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(served_site + "/")
    # "Chatbots" must also find "Chatbot" (German stemming) in the case study
    page.fill("#header-search-q", "Chatbots")
    page.press("#header-search-q", "Enter")
    page.wait_for_url("**/suche/?q=Chatbots")
    page.wait_for_selector(".search-result", timeout=20000)
    paths = [urlparse(link).path for link in result_links(page)]
    assert any(p.startswith("/fallstudien/sonnenfeld-energie-chatbot/") for p in paths), paths
    assert any(p.startswith("/2026/01/crm-trend-chatbots/") for p in paths), paths
    assert "Treffer" in page.inner_text("[data-search-status]")
    # the type filter narrows the hits to case studies
    page.check("[data-search-filters] input[value='Fallstudie']")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.search-result__link')]"
        ".every(a => a.pathname.startsWith('/fallstudien/'))"
    )
    paths = [urlparse(link).path for link in result_links(page)]
    assert paths and all(p.startswith("/fallstudien/") for p in paths), paths
    for url in requested:
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob", "about"):
            continue
        assert parsed.hostname == "127.0.0.1", f"request left 127.0.0.1: {url}"
    page.close()


def test_case_study_filter_hides_other_industries(served_site, browser):
    page = browser.new_page()
    page.goto(served_site + "/fallstudien/")
    page.wait_for_selector("[data-case-filter]:not([hidden])")
    total = page.locator(".case-card").count()
    page.select_option("select[name=industry]", "handel")
    visible = page.locator(".case-card:not([hidden])")
    assert 0 < visible.count() < total
    for slug in visible.evaluate_all("els => els.map(e => e.dataset.industry)"):
        assert slug == "handel"
    page.close()
