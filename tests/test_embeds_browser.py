"""Headless Chromium: videos, share links and episode pages ask no third party before a click."""

from __future__ import annotations

import functools
import http.server
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import CHROMIUM, chromium_available, free_port
from test_embeds import VIDEO_POST, embeds_site  # noqa: F401 - the shared session build

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason=f"{CHROMIUM} is not installed"),
]

LOOPBACK = "127.0.0.1"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site_url(embeds_site):  # noqa: F811 - pytest fixture parameter
    port = free_port()
    handler = functools.partial(_Quiet, directory=str(embeds_site.output))
    server = http.server.ThreadingHTTPServer((LOOPBACK, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://{LOOPBACK}:{port}"
    server.shutdown()
    server.server_close()


class Recorder:
    """Every request the page makes; anything not for 127.0.0.1 is aborted, but noted."""

    def __init__(self, context) -> None:
        self.requests: list[str] = []
        self.outside: list[str] = []
        context.route("**/*", self._route)

    def _route(self, route) -> None:
        url = route.request.url
        self.requests.append(url)
        if urlsplit(url).hostname == LOOPBACK:
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()


@pytest.fixture
def page_and_recorder(browser):
    context = browser.new_context()
    recorder = Recorder(context)
    page = context.new_page()
    yield page, recorder
    context.close()


def _settle(page) -> None:
    page.wait_for_load_state("load")
    page.wait_for_load_state("networkidle")


def test_video_loads_from_nocookie_host_only_after_the_click(site_url, page_and_recorder):
    page, recorder = page_and_recorder
    page.goto(f"{site_url}/{VIDEO_POST}")
    _settle(page)
    assert any(url.endswith("/theme/js/embeds.js") for url in recorder.requests)
    assert recorder.requests, "the page itself was requested"
    assert recorder.outside == [], f"requests to third parties before a click: {recorder.outside}"
    assert page.locator("iframe").count() == 0

    with page.expect_request(lambda r: urlsplit(r.url).hostname != LOOPBACK):
        page.click("figure.embed--youtube .embed__link")
    frame = page.locator("figure.embed--youtube iframe")
    src = urlsplit(frame.get_attribute("src"))
    assert src.hostname == "www.youtube-nocookie.com"
    assert src.path == "/embed/aqz-KE-bpKQ" and parse_qs(src.query)["dnt"] == ["1"]
    # the click swapped in the player; the reader stayed on our page
    assert page.url == f"{site_url}/{VIDEO_POST}"
    assert {urlsplit(u).hostname for u in recorder.outside} == {"www.youtube-nocookie.com"}
    # the Vimeo placeholder is still untouched
    assert page.locator("figure.embed--vimeo iframe").count() == 0


def test_episode_page_and_player_ask_no_third_party(site_url, page_and_recorder, embeds_site):  # noqa: F811
    page, recorder = page_and_recorder
    for path in ("episoden/001-zuhoeren/", "episoden/001-zuhoeren/embed/", "teilen/mastodon/"):
        page.goto(f"{site_url}/{path}")
        _settle(page)
        assert recorder.outside == [], f"{path}: {recorder.outside}"
    # chapters in the player seek the audio (served from 127.0.0.1 as well)
    page.goto(f"{site_url}/episoden/001-zuhoeren/embed/")
    _settle(page)
    page.click("details.player__chapters summary")
    page.click("a.chapter-link[data-start='2.5']")
    page.wait_for_function("document.querySelector('audio').currentTime >= 2.4")
    assert recorder.outside == []


def test_mastodon_share_goes_to_the_chosen_instance_only_on_submit(site_url, page_and_recorder):
    page, recorder = page_and_recorder
    page.goto(f"{site_url}/{VIDEO_POST}")
    _settle(page)
    page.click(".share__item--mastodon a")
    _settle(page)
    assert page.url.startswith(f"{site_url}/teilen/mastodon/?")
    text = page.input_value("#mastodon-text")
    assert text.startswith("Neue Video-Serie: Kundenservice, der zuhört ")
    assert recorder.outside == []
    page.fill("input[name=instanz]", "@lena@Social.Example.org")
    with page.expect_request(lambda r: urlsplit(r.url).hostname != LOOPBACK) as sent:
        page.click("form[data-embeds-mastodon] button[type=submit]")
    target = urlsplit(sent.value.url)
    assert (target.scheme, target.hostname, target.path) == (
        "https",
        "social.example.org",
        "/share",
    )
    assert parse_qs(target.query)["text"] == [text]


def test_copy_link_puts_the_canonical_url_on_the_clipboard(site_url, browser, embeds_site):  # noqa: F811
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url)
    recorder = Recorder(context)
    page = context.new_page()
    page.goto(f"{site_url}/{VIDEO_POST}")
    _settle(page)
    link = page.locator(".share__item--copy a")
    page.click(".share__item--copy a")
    page.wait_for_function("document.querySelector('.share__status').textContent !== ''")
    assert page.evaluate("navigator.clipboard.readText()") == link.get_attribute("href")
    assert page.url == f"{site_url}/{VIDEO_POST}"
    assert recorder.outside == []
    context.close()
