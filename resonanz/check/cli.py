"""`python -m resonanz check OUTPUT_DIR`: check a built site like a reader, app and validator."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from urllib.parse import urlsplit

from resonanz.check import (
    a11y,
    browser,
    feeds,
    jsonld,
    lighthouse,
    links,
    loudness,
    resources,
    sitefiles,
    validator,
)
from resonanz.check.report import CheckResult, write_report
from resonanz.check.site import Site

logger = logging.getLogger(__name__)

CHECKS = ("links", "html", "a11y", "axe", "feeds", "podcast", "loudness", "jsonld", "sitemap",
          "robots", "privacy", "weight", "lighthouse", "external")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m resonanz check",
        description="Check a built site: links and anchors, HTML validity (Nu HTML Checker), "
        "accessibility (static rules and axe-core in Chromium), feeds (feedparser, "
        "podcastparser, Apple and Podcasting 2.0 rules), episode loudness (EBU R128), "
        "JSON-LD, sitemap, robots.txt, third-party requests, page weight and Lighthouse "
        "(100 in accessibility, best practices and SEO on the key pages). Exit status 1 "
        "on any error.",
    )
    parser.add_argument("output", type=Path, help="the built site (e.g. output/)")
    parser.add_argument("--siteurl", default="",
                        help="the site's public URL; default: the home page's canonical link")
    parser.add_argument("--map", action="append", default=[], metavar="URL=DIR",
                        help="another URL prefix served from a folder of the output, e.g. "
                        "the PODCAST_MEDIA_URL: https://cdn.example.org/podcast=podcast")
    parser.add_argument("--allow-host", action="append", default=[], metavar="HOST",
                        help="a host pages may load from before consent (your own CDN)")
    parser.add_argument("--budget-kb", type=float, default=resources.DEFAULT_BUDGET_KB,
                        help="HTML+CSS+JS budget per page in KB (default %(default)s)")
    parser.add_argument("--budget", action="append", default=[], metavar="GLOB=KB",
                        help="another budget for pages matching GLOB, e.g. 'suche/*=150'")
    parser.add_argument("--external", action="store_true",
                        help="also request every external link (off by default)")
    parser.add_argument("--list-external", action="store_true",
                        help="print the external links (not checked without --external)")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds per external request (default %(default)s)")
    parser.add_argument("--no-html-validation", action="store_true",
                        help="skip the Nu HTML Checker (needs Java)")
    parser.add_argument("--html-ignore", action="append", default=[], metavar="REGEX",
                        help="ignore validator messages matching REGEX")
    parser.add_argument("--no-browser", action="store_true",
                        help="skip axe-core and Lighthouse in headless Chromium")
    parser.add_argument("--axe-page", action="append", default=[], metavar="PATH",
                        help="page (relative to OUTPUT) for axe; default: one per template")
    parser.add_argument("--loudness-cache", type=Path, default=Path(".cache/loudness"),
                        help="folder for loudness figures by audio content hash "
                        "(default %(default)s; '' = measure every time)")
    parser.add_argument("--java", default="", help="java executable (default: $JAVA or PATH)")
    parser.add_argument("--chromium", default="", help="Chromium executable")
    parser.add_argument("--only", action="append", choices=CHECKS, default=[],
                        help="run only these checks (repeatable)")
    parser.add_argument("--skip", action="append", choices=CHECKS, default=[],
                        help="skip these checks (repeatable)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    return parser


def parse_map(values: list[str]) -> dict[str, str]:
    mapping = {}
    for value in values:
        url, sep, folder = value.partition("=")
        if not sep or not url.startswith(("http://", "https://")):
            raise ValueError(f"--map {value!r}: expected URL=FOLDER, e.g. "
                             "https://cdn.example.org/podcast=podcast")
        mapping[url] = folder.strip("/") or "."
    return mapping


def parse_budgets(values: list[str]) -> dict[str, float]:
    budgets = {}
    for value in values:
        glob, sep, kb = value.rpartition("=")
        try:
            budgets[glob] = float(kb)
        except ValueError:
            sep = ""
        if not sep or not glob:
            raise ValueError(f"--budget {value!r}: expected GLOB=KB, e.g. 'suche/*=150'")
    return budgets


def receiver_hosts(root: Path) -> frozenset[str]:
    """Host of the receiver named in `_resonanz/targets.json` (responses plugin), if any."""
    try:
        receiver = json.loads((root / "_resonanz" / "targets.json").read_text())["receiver"]
    except (OSError, ValueError, KeyError, TypeError):
        return frozenset()
    host = urlsplit(receiver).netloc.lower() if isinstance(receiver, str) else ""
    return frozenset({host} if host else ())


def run_checks(site: Site, args: argparse.Namespace) -> list[CheckResult]:
    """Run the selected checks in a fixed order; skipped ones appear in the summary too."""
    wanted = set(args.only or CHECKS) - set(args.skip)
    if "external" not in args.only and not args.external:
        wanted.discard("external")
    # the site's own receiver (comment form) is first party, as the build's targets list says
    allowed = frozenset(args.allow_host) | receiver_hosts(site.root)
    results: list[CheckResult] = []
    externals: dict[str, list[str]] = {}

    def skipped(name: str, why: str) -> None:
        results.append(CheckResult(name, skipped=why))

    if "links" in wanted or "external" in wanted:
        # the link walk also collects the external links, so it runs for --external alone too
        result = links.check_links(site, externals)
        result.note = f"{len(externals)} external links" + (
            "" if args.external else " (not requested; --external checks them)")
        if "links" in wanted:
            results.append(result)
    if "html" in wanted and not args.no_html_validation:
        results.append(validator.check_html(site, java=args.java, ignore=args.html_ignore))
    elif "html" in wanted:
        skipped("html", "--no-html-validation")
    if "a11y" in wanted:
        results.append(a11y.check_accessibility(site))
    if "axe" in wanted and not args.no_browser:
        pages = [site.root / p for p in args.axe_page] or None
        results.append(browser.check_axe(site, pages, args.chromium, allowed))
    elif "axe" in wanted:
        skipped("axe", "--no-browser")
    if "feeds" in wanted or "podcast" in wanted:
        feed_result, podcast_result = feeds.check_feeds(site)
        if not podcast_result.checked:
            podcast_result.note = "no podcast feed (itunes namespace) found"
        results += [r for r in (feed_result, podcast_result) if r.name in wanted]
    if "loudness" in wanted:
        cache = loudness.LoudnessCache(args.loudness_cache if str(args.loudness_cache) not in
                                       ("", ".") else None)
        results.append(loudness.check_loudness(site, loudness.podcast_feeds(site), cache))
    if "jsonld" in wanted:
        results.append(jsonld.check_jsonld(site))
    if "sitemap" in wanted:
        results.append(sitefiles.check_sitemap(site))
    if "robots" in wanted:
        results.append(sitefiles.check_robots(site))
    if "privacy" in wanted:
        results.append(resources.check_privacy(site, allowed))
    if "weight" in wanted:
        results.append(resources.check_weight(site, args.budget_kb, args.budgets))
    if "lighthouse" in wanted and not args.no_browser:
        results.append(lighthouse.check_lighthouse(site, args.chromium))
    elif "lighthouse" in wanted:
        skipped("lighthouse", "--no-browser")
    if "external" in wanted:
        results.append(links.check_external(externals, timeout=args.timeout))
    if args.list_external:
        for url in sorted(externals):
            print(f"EXTERNAL {url} (first on {externals[url][0]})")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not args.output.is_dir():
        print(f"check: {args.output}: not a directory; build the site first (make html)",
              file=sys.stderr)
        return 2
    try:
        site = Site(args.output, siteurl=args.siteurl, url_map=parse_map(args.map))
        args.budgets = parse_budgets(args.budget)
    except ValueError as exc:
        print(f"check: {exc}", file=sys.stderr)
        return 2
    print(f"checking {site.root} as {site.siteurl} ({len(site.html_files)} pages, "
          f"{len(site.feed_files)} feeds)")
    results = run_checks(site, args)
    errors = write_report(results, sys.stdout, show_warnings=not args.quiet)
    return 1 if errors else 0
