"""Thousands of comments on one post: the post page stays light, the rest is on pages
that a reader reaches by a visible link (headless Chromium, phone and desktop, light
and dark)."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import feedparser
import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, build_site, chromium_available, free_port
from lxml import html
from resonanz_responses.paging import split_threads
from resonanz_responses.threads import ThreadNode, count_nodes

COMMENTS = 2500
POST = "Title: Viel Resonanz\nDate: 2026-01-10 10:00\nCategory: Test\n\nText.\n"
PAGE_BUDGET = 400_000  # bytes of HTML for a post page (the 10,000-comment page was 7 MB)


def _responses_yaml(count: int) -> str:
    lines = []
    for n in range(count):
        day, hour, minute = 11 + n // 1000, (n // 60) % 24, n % 60
        lines += [f"- id: k{n:05d}", "  type: comment", "  status: approved",
                  f"  author: Leserin {n}",
                  f"  published: 2026-01-{day:02d}T{hour:02d}:{minute:02d}:00+01:00",
                  f"  content: Kommentar Nummer {n} mit ein paar Worten dazu."]
        if n % 10 == 1:
            lines.append(f"  in_reply_to: k{n - 1:05d}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("comments")
    content = base / "content"
    for folder in ("posts", "responses"):
        (content / folder).mkdir(parents=True)
    (content / "posts/viel.md").write_text(POST, encoding="utf-8")
    (content / "responses/viel-resonanz.yaml").write_text(_responses_yaml(COMMENTS),
                                                          encoding="utf-8")
    result = build_site(content, base / "output")
    assert result.error is None, result.error
    return result


def _comment_ids(path: Path) -> list[str]:
    tree = html.parse(str(path))
    return tree.xpath("//li[contains(@class, 'responses-comment')]/@id")


def test_split_keeps_threads_whole():
    def node(replies: int) -> ThreadNode:
        import datetime as dt

        from resonanz_responses.model import Response

        response = Response(id="x", type="comment", status="approved",
                            published=dt.datetime(2026, 1, 1))
        return ThreadNode(response, [ThreadNode(response) for _ in range(replies)])

    threads = [node(0), node(3), node(0), node(9), node(0)]
    pages = split_threads(threads, 5)
    assert [count_nodes(p) for p in pages] == [5, 1, 10, 1]
    assert sum(pages, []) == threads


def test_post_page_is_light_and_every_comment_is_on_one_page(site):
    out = site.output
    post = out / "2026/01/viel-resonanz/index.html"
    assert post.stat().st_size < PAGE_BUDGET
    pages = [post, *sorted((out / "2026/01/viel-resonanz/kommentare").glob("*/index.html"),
                           key=lambda p: int(p.parent.name))]
    assert len(pages) == 25  # 100 comments per page (replies count)
    seen: list[str] = []
    for page in pages:
        assert page.stat().st_size < PAGE_BUDGET
        seen += _comment_ids(page)
    assert len(seen) == COMMENTS and len(set(seen)) == COMMENTS
    # the feed of the post still has every comment, the heading the whole count
    feed = feedparser.parse((out / "feeds/kommentare/viel-resonanz.atom.xml").read_bytes())
    assert not feed.bozo and len(feed.entries) == COMMENTS
    tree = html.parse(str(post))
    assert tree.xpath("string(//span[@class='responses__count'])").strip() == f"({COMMENTS})"
    nav = tree.xpath("//nav[contains(@class, 'responses-pages')]//a[@rel='next']/@href")
    assert nav and nav[0].endswith("viel-resonanz/kommentare/2/")


def test_problems_stay_none(site):
    assert site.problems == []


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.browser
@pytest.mark.skipif(not chromium_available(), reason=f"{CHROMIUM} is not installed")
@pytest.mark.parametrize("size", [(390, 844), (1366, 900)])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_reader_pages_through_the_comments(site, size, scheme, tmp_path):
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(_Quiet, directory=str(site.output)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                          color_scheme=scheme)
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{port}/2026/01/viel-resonanz/", wait_until="load")
            more = page.locator("nav.responses-pages a[rel=next]")
            more.scroll_into_view_if_needed()
            box = more.bounding_box()
            assert more.is_visible() and box["height"] >= 24 and box["width"] >= 44
            color = more.evaluate("e => getComputedStyle(e).color")
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert color != background
            page.screenshot(path=str(tmp_path / f"seite1-{scheme}-{size[0]}.png"))
            more.click()
            page.wait_for_url("**/kommentare/2/")
            assert page.locator("li.responses-comment").count() > 50
            assert page.locator("nav.responses-pages [aria-current=page]").inner_text().startswith(
                "Seite 2")
            back = page.locator("nav.responses-pages a[rel=prev]")
            back.scroll_into_view_if_needed()
            assert back.is_visible()
            page.screenshot(path=str(tmp_path / f"seite2-{scheme}-{size[0]}.png"))
            back.click()
            page.wait_for_url("**/viel-resonanz/#antworten")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
