"""Headless Chromium: responses on a page, an episode and a case study, as a reader sees them."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest
from conftest import CHROMIUM, build_site, chromium_available, free_port
from test_responses_entries import make_content
from test_responses_site import with_responses

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason=f"{CHROMIUM} is not installed"),
]

# page -> (comment id, author) in thread order: each answers the one before
PAGES = {
    "zuhoeren/": [("page-1", "Sina"), ("page-2", "Tom"), ("page-3", "Uwe")],
    "episoden/001-zuhoeren/": [("ep-1", "Edda"), ("ep-2", "Finn")],
    "fallstudien/velo-verde-reparaturcafe/": [("cs-1", "Gina")],
}
SIZES = {"phone": (390, 844), "desktop": (1366, 900)}

# The contrast of a text against the first opaque background behind it (WCAG formula).
CONTRAST = """(element) => {
  const rgb = (value) => (value.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const channel = (c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  let node = element, background = null;
  while (node && node.nodeType === 1) {
    const color = rgb(getComputedStyle(node).backgroundColor);
    if (color.length === 3 || (color.length === 4 && color[3] > 0.9)) { background = color; break; }
    node = node.parentElement;
  }
  background = background || [255, 255, 255];
  const a = luminance(rgb(getComputedStyle(element).color).slice(0, 3));
  const b = luminance(background.slice(0, 3));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    content = make_content(tmp_path_factory.mktemp("entries-browser") / "content")
    output = content.parent / "output"
    result = build_site(content, output, **with_responses(SUMMARY_MAX_LENGTH=None))
    assert result.error is None, result.error
    port = free_port()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(_Quiet, directory=str(output)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("path", sorted(PAGES))
def test_comments_are_visible_and_readable(site_url, browser, path, size, scheme, tmp_path):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height},
                                  color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{site_url}/{path}", wait_until="load")
    section = page.locator("#antworten")
    section.scroll_into_view_if_needed()
    assert section.is_visible()
    # no sideways scrolling on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    lefts = []
    for ident, name in PAGES[path]:
        body = section.locator(f"#antwort-{ident} > article > .responses-comment__body")
        body.scroll_into_view_if_needed()
        box = body.bounding_box()
        assert box and box["width"] > 100 and box["height"] >= 14, (name, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (name, box)
        assert body.is_visible() and body.inner_text().strip() == f"Hallo von {name}"
        size_px = float(body.evaluate("e => getComputedStyle(e).fontSize").rstrip("px"))
        assert size_px >= 14, (name, size_px)
        assert body.evaluate(CONTRAST) >= 4.5, (name, scheme)
        lefts.append(box["x"])
    # each answer sits to the right of the comment it answers
    assert lefts == sorted(set(lefts))
    page.screenshot(path=str(tmp_path / f"{size}-{scheme}.png"), full_page=False)
    context.close()


def test_closed_legal_page_shows_no_comment_area(site_url, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{site_url}/impressum/", wait_until="load")
    assert page.locator("#antworten").count() == 0
    page.goto(f"{site_url}/alt/", wait_until="load")
    assert page.get_by_text("Kommentare sind für diesen Eintrag geschlossen.").is_visible()
    context.close()
