"""axe-core in headless Chromium over one page of each template, in light and dark mode."""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

from resonanz.check.report import CheckResult
from resonanz.check.site import Site

logger = logging.getLogger(__name__)

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
BLOCKING_IMPACTS = ("serious", "critical")
COLOR_SCHEMES = ("light", "dark")
MAX_TEMPLATE_PAGES = 20


def find_chromium(configured: str = "") -> str | None:
    for candidate in (configured, os.environ.get("RESONANZ_CHROMIUM", ""), *CHROMIUM_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("chromium")


def template_signature(site: Site, path: Path) -> tuple:
    """Pages of one template share body class and JSON-LD types; one of each is enough."""
    doc = site.document(path)
    if doc is None:
        return ("",)
    body = doc.find(".//body")
    classes = tuple(sorted((body.get("class") or "").split())) if body is not None else ()
    types = set()
    for script in doc.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except json.JSONDecodeError:
            continue
        for node in data if isinstance(data, list) else [data]:
            if isinstance(node, dict):
                types.add(str(node.get("@type")))
    return classes, tuple(sorted(types)), Path(site.rel(path)).parts[0] == "index.html"


def template_pages(site: Site) -> list[Path]:
    """The home page plus the first page of each other template (at most MAX_TEMPLATE_PAGES)."""
    chosen: dict[tuple, Path] = {}
    home = site.root / "index.html"
    if home.is_file():
        chosen[template_signature(site, home)] = home
    for path in site.html_files:
        chosen.setdefault(template_signature(site, path), path)
    return list(chosen.values())[:MAX_TEMPLATE_PAGES]


def check_axe(site: Site, pages: list[Path] | None = None, chromium: str = "",
              allowed_hosts: frozenset[str] = frozenset()) -> CheckResult:
    """Zero serious or critical axe violations; also no request to another host at runtime."""
    result = CheckResult("axe")
    executable = find_chromium(chromium)
    if executable is None:
        result.error("(setup)", "chromium", "Chromium not found (Debian: apt install chromium) "
                     "or skip the browser checks with --no-browser")
        return result
    try:
        from axe_playwright_python.sync_playwright import Axe
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        result.error("(setup)", "python", f"{exc}: pip install playwright "
                     "axe-playwright-python==0.1.8")
        return result
    pages = template_pages(site) if pages is None else pages
    allowed = {h.lower() for h in allowed_hosts} | site.own_hosts
    axe = Axe()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            context.route("**/*", lambda route: _serve(site, route, allowed, result))
            page = context.new_page()
            for path in pages:
                result.checked += 1
                _audit(site, page, axe, path, result)
        finally:
            browser.close()
    result.note = f"{len(pages)} template pages x {len(COLOR_SCHEMES)} colour schemes"
    return result


def _serve(site: Site, route, allowed: set[str], result: CheckResult) -> None:
    """Answer requests from the output folder; a request to another host is a finding."""
    url = route.request.url
    target = site.resolve(url)
    if target.kind == "local" and target.exists:
        route.fulfill(path=str(target.path))
    elif target.kind == "local":
        route.fulfill(status=404, body="not in the output")
    else:
        host = url.split("/")[2] if "://" in url else url
        if host.lower() not in allowed:
            page = route.request.frame.url if route.request.frame else ""
            result.error(site.rel(site.resolve(page).path) if page else "(browser)",
                         f"request {url[:100]}",
                         f"page asks third-party host {host} without consent")
        route.abort()


def _audit(site: Site, page, axe, path: Path, result: CheckResult) -> None:
    rel = site.rel(path)
    try:
        page.goto(site.url_of(path), wait_until="load")
    except Exception as exc:  # playwright errors have many types; the page is what matters
        result.error(rel, "", f"Chromium could not load the page: {exc}")
        return
    # Dark mode has its own colours, so contrast is audited in both schemes.
    for scheme in COLOR_SCHEMES:
        try:
            page.emulate_media(color_scheme=scheme)
            response = axe.run(page).response
        except Exception as exc:  # as above
            result.error(rel, "", f"axe could not run ({scheme} mode): {exc}")
            continue
        for violation in response.get("violations", []):
            _report_violation(rel, scheme, violation, result)


def _report_violation(rel: str, scheme: str, violation: dict, result: CheckResult) -> None:
    impact = violation.get("impact") or "minor"
    nodes = violation.get("nodes", [])
    sample = nodes[0].get("target", [""])[0] if nodes else ""
    element = sample if isinstance(sample, str) else json.dumps(sample)
    message = (f"axe {violation.get('id')} ({impact}, {scheme} mode): {violation.get('help')}"
               f"; {len(nodes)} element(s)")
    # axe's first reason names the measured values (e.g. the contrast ratio and colours)
    reasons = (nodes[0].get("failureSummary") or "").splitlines()[1:2] if nodes else []
    if reasons:
        message += f"; {reasons[0].strip()[:200]}"
    if impact in BLOCKING_IMPACTS:
        result.error(rel, element, message)
    else:
        result.warning(rel, element, message)
