"""Headless Chromium over every template, as a reader sees it at 390x844 and 1366x900, light
and dark: nothing wider than the screen, one left edge for text, comments, share and related
boxes, teaser images that really show, a menu button on phones, no console errors."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest
from conftest import CHROMIUM, chromium_available, free_port

from resonanz.check.site import Site
from resonanz.screenshots import all_templates

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason=f"{CHROMIUM} is not installed"),
]

VIEWPORTS = {"mobile": (390, 844), "desktop": (1366, 900)}
# Blocks that share the reading column's left edge (those a page has).
COLUMN_BLOCKS = (".e-content.prose", ".responses", ".share", ".related-posts", ".series-box",
                 ".case-related", ".case-facts", ".article__image", ".case-filter fieldset",
                 ".teaser", ".episode-card", ".page-header")
LISTS = ("index.html", "kategorie/kundendialog/index.html",
         "schlagwort/community-strategie/index.html", "autor/lena-hoffmann/index.html",
         "episoden/index.html")
POST_WITH_EVERYTHING = "2026/01/crm-trend-chatbots/index.html"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def served(demo_site):
    port = free_port()
    handler = functools.partial(_Quiet, directory=str(demo_site.output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}", demo_site.output
    server.shutdown()
    server.server_close()


def open_page(browser, viewport: str, scheme: str):
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height},
                                  color_scheme=scheme, is_mobile=viewport == "mobile",
                                  has_touch=viewport == "mobile")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


def left_edges(page) -> dict[str, float]:
    return page.evaluate(
        """(selectors) => Object.fromEntries(selectors.flatMap(s => {
            const el = document.querySelector('main ' + s);
            if (!el || !el.getClientRects().length) return [];
            return [[s, el.getBoundingClientRect().left]];
        }))""", list(COLUMN_BLOCKS))


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_every_template_fits_the_screen_and_keeps_one_left_edge(served, browser, viewport,
                                                                  scheme):
    base, output = served
    pages = [output.joinpath(p) for p in dict.fromkeys(
        [Site(output).rel(p) for p in all_templates(Site(output))] + [POST_WITH_EVERYTHING])]
    assert len(pages) >= 15, pages
    context, page, errors = open_page(browser, viewport, scheme)
    problems = []
    for path in pages:
        rel = path.relative_to(output).as_posix()
        errors.clear()
        page.goto(f"{base}/{rel}", wait_until="load")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)
                .slice(0, 3).map(e => e.tagName + '.' + e.className)""")
            problems.append(f"{rel}: {overflow} px wider than the screen ({wide})")
        edges = left_edges(page)
        if edges and max(edges.values()) - min(edges.values()) > 2:
            problems.append(f"{rel}: left edges differ: {edges}")
        if errors:
            problems.append(f"{rel}: console errors: {errors}")
    context.close()
    assert problems == []


def test_a_post_lines_up_text_comments_share_series_and_related(served, browser):
    base, _ = served
    for viewport in VIEWPORTS:
        context, page, _ = open_page(browser, viewport, "light")
        page.goto(f"{base}/{POST_WITH_EVERYTHING}", wait_until="load")
        edges = left_edges(page)
        # the boxes the issue named are all there, so the comparison means something
        for needed in (".e-content.prose", ".responses", ".share", ".related-posts", ".series-box"):
            assert needed in edges, (viewport, edges)
        assert max(edges.values()) - min(edges.values()) <= 2, (viewport, edges)
        # a post with a teaser image: the hero is as wide as the text column, no wider
        page.goto(f"{base}/2026/01/crm-trend-personalisierung/", wait_until="load")
        text = page.locator("main .e-content.prose").bounding_box()
        hero = page.locator("main .article__image img").bounding_box()
        assert abs(hero["x"] - text["x"]) <= 2 and hero["width"] <= text["width"] + 1, (
            viewport, hero, text)
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_lists_show_their_teaser_images(served, browser, viewport, scheme):
    base, _ = served
    context, page, errors = open_page(browser, viewport, scheme)
    for rel in LISTS:
        page.goto(f"{base}/{rel}", wait_until="load")
        images = page.locator("main .teaser__image img, main .episode-card__cover img")
        assert images.count() > 0, f"{rel}: no teaser images"
        sizes = []
        for index in range(images.count()):
            image = images.nth(index)
            image.scroll_into_view_if_needed()
            page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                                   arg=image.element_handle(), timeout=5000)
            box = image.bounding_box()
            assert box["width"] >= 80 and box["height"] >= 40, (rel, index, box)
            sizes.append((round(box["width"]), round(box["height"])))
        if rel.startswith("episoden/"):
            assert len(set(sizes)) == 1, f"episode thumbnails differ: {sizes}"
    assert errors == []
    context.close()


def test_teaser_pictures_offer_webp_and_declare_their_size(served, browser):
    base, _ = served
    context, page, _ = open_page(browser, "desktop", "light")
    page.goto(f"{base}/kategorie/kundendialog/", wait_until="load")
    picture = page.locator("main .teaser__image picture").first
    assert picture.locator("source[type='image/webp']").get_attribute("srcset").count("w,") >= 2
    image = picture.locator("img")
    assert int(image.get_attribute("width")) > 0 and int(image.get_attribute("height")) > 0
    assert image.get_attribute("loading") == "lazy"
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=image.element_handle())
    # Chromium chose a WebP variant, and a small one for a 12rem card
    current = image.evaluate("img => img.currentSrc")
    assert current.endswith(".webp"), current
    assert image.evaluate("img => img.naturalWidth") <= 480
    context.close()


def test_phone_header_is_compact_and_the_menu_opens(served, browser):
    base, _ = served
    context, page, _ = open_page(browser, "mobile", "light")
    page.goto(f"{base}/", wait_until="load")
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 90, header
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    assert not nav.is_visible()
    page.get_by_text("Menü", exact=True).click()
    assert nav.is_visible()
    link = nav.get_by_role("link", name="Podcast")
    box = link.bounding_box()
    assert box["height"] >= 40, box  # a finger-sized target
    assert page.locator(".header-search__input").is_visible()
    context.close()
    context, page, _ = open_page(browser, "desktop", "light")
    page.goto(f"{base}/", wait_until="load")
    assert page.get_by_role("navigation", name="Hauptnavigation").is_visible()
    assert not page.get_by_text("Menü", exact=True).is_visible()
    context.close()


def test_case_study_filter_and_copy_button_are_styled(served, browser):
    base, _ = served
    context, page, _ = open_page(browser, "mobile", "light")
    page.goto(f"{base}/fallstudien/", wait_until="load")
    select = page.locator(".case-filter select").first
    styles = select.evaluate("""s => { const c = getComputedStyle(s);
        return {font: parseFloat(c.fontSize), body: parseFloat(getComputedStyle(document.body)
        .fontSize), height: s.getBoundingClientRect().height, radius: c.borderTopLeftRadius}; }""")
    assert styles["font"] == styles["body"] and styles["height"] >= 40, styles
    assert styles["radius"] != "0px", styles
    page.goto(f"{base}/episoden/001-zuhoeren/", wait_until="load")
    button = page.get_by_role("button", name="Code kopieren")
    assert button.is_visible()
    assert button.bounding_box()["height"] >= 40
    assert button.evaluate("b => getComputedStyle(b).borderTopLeftRadius") != "0px"
    context.close()


def test_video_button_stays_on_one_line_on_a_phone(served, browser):
    base, _ = served
    context, page, _ = open_page(browser, "mobile", "light")
    page.goto(f"{base}/2026/03/video-serie-kundenservice/", wait_until="load")
    videos = page.locator(".embed__link")
    assert videos.count() >= 2
    for index in range(videos.count()):
        video = videos.nth(index)
        text = video.locator(".embed__play-text")
        line = text.evaluate("t => parseFloat(getComputedStyle(t).lineHeight)")
        assert text.bounding_box()["height"] < 1.5 * line, "the label wraps"
        play = video.locator(".embed__play").bounding_box()
        title = video.locator(".embed__title").bounding_box()
        assert play["y"] + play["height"] <= title["y"], (index, play, title)
    context.close()


def test_search_results_show_text_not_bylines_or_urls_and_fit_390(served, browser):
    base, _ = served
    context, page, errors = open_page(browser, "mobile", "light")
    page.goto(f"{base}/suche/?q=Sonnenfeld", wait_until="load")
    page.wait_for_selector(".search-result", timeout=20000)
    excerpts = page.locator(".search-result__excerpt").all_inner_texts()
    assert excerpts
    joined = " ".join(excerpts)
    for noise in ("Veröffentlicht am", "Schlagwörter", "http", "Jahr2", "Teilen", "Kommentare"):
        assert noise not in joined, (noise, excerpts)
    assert page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    assert errors == []
    context.close()

