"""sitemap.xml built with lxml; same content, same bytes (no build time in lastmod)."""

from __future__ import annotations

import os
import re
from datetime import datetime

from lxml import etree

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
EXCLUDED = re.compile(r"(^|/)(404\.html|entwuerfe/|.*/embed/)")


def _dates_newest(items) -> datetime | None:
    dates = [getattr(i, "modified", None) or getattr(i, "date", None) for i in items or ()]
    dates = [d for d in dates if d is not None]
    return max(dates) if dates else None


# Long lists are the same few objects on many pages (the context's `dates` and
# `articles` on every page that lists nothing of its own): (list, length, newest date).
_LONG: list[tuple[list, int, datetime | None]] = []


def reset() -> None:
    """Forget the lists of the last build (autoreload builds again in one process)."""
    _LONG.clear()


def _newest(items) -> datetime | None:
    if not isinstance(items, list) or len(items) < 100:
        return _dates_newest(items)
    for known, length, newest in _LONG:
        if known is items and length == len(items):
            return newest
    newest = _dates_newest(items)
    _LONG[:] = [*_LONG[-7:], (items, len(items), newest)]
    return newest


def page_entry(output_path: str, path: str, context: dict) -> tuple[str, object, datetime | None]:
    """(url path, content object or None, lastmod) for one written HTML page."""
    relative = os.path.relpath(path, output_path).replace(os.sep, "/")
    url = re.sub(r"(^|/)index\.html$", r"\1", relative)
    obj = context.get("article") or context.get("page")
    if obj is not None:
        lastmod = getattr(obj, "modified", None) or getattr(obj, "date", None)
        return getattr(obj, "url", url), obj, lastmod
    page = context.get("articles_page")
    listed = page.object_list if page is not None else context.get("dates") or ()
    # a listing changes when its newest entry does; fall back to the newest post
    return url, None, _newest(listed) or _newest(context.get("articles"))


def write_sitemap(filename: str, siteurl: str, entries: list[tuple[str, object, object]]) -> int:
    urlset = etree.Element(f"{{{NS}}}urlset", nsmap={None: NS, "xhtml": XHTML})
    seen = set()
    for url, obj, lastmod in sorted(entries, key=lambda e: e[0]):
        if url in seen or EXCLUDED.search(url):
            continue
        if obj is not None and getattr(obj, "status", "published") != "published":
            continue
        seen.add(url)
        node = etree.SubElement(urlset, f"{{{NS}}}url")
        etree.SubElement(node, f"{{{NS}}}loc").text = f"{siteurl}/{url}"
        if lastmod is not None:
            etree.SubElement(node, f"{{{NS}}}lastmod").text = lastmod.isoformat()
        translations = list(getattr(obj, "translations", ()) or ())
        if translations:
            for item in [obj, *translations]:
                link = etree.SubElement(node, f"{{{XHTML}}}link")
                link.set("rel", "alternate")
                link.set("hreflang", item.lang)
                link.set("href", f"{siteurl}/{item.url}")
    tree = etree.ElementTree(urlset)
    tree.write(filename, encoding="utf-8", xml_declaration=True, pretty_print=True)
    return len(seen)
