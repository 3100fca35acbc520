"""`python -m resonanz screenshots OUTPUT_DIR`: PNGs of every template for review, not for tests.

One page per template (the same choice the axe check makes), each at a desktop and a
mobile viewport, in light and dark mode, written to a folder outside the output so a
deploy never ships them.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from pathlib import Path

from resonanz.check.browser import CHROMIUM_ARGS, find_chromium, template_pages
from resonanz.check.site import Site

logger = logging.getLogger(__name__)

VIEWPORTS = {"desktop": (1366, 900), "mobile": (390, 844)}
COLOR_SCHEMES = ("light", "dark")
# Templates that share a body class and JSON-LD type with another (so the axe check's
# choice takes only one of them), and a post with comments: one page of each, if built.
EXTRA_PAGES = (
    "kategorie/*/index.html", "schlagwort/*/index.html", "autor/*/index.html",
    "kategorie/index.html", "schlagwort/index.html", "autor/index.html", "archiv/index.html",
    "fallstudien/index.html", "2026/01/crm-trend-chatbots/index.html",
)
# Pages taller than this are cut: a review wants the layout, not a 30 000 px strip.
MAX_HEIGHT = 6000


def shot_name(rel: str, viewport: str, scheme: str) -> str:
    """`episoden/001-x/index.html` -> `episoden-001-x--mobile-dark.png`; the home page is `home`."""
    stem = re.sub(r"(^|/)index\.html$", "", rel).strip("/") or "home"
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")
    return f"{stem}--{viewport}-{scheme}.png"


def take_screenshots(site: Site, out: Path, chromium: str = "",
                     pages: list[Path] | None = None) -> list[Path]:
    """Write one PNG per page, viewport and colour scheme; return their paths."""
    from playwright.sync_api import sync_playwright

    executable = find_chromium(chromium)
    if executable is None:
        raise RuntimeError("Chromium not found (Debian: apt install chromium)")
    out.mkdir(parents=True, exist_ok=True)
    pages = all_templates(site) if pages is None else pages
    written: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            for viewport, (width, height) in VIEWPORTS.items():
                for scheme in COLOR_SCHEMES:
                    context = browser.new_context(
                        viewport={"width": width, "height": height}, color_scheme=scheme,
                        is_mobile=viewport == "mobile", has_touch=viewport == "mobile",
                        device_scale_factor=1)
                    context.route("**/*", lambda route: _serve(site, route))
                    page = context.new_page()
                    for path in pages:
                        written.append(_shoot(site, page, path, out, viewport, scheme))
                    context.close()
        finally:
            browser.close()
    return written


def all_templates(site: Site) -> list[Path]:
    """One page per template: the axe check's choice plus EXTRA_PAGES, each file once."""
    pages = template_pages(site)
    for pattern in EXTRA_PAGES:
        found = sorted(site.root.glob(pattern))
        if found and found[0] not in pages:
            pages.append(found[0])
    return pages


def _serve(site: Site, route) -> None:
    target = site.resolve(route.request.url)
    if target.kind == "local" and target.exists:
        route.fulfill(path=str(target.path))
    else:
        # nothing leaves the machine: third-party requests would also break the privacy promise
        route.abort()


def _shoot(site: Site, page, path: Path, out: Path, viewport: str, scheme: str) -> Path:
    rel = site.rel(path)
    page.goto(site.url_of(path), wait_until="load")
    # lazy images below the fold load only when scrolled to; the review wants to see them
    page.evaluate("document.querySelectorAll('img[loading=lazy]')"
                  ".forEach(i => i.loading = 'eager')")
    page.wait_for_load_state("networkidle")
    height = page.evaluate("document.documentElement.scrollHeight")
    width = page.viewport_size["width"]
    target = out / shot_name(rel, viewport, scheme)
    # a clip outside the viewport needs full_page, or the shot stops at the first screen
    page.screenshot(path=str(target), full_page=True,
                    clip=None if height <= MAX_HEIGHT else
                    {"x": 0, "y": 0, "width": width, "height": MAX_HEIGHT})
    logger.info("%s", target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m resonanz screenshots",
        description="PNGs of one page per template: desktop 1366x900 and mobile 390x844, "
        "light and dark mode.")
    parser.add_argument("output", type=Path, help="the built site (e.g. output/)")
    parser.add_argument("--out", type=Path, default=Path("screenshots"),
                        help="folder for the PNGs (default %(default)s; keep it outside output/)")
    parser.add_argument("--page", action="append", default=[], metavar="PATH",
                        help="page relative to OUTPUT (repeatable); default: one per template")
    parser.add_argument("--chromium", default="", help="Chromium executable")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not args.output.is_dir():
        print(f"screenshots: {args.output}: not a directory; build the site first (make html)",
              file=sys.stderr)
        return 2
    if args.out.resolve().is_relative_to(args.output.resolve()):
        print(f"screenshots: --out {args.out}: inside the output; a deploy would publish the "
              "PNGs, choose a folder outside it (e.g. screenshots/)", file=sys.stderr)
        return 2
    site = Site(args.output)
    pages = [args.output / p for p in args.page] or None
    try:
        written = take_screenshots(site, args.out, args.chromium, pages)
    except RuntimeError as exc:
        print(f"screenshots: {exc}", file=sys.stderr)
        return 2
    print(f"screenshots: {len(written)} PNGs in {args.out}")
    return 0
