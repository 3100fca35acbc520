"""Internal links, images, media, feeds and #anchors resolve; external links are collected."""

from __future__ import annotations

import concurrent.futures
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

from lxml import html

from resonanz.check.report import CheckResult, describe
from resonanz.check.site import Site, Target

logger = logging.getLogger(__name__)

# (element, attribute) pairs whose value is a URL the browser follows or loads.
URL_ATTRIBUTES = (
    ("a", "href"),
    ("area", "href"),
    ("link", "href"),
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("script", "src"),
    ("iframe", "src"),
    ("audio", "src"),
    ("video", "src"),
    ("video", "poster"),
    ("track", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("input", "src"),
)
# OpenGraph/Twitter metadata that names pages and images of this site by absolute URL.
META_URL_PROPERTIES = ("og:url", "og:image", "og:audio", "og:video", "twitter:image")
# Fragments a browser handles without a matching id.
FREE_FRAGMENTS = {"", "top"}
# W3C Media Fragments (#t=90, #t=00:01:30.5): the player seeks there, no id is involved.
MEDIA_FRAGMENT = re.compile(r"^t=(npt:)?[\d:.]*(,[\d:.]+)?$")
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")


def srcset_urls(value: str) -> list[str]:
    """The URLs of a srcset attribute ("a.jpg 1x, b.jpg 2x")."""
    urls = []
    for candidate in value.split(","):
        parts = candidate.strip().split()
        if parts:
            urls.append(parts[0])
    return urls


def page_urls(doc: html.HtmlElement) -> Iterator[tuple[html.HtmlElement, str, str]]:
    """Every (element, attribute, url) of a page, outside <template> (inert until used)."""
    for tag, attribute in URL_ATTRIBUTES:
        for element in doc.iter(tag):
            value = element.get(attribute)
            if value is None or element.xpath("ancestor::template"):
                continue
            values = srcset_urls(value) if attribute == "srcset" else [value]
            for url in values:
                yield element, attribute, url
    for meta in doc.iter("meta"):
        if (meta.get("property") or meta.get("name")) in META_URL_PROPERTIES and meta.get(
            "content"
        ):
            yield meta, "content", meta.get("content")


def css_urls(text: str) -> list[str]:
    return [m.group(2) or m.group(4) for m in CSS_URL.finditer(text)]


def where(site: Site, path: Path, element: html.HtmlElement | None = None) -> str:
    line = getattr(element, "sourceline", None)
    return f"{site.rel(path)}:{line}" if line else site.rel(path)


def check_target(site: Site, result: CheckResult, target: Target, at: str, element: str) -> None:
    """Report a local target that is missing, or an #anchor that its page does not have."""
    if target.kind != "local":
        return
    if not target.exists:
        missing = site.rel(target.path) if target.path else target.url
        result.error(at, element, f"broken link: {missing} does not exist in the output")
        return
    fragment = unquote(target.fragment)
    if fragment in FREE_FRAGMENTS or fragment.startswith(":~:") or MEDIA_FRAGMENT.match(fragment):
        return
    if target.path.suffix in (".html", ".htm") and fragment not in site.ids(target.path):
        result.error(
            at, element, f"broken anchor: {site.rel(target.path)} has no id {fragment!r}"
        )


def check_links(site: Site, externals: dict[str, list[str]]) -> CheckResult:
    """Links of every page and stylesheet; external URLs go into `externals` (url -> places)."""
    result = CheckResult("links")
    for path in site.html_files:
        doc = site.document(path)
        if doc is None:
            continue
        result.checked += 1
        for element, attribute, url in page_urls(doc):
            target = site.resolve(url, path)
            at = where(site, path, element)
            if target.kind == "external":
                if element.tag in ("a", "area"):
                    externals.setdefault(target.url.split("#")[0], []).append(at)
                continue
            check_target(site, result, target, at, describe(element.tag, **{attribute: url}))
    for path in site.files:
        if path.suffix == ".css":
            result.checked += 1
            for url in css_urls(path.read_text("utf-8", "replace")):
                target = site.resolve(url, path)
                check_target(site, result, target, site.rel(path), f"url({url})")
    return result


def check_external(
    externals: dict[str, list[str]], timeout: float = 10.0, workers: int = 8
) -> CheckResult:
    """HEAD (then GET) every external link once; 4xx/5xx and unreachable hosts are errors."""
    result = CheckResult("external")
    urls = sorted(externals)
    result.checked = len(urls)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        for url, problem in zip(urls, pool.map(lambda u: _fetch(u, timeout), urls), strict=True):
            if problem:
                places = externals[url]
                more = f" (and {len(places) - 1} more)" if len(places) > 1 else ""
                result.error(places[0] + more, describe("a", href=url), problem)
    return result


def _fetch(url: str, timeout: float) -> str:
    headers = {"User-Agent": "resonanz-check/1 (+link checker)"}
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read(0)
            return ""
        except urllib.error.HTTPError as exc:
            # some servers refuse HEAD; ask again with GET before calling the link dead
            if method == "HEAD" and exc.code in (400, 403, 405, 501):
                continue
            return f"external link answers HTTP {exc.code}"
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            return f"external link unreachable: {getattr(exc, 'reason', exc)}"
    return "external link refused HEAD and GET"
