"""The episode player as a listener uses it, in Debian's Chromium against our Range server.

Visible and usable at 390x844 and 1366x900, light and dark; plays after a real click; chapter
links seek (the audio comes back as 206 Partial Content); keys work; the position survives
a reload; play buttons in lists play; without JavaScript the native controls are visible.
"""

from __future__ import annotations

import threading

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, chromium_available

from resonanz.serve import make_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason=f"{CHROMIUM} is not installed"),
]

VIEWPORTS = {"mobile": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
EPISODE = "episoden/001-zuhoeren/"
AUDIO = "document.querySelector('[data-player] audio')"
BUTTON = "document.querySelector('.play-button')"
PRESSED = f"{BUTTON}.getAttribute('aria-pressed')"


@pytest.fixture(scope="module")
def site(demo_site):
    server = make_server(demo_site.output, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", demo_site.output
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required", "--mute-audio"],
        )
        yield browser
        browser.close()


class Visit:
    """A page in a fresh context that keeps console errors and the audio responses."""

    def __init__(self, chromium, viewport="desktop", scheme="light", javascript=True):
        self.context = chromium.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme,
                                            java_script_enabled=javascript)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.audio_statuses: list[int] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("response", self._response)

    def _response(self, response) -> None:
        if response.url.endswith((".mp3", ".m4a", ".opus")):
            self.audio_statuses.append(response.status)

    def open(self, url: str):
        self.page.goto(url, wait_until="load")
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(chromium):
    visits = []

    def make(**kwargs) -> Visit:
        visits.append(Visit(chromium, **kwargs))
        return visits[-1]

    yield make
    for one in visits:
        one.close()


def episode_paths(output) -> list[str]:
    pages = sorted(p.parent for p in output.glob("episoden/*/index.html")
                   if p.parent.name != "episoden")
    paths = [f"episoden/{p.name}/" for p in pages]
    return paths + [f"{p}embed/" for p in paths if (output / p / "embed" / "index.html").is_file()]


def box(page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not rendered"
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", ["mobile", "desktop"])
def test_player_is_visible_on_every_episode_page_and_embed(site, visit, viewport, scheme):
    base, output = site
    paths = episode_paths(output)
    assert len(paths) >= 8  # four episodes, each with its embed
    one = visit(viewport=viewport, scheme=scheme)
    for path in paths:
        page = one.open(base + path)
        page.wait_for_selector(".podplayer__ui:not([hidden])")
        ui = box(page, ".podplayer__ui")
        assert ui["height"] >= 40 and ui["width"] >= 250, (path, ui)
        assert ui["x"] >= 0 and ui["x"] + ui["width"] <= VIEWPORTS[viewport]["width"], (path, ui)
        play = box(page, ".podplayer__play")
        assert play["width"] >= 44 and play["height"] >= 44, (path, play)
        # the native controls gave way to ours: one player on screen, not two
        assert page.evaluate(f"{AUDIO}.hasAttribute('controls')") is False
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[viewport]["width"], f"{path}: {width} px wide"
        colour = page.evaluate(
            "getComputedStyle(document.querySelector('.podplayer__play')).backgroundColor")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), path
        page.click(".podplayer__play")  # a real click plays every episode, page and embed
        page.wait_for_function(f"{AUDIO}.currentTime > 0.3")
        page.click(".podplayer__play")
        page.wait_for_function(f"{AUDIO}.paused")
    assert one.errors == []


@pytest.mark.parametrize(("viewport", "scheme"), [("desktop", "light"), ("mobile", "dark")])
def test_click_plays_and_a_chapter_click_seeks_with_range_requests(site, visit, viewport, scheme):
    base, _ = site
    one = visit(viewport=viewport, scheme=scheme)
    page = one.open(base + EPISODE)
    page.click(".podplayer__play")
    page.wait_for_function(f"{AUDIO}.currentTime > 0.5")
    assert page.get_attribute(".podplayer__play", "aria-label") == "Pausieren"
    page.wait_for_function("document.querySelector('.podplayer__elapsed').textContent === '0:01'")
    page.click(".podplayer__play")
    page.wait_for_function(f"{AUDIO}.paused")
    link = page.locator(".chapter-list a[data-start='5.0']")
    link.click()
    page.wait_for_function(f"Math.abs({AUDIO}.currentTime - 5.0) < 0.6 || {AUDIO}.currentTime > 5")
    assert page.evaluate(f"{AUDIO}.currentTime") >= 4.9
    assert 206 in one.audio_statuses, one.audio_statuses  # the seek was served as a range
    assert link.get_attribute("aria-current") == "true"
    assert page.inner_text(".podplayer__chapter").startswith("Kapitel 3 von 3: Was wir mitnehmen")
    assert len(page.locator(".podplayer__marks span").all()) == 2  # chapters 2 and 3 on the bar
    # the lock screen shows the chapter playing, the show and the cover
    page.click(".podplayer__play")
    page.wait_for_function("navigator.mediaSession.metadata"
                           " && navigator.mediaSession.metadata.title === 'Was wir mitnehmen'")
    session = page.evaluate("({artist: navigator.mediaSession.metadata.artist,"
                            " album: navigator.mediaSession.metadata.album,"
                            " artwork: navigator.mediaSession.metadata.artwork.length})")
    assert session == {"artist": "Resonanz – der Podcast", "album": "Zuhören statt senden",
                       "artwork": 3}
    assert one.errors == []


def test_shared_link_with_time_starts_there_without_playing(site, visit):
    base, _ = site
    page = visit().open(base + EPISODE + "#t=00:00:05")
    page.wait_for_function(f"Math.abs({AUDIO}.currentTime - 5) < 0.2")
    assert page.evaluate(f"{AUDIO}.paused")
    page.wait_for_function("document.querySelector('.podplayer__elapsed').textContent === '0:05'")


def test_audio_that_cannot_load_gets_a_message(site, visit):
    base, _ = site
    one = visit(viewport="mobile")
    one.context.route("**/*.{mp3,m4a,opus}", lambda route: route.abort())
    page = one.open(base + EPISODE)
    page.click(".podplayer__play")
    page.wait_for_selector(".podplayer.has-error")
    assert "is-playing" not in page.get_attribute(".podplayer", "class")  # no pause icon
    assert "lässt sich gerade nicht laden" in page.inner_text(".podplayer__chapter")
    assert page.locator(".podplayer__download").is_visible()


def test_a_browser_that_stops_after_the_first_failing_source_gets_the_message(site, visit):
    # Chromium at times gives up after the first source that fails, without trying the
    # others (error on that source only, networkState NETWORK_NO_SOURCE): the player used
    # to wait for an error on the last source and stayed silent. Here the other sources
    # are taken out after the player started, so the first one is all the browser tries
    # (on the embed page, which loads no audio before a click: preload="none").
    base, _ = site
    one = visit(viewport="mobile")
    one.context.route("**/*.{mp3,m4a,opus}",
                      lambda route: route.fulfill(status=404, body="not found"))
    page = one.open(base + EPISODE + "embed/")
    page.wait_for_selector(".podplayer__ui:not([hidden])")
    assert page.evaluate(f"{AUDIO}.preload") == "none"
    assert "has-error" not in page.get_attribute(".podplayer", "class")
    left = page.evaluate(f"""() => {{
        const sources = [...{AUDIO}.querySelectorAll("source")];
        sources.slice(1).forEach((source) => source.remove());
        return sources.length; }}""")
    assert left > 1  # the demo episode has several formats
    page.click(".podplayer__play")
    page.wait_for_selector(".podplayer.has-error")
    assert page.evaluate(f"{AUDIO}.networkState") == 3  # NETWORK_NO_SOURCE
    assert "lässt sich gerade nicht laden" in page.inner_text(".podplayer__chapter")
    # the click on play came first: the button offers play again, no pause icon
    assert "is-playing" not in page.get_attribute(".podplayer", "class")
    assert page.evaluate(f"{AUDIO}.paused")
    assert page.get_attribute(".podplayer__play", "aria-label") == page.get_attribute(
        "[data-player]", "data-label-play")


def test_transcript_time_seeks(site, visit):
    base, _ = site
    page = visit().open(base + "episoden/002-beschwerden/")
    times = page.locator(".transcript a[data-start]")
    assert times.count() >= 2
    start = float(times.nth(1).get_attribute("data-start"))
    times.nth(1).click()
    page.wait_for_function(f"{AUDIO}.currentTime >= {start} - 0.3")


def test_keyboard_controls(site, visit):
    base, _ = site
    page = visit().open(base + EPISODE)
    page.focus(".podplayer__play")
    page.keyboard.press("Space")
    page.wait_for_function(f"!{AUDIO}.paused && {AUDIO}.currentTime > 0.2")
    page.keyboard.press("k")
    page.wait_for_function(f"{AUDIO}.paused")
    page.focus(".podplayer__seek")
    page.keyboard.press("End")  # the range's own keys: to the end
    page.wait_for_function(f"{AUDIO}.currentTime > 9")
    page.keyboard.press("ArrowLeft")  # 5 s back
    page.wait_for_function(f"{AUDIO}.currentTime > 4 && {AUDIO}.currentTime < 6")
    page.keyboard.press("j")  # 15 s back, not below 0
    page.wait_for_function(f"{AUDIO}.currentTime < 0.1")
    page.keyboard.press("l")  # 30 s forward, not past the end
    page.wait_for_function(f"{AUDIO}.currentTime > 9")
    text = page.get_attribute(".podplayer__seek", "aria-valuetext")
    assert text.endswith("von 0:09") or text.endswith("von 0:10"), text
    page.select_option(".podplayer__speed", "1.5")
    assert page.evaluate(f"{AUDIO}.playbackRate") == 1.5


def test_resume_restores_the_position_after_reload(site, visit):
    base, _ = site
    one = visit()
    page = one.open(base + EPISODE)
    page.locator(".chapter-list a[data-start='5.0']").click()  # seeks and plays
    page.wait_for_function(f"{AUDIO}.currentTime > 6")
    page.click(".podplayer__play")
    page.wait_for_function(f"{AUDIO}.paused")
    guid = page.get_attribute("[data-player]", "data-guid")
    key = f"resonanz:position:{guid}"
    page.wait_for_function(f"localStorage.getItem('{key}') !== null")
    saved = dict(page.evaluate("Object.entries(localStorage)"))
    assert set(saved) <= {key, "resonanz:speed"}  # nothing else is stored
    position = float(saved[key])
    assert 5 <= position <= 9
    assert one.context.cookies() == []  # resume uses localStorage, never a cookie
    page.goto(base + EPISODE, wait_until="load")
    page.wait_for_function(f"{AUDIO}.readyState >= 1 && {AUDIO}.currentTime >= {position} - 0.1")
    assert page.inner_text(".podplayer__elapsed") == f"0:0{int(position)}"


def test_embed_plays_and_keys_work_anywhere_on_it(site, visit):
    base, _ = site
    page = visit(viewport="mobile").open(base + EPISODE + "embed/")
    page.click(".podplayer__play")
    page.wait_for_function(f"{AUDIO}.currentTime > 0.3")
    page.click("h1")  # focus leaves the player; the embed page is nothing but the player
    page.keyboard.press("k")
    page.wait_for_function(f"{AUDIO}.paused")
    page.click("details.player__chapters summary")
    page.click(".chapter-list a[data-start='2.5']")
    page.wait_for_function(f"{AUDIO}.currentTime >= 2.4")


@pytest.mark.parametrize("audio_missing", [False, True], ids=["playing", "audio-missing"])
@pytest.mark.parametrize("width", [640, 360, 320])
def test_embed_fits_its_iframe_height(site, chromium, width, audio_missing):
    base, _ = site
    context = chromium.new_context(viewport={"width": width, "height": 260})
    try:
        page = context.new_page()
        if audio_missing:  # the host cannot deliver the file: the message replaces the timeline
            page.route("**/*.m4a", lambda route: route.fulfill(status=404, body="not found"))
            page.route("**/*.mp3", lambda route: route.fulfill(status=404, body="not found"))
            page.route("**/*.opus", lambda route: route.fulfill(status=404, body="not found"))
        page.goto(base + EPISODE + "embed/", wait_until="load")
        page.wait_for_selector(".podplayer__ui:not([hidden])")
        if audio_missing:
            page.click(".podplayer__play")
            page.wait_for_selector(".podplayer.has-error")
            assert "nicht laden" in page.inner_text(".podplayer__chapter")
        else:
            page.wait_for_timeout(100)  # a wrongly reported error would show by now
            assert "has-error" not in page.get_attribute(".podplayer", "class")
        # 260 px is the iframe height of the embed code (EMBEDS_PLAYER_HEIGHT)
        assert page.evaluate("document.querySelector('main').getBoundingClientRect().bottom") <= 260
        assert page.evaluate("document.documentElement.scrollHeight") <= 260
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()


@pytest.mark.parametrize("path", ["", "episoden/"])
def test_play_buttons_in_lists_play_in_place(site, visit, path):
    base, _ = site
    one = visit(viewport="mobile", scheme="dark")
    page = one.open(base + path)
    button = page.locator(".play-button").first
    button.wait_for(state="visible")
    found = button.bounding_box()
    assert found["height"] >= 40 and found["width"] >= 44
    url = page.url
    button.click()
    page.wait_for_function(f"{PRESSED} === 'true'")
    # the button now shows the time played: "0:01 / 0:05"
    page.wait_for_function(f"/\\d:\\d\\d \\/ /.test({BUTTON}.textContent)")
    assert page.url == url  # played in place, no navigation
    button.click()
    page.wait_for_function(f"{PRESSED} === 'false'")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert one.errors == []


def test_subscribe_copy_button(site, visit):
    base, _ = site
    one = visit()
    one.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = one.open(base + EPISODE)
    page.click(".podcast-subscribe__copy")
    page.wait_for_function(
        "document.querySelector('.podcast-subscribe__status').textContent !== ''")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.get_attribute(".podcast-subscribe__copy", "data-copy")
    assert copied.endswith("/feeds/podcast.xml")


@pytest.mark.parametrize("path", [EPISODE, EPISODE + "embed/"])
def test_without_javascript_the_native_controls_are_visible(site, visit, path):
    base, _ = site
    page = visit(viewport="mobile", javascript=False).open(base + path)
    audio = box(page, "[data-player] audio")
    assert audio["height"] >= 40 and audio["width"] >= 200
    assert page.locator(".podplayer__ui").is_hidden()
    assert page.locator(".play-button").count() == 0
