"""Structured data: every JSON-LD block parses, names schema.org, and has its required fields."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

from resonanz.check.links import check_target
from resonanz.check.report import CheckResult
from resonanz.check.site import Site

# Properties Google's rich results and schema.org consumers need, by @type, for the things a
# page is about (top-level objects and @graph members).
REQUIRED = {
    "Article": ("headline", "datePublished", "author"),
    "BlogPosting": ("headline", "datePublished", "author", "publisher"),
    "NewsArticle": ("headline", "datePublished", "author"),
    "BreadcrumbList": ("itemListElement",),
    "ListItem": ("position",),
    "Organization": ("name",),
    "Person": ("name",),
    "WebSite": ("name", "url"),
    "WebPage": ("name", "url"),
    "CollectionPage": ("name", "url"),
    "ImageObject": ("url",),
    "PodcastSeries": ("name", "url"),
    "PodcastEpisode": ("name", "url", "datePublished", "associatedMedia"),
    "AudioObject": ("contentUrl",),
    "CaseStudy": ("name",),
}
# Nested objects are often mere references ({"@type": "Article", "name", "url"}): only these
# structural properties are required of them.
REQUIRED_NESTED = {"ListItem": ("position",)}
DATE_KEYS = ("datePublished", "dateModified", "dateCreated", "uploadDate")
# Properties holding a URL of this site: they must lead to a file in the output.
URL_KEYS = ("url", "item", "mainEntityOfPage", "contentUrl", "image", "logo", "thumbnailUrl")


def nodes(data: object, depth: int = 0) -> Iterator[tuple[dict, bool]]:
    """(object, is_main) for every JSON object with an @type; main = top level or @graph."""
    if isinstance(data, dict):
        if "@type" in data:
            yield data, depth == 0
        for key, value in data.items():
            yield from nodes(value, depth if key == "@graph" else depth + 1)
    elif isinstance(data, list):
        for value in data:
            yield from nodes(value, depth)


def check_jsonld(site: Site) -> CheckResult:
    result = CheckResult("jsonld")
    for path in site.html_files:
        doc = site.document(path)
        if doc is None:
            continue
        for script in doc.xpath('//script[@type="application/ld+json"]'):
            result.checked += 1
            at = f"{site.rel(path)}:{script.sourceline}"
            element = '<script type="application/ld+json">'
            try:
                data = json.loads(script.text or "")
            except json.JSONDecodeError as exc:
                result.error(at, element, f"JSON-LD does not parse: {exc}")
                continue
            tops = data if isinstance(data, list) else [data]
            for top in tops:
                if not isinstance(top, dict):
                    result.error(at, element, f"JSON-LD top level is {type(top).__name__}")
                    continue
                if "schema.org" not in str(top.get("@context", "")):
                    result.error(at, element, f"@context = {top.get('@context')!r}: "
                                 "expected https://schema.org")
                if "@type" not in top and "@graph" not in top:
                    result.error(at, element, "top-level object has no @type")
            for node, is_main in nodes(data):
                _check_node(site, result, node, is_main, at, element)
    return result


def _check_node(
    site: Site, result: CheckResult, node: dict, is_main: bool, at: str, element: str
) -> None:
    types = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
    required = REQUIRED if is_main else REQUIRED_NESTED
    for type_name in types:
        for key in required.get(type_name, ()):
            if node.get(key) in (None, "", [], {}):
                result.error(at, element, f"{type_name} has no {key}")
    for key in DATE_KEYS:
        value = node.get(key)
        if value is not None:
            try:
                datetime.datetime.fromisoformat(str(value))
            except ValueError:
                result.error(at, element, f"{types[0]}.{key} = {value!r}: not ISO 8601")
    for key in URL_KEYS:
        value = node.get(key)
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            check_target(site, result, site.resolve(value), at, f"{types[0]}.{key}")
