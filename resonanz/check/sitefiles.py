"""robots.txt and sitemap.xml: present, well-formed, and naming pages that exist."""

from __future__ import annotations

import re

from lxml import etree

from resonanz.check.links import check_target
from resonanz.check.report import CheckResult
from resonanz.check.site import Site

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def check_robots(site: Site) -> CheckResult:
    result = CheckResult("robots")
    robots = site.root / "robots.txt"
    if not robots.is_file():
        result.error("robots.txt", "", "missing: crawlers and `make publish` expect it at the root")
        return result
    result.checked = 1
    text = robots.read_text("utf-8", "replace")
    if not re.search(r"(?im)^user-agent:", text):
        result.error("robots.txt", "", "no User-agent line")
    for number, line in enumerate(text.splitlines(), 1):
        match = re.match(r"(?i)\s*sitemap:\s*(\S+)", line)
        if match:
            target = site.resolve(match.group(1))
            if target.kind != "local":
                result.error(f"robots.txt:{number}", "Sitemap:",
                             f"{match.group(1)} is not on this site ({site.siteurl})")
            else:
                check_target(site, result, target, f"robots.txt:{number}", "Sitemap:")
    return result


def check_sitemap(site: Site) -> CheckResult:
    result = CheckResult("sitemap")
    sitemap = site.root / "sitemap.xml"
    if not sitemap.is_file():
        result.error("sitemap.xml", "", "missing (the sitemap plugin writes it)")
        return result
    pending = [sitemap]
    seen = set()
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        rel = site.rel(path)
        try:
            tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as exc:
            result.error(rel, "", f"not well-formed XML: {exc}")
            continue
        for loc in tree.iter(f"{{{SITEMAP_NS}}}loc"):
            result.checked += 1
            url = (loc.text or "").strip()
            at = f"{rel}:{loc.sourceline}"
            target = site.resolve(url)
            if target.kind != "local":
                result.error(at, "<loc>", f"{url} is not on this site ({site.siteurl})")
                continue
            check_target(site, result, target, at, f"<loc>{url}</loc>")
            if loc.getparent().tag == f"{{{SITEMAP_NS}}}sitemap" and target.exists:
                pending.append(target.path)  # a sitemap index names more sitemaps
    return result
