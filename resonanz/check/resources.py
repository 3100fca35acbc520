"""What a page loads before any click: nothing from other hosts, and within the weight budget."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import html

from resonanz.check.links import css_urls, page_urls, where
from resonanz.check.report import CheckResult, describe
from resonanz.check.site import Site

# <link rel> values that make the browser fetch (or connect) at once.
FETCHING_RELS = {
    "stylesheet",
    "icon",
    "shortcut",
    "apple-touch-icon",
    "preload",
    "prefetch",
    "preconnect",
    "dns-prefetch",
    "modulepreload",
    "manifest",
    "prerender",
}
DEFAULT_BUDGET_KB = 60
# Pages that are tools, not reading: the browser CMS (plugins/resonanz_cms) is Decap's
# 5 MB bundle, loaded by editors only. `--budget` overrides these.
TOOL_BUDGETS_KB = {"admin/*": 6 * 1024}
STYLE_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")


def loads_at_once(element: html.HtmlElement, attribute: str) -> bool:
    """Does the browser request this URL while rendering, before anyone clicks?"""
    tag = element.tag
    if tag in ("a", "area", "meta"):
        return False
    if tag == "link":
        rels = set((element.get("rel") or "").lower().split())
        return bool(rels & FETCHING_RELS)
    if tag in ("audio", "video") and attribute == "src":
        return (element.get("preload") or "").lower() != "none"
    if tag in ("source", "track"):
        media = element.getparent()
        if media is not None and media.tag in ("audio", "video"):
            return (media.get("preload") or "").lower() != "none"
    if tag == "input":
        return (element.get("type") or "").lower() == "image"
    return True


def check_privacy(site: Site, allowed_hosts: frozenset[str] = frozenset()) -> CheckResult:
    """No request to another host before consent: scripts, styles, images, frames, fonts."""
    result = CheckResult("privacy")
    allowed = {h.lower() for h in allowed_hosts} | site.own_hosts
    for path in site.html_files:
        doc = site.document(path)
        if doc is None:
            continue
        result.checked += 1
        for element, attribute, url in page_urls(doc):
            if not loads_at_once(element, attribute):
                continue
            target = site.resolve(url, path)
            host = target.url.split("/")[2].lower() if target.kind == "external" else ""
            if host and host not in allowed:
                result.error(
                    where(site, path, element),
                    describe(element.tag, **{attribute: url}),
                    f"loads from third-party host {host} before consent",
                )
        for element in doc.xpath("//*[@style]"):
            for url in STYLE_URL.findall(element.get("style")):
                _third_party(site, path, url, allowed, result, where(site, path, element))
    for path in site.files:
        if path.suffix == ".css":
            for url in css_urls(path.read_text("utf-8", "replace")):
                _third_party(site, path, url, allowed, result, site.rel(path))
    return result


def _third_party(
    site: Site, path: Path, url: str, allowed: set[str], result: CheckResult, at: str
) -> None:
    target = site.resolve(url, path)
    if target.kind == "external":
        host = target.url.split("/")[2].lower()
        if host not in allowed:
            result.error(at, f"url({url})", f"loads from third-party host {host} before consent")


def page_weight(site: Site, path: Path) -> tuple[int, list[Path]]:
    """Bytes of the page's HTML plus the local CSS and JS it loads (images and audio excluded)."""
    doc = site.document(path)
    total = path.stat().st_size
    assets: list[Path] = []
    if doc is None:
        return total, assets
    for element, attribute, url in page_urls(doc):
        is_css = element.tag == "link" and "stylesheet" in (element.get("rel") or "").split()
        is_js = element.tag == "script" and attribute == "src"
        if not (is_css or is_js):
            continue
        target = site.resolve(url, path)
        if target.kind == "local" and target.exists and target.path not in assets:
            assets.append(target.path)
            total += target.path.stat().st_size
    return total, assets


def check_weight(
    site: Site, budget_kb: float = DEFAULT_BUDGET_KB, exceptions: dict[str, float] | None = None
) -> CheckResult:
    """HTML+CSS+JS of each page under the budget, before compression.

    `exceptions` maps a glob of output paths (e.g. "suche/*") to its own budget in KB.
    """
    result = CheckResult("weight")
    exceptions = {**TOOL_BUDGETS_KB, **(exceptions or {})}
    heaviest = (0, "")
    for path in site.html_files:
        result.checked += 1
        rel = Path(site.rel(path))
        page_budget_kb = next(
            (kb for glob, kb in exceptions.items() if rel.match(glob)), budget_kb
        )
        budget = int(page_budget_kb * 1024)
        total, assets = page_weight(site, path)
        if not any(rel.match(glob) for glob in TOOL_BUDGETS_KB):  # what readers load
            heaviest = max(heaviest, (total, site.rel(path)))
        if total > budget:
            parts = ", ".join(
                f"{site.rel(p)} {p.stat().st_size / 1024:.1f} KB" for p in [path, *assets]
            )
            result.error(
                site.rel(path),
                "",
                f"page weight {total / 1024:.1f} KB exceeds the budget of {page_budget_kb:g} KB "
                f"(HTML+CSS+JS: {parts})",
            )
    if heaviest[1]:
        result.note = f"budget {budget_kb:g} KB; heaviest {heaviest[0] / 1024:.1f} KB {heaviest[1]}"
    return result
