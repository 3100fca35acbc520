"""Lighthouse (npm, 12.x, in tools/lighthouse/) on key pages, mobile settings, Debian's Chromium.

Accessibility, best practices and SEO must score 100 (a gate); performance is reported, not
gated: its timings vary with the load on a shared machine. The search page says `noindex`
on purpose, so its crawlability audit is left out of its SEO score, and nothing else is.
"""

from __future__ import annotations

import functools
import http.server
import json
import logging
import os
import shutil
import subprocess
import threading
from pathlib import Path

from resonanz.check.browser import find_chromium
from resonanz.check.report import CheckResult
from resonanz.check.site import Site

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
LIGHTHOUSE_DIR = ROOT / "tools" / "lighthouse"
GATED = ("accessibility", "best-practices", "seo")
CATEGORIES = ("performance", *GATED)
# Audits a page may fail on purpose: (page kind, audit id).
EXEMPT = {("search", "is-crawlable")}
PERFORMANCE_TARGET = 95
TIMEOUT_S = 180
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"


def lighthouse_cli(folder: Path = LIGHTHOUSE_DIR) -> Path | None:
    cli = folder / "node_modules" / "lighthouse" / "cli" / "index.js"
    return cli if cli.is_file() else None


def key_pages(site: Site) -> dict[str, Path]:
    """Home, a post with comments, an episode, a case study and the search page, if built."""
    pages: dict[str, Path] = {}
    home = site.root / "index.html"
    if home.is_file():
        pages["home"] = home
    wanted = {
        "post": lambda doc: doc.xpath('//article[contains(@class,"article")]'
                                      '//li[contains(@class,"responses-comment")]'),
        "episode": lambda doc: doc.xpath('//body[contains(@class,"is-episode")]'),
        "case-study": lambda doc: doc.xpath('//article[contains(@class,"case-study")]'),
        "search": lambda doc: doc.xpath('//form[@data-search-form]'),
    }
    for path in site.html_files:
        missing = [kind for kind in wanted if kind not in pages]
        if not missing:
            break
        doc = site.document(path)
        if doc is None:
            continue
        for kind in missing:
            if wanted[kind](doc):
                pages[kind] = path
                break
    return pages


def category_score(report: dict, category: str, exempt: set[str]) -> tuple[int, list[dict]]:
    """The category's score in percent without the exempt audits, and the audits below 1.

    Lighthouse's own rule: the weighted mean of the scored audits; audits that do not apply
    (or are manual or informative) have no score and do not count.
    """
    audits = report["audits"]
    total = weighted = 0.0
    failing = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = audits.get(ref["id"], {})
        if ref["id"] in exempt or ref.get("weight", 0) == 0 or audit.get("score") is None:
            continue
        total += ref["weight"]
        weighted += ref["weight"] * audit["score"]
        if audit["score"] < 1:
            failing.append(audit)
    return (round(100 * weighted / total) if total else 100), failing


def _describe(audit: dict) -> str:
    items = (audit.get("details") or {}).get("items") or []
    first = items[0] if items else {}
    node = first.get("node", {}) if isinstance(first, dict) else {}
    where = node.get("selector") or first.get("url", "") if isinstance(first, dict) else ""
    text = f"{audit.get('id')}: {audit.get('title')}"
    if audit.get("displayValue"):
        text += f" ({audit['displayValue']})"
    if where:
        text += f"; e.g. {str(where)[:100]}"
    return text


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def check_lighthouse(site: Site, chromium: str = "", node: str = "") -> CheckResult:
    """Run Lighthouse on the key pages over a local HTTP server; one finding per failed audit."""
    result = CheckResult("lighthouse")
    executable = find_chromium(chromium)
    node = node or shutil.which("node") or ""
    cli = lighthouse_cli()
    if not executable or not node or cli is None:
        result.error("(setup)", "lighthouse",
                     "needs Chromium, node and tools/lighthouse/node_modules: run "
                     "`make lighthouse` (npm ci in tools/lighthouse), or --skip lighthouse")
        return result
    pages = key_pages(site)
    handler = functools.partial(_Quiet, directory=str(site.root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    scores: list[str] = []
    try:
        for kind, path in pages.items():
            result.checked += 1
            rel = site.rel(path)
            url = base + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
            report = _run(node, cli, executable, url, result, rel)
            if report is None:
                continue
            exempt = {audit for page_kind, audit in EXEMPT if page_kind == kind}
            line = []
            for category in CATEGORIES:
                score, failing = category_score(report, category, exempt)
                line.append(f"{category[:4]} {score}")
                if category in GATED and score < 100:
                    for audit in failing:
                        result.error(rel, f"lighthouse {category} {score}", _describe(audit))
                elif category == "performance" and score < PERFORMANCE_TARGET:
                    result.warning(rel, "lighthouse performance",
                                   f"{score} (target {PERFORMANCE_TARGET}, not gated: timings "
                                   "vary on a shared machine; make bench measures it)")
            scores.append(f"{kind}: " + "/".join(s.split()[1] for s in line))
    finally:
        server.shutdown()
        server.server_close()
    result.note = "perf/a11y/bp/seo " + ", ".join(scores) if scores else "no key page found"
    return result


def _run(node: str, cli: Path, chrome: str, url: str, result: CheckResult,
         rel: str) -> dict | None:
    command = [node, str(cli), url, "--output=json", "--output-path=stdout", "--quiet",
               f"--chrome-flags={CHROME_FLAGS}",
               "--only-categories=" + ",".join(CATEGORIES)]
    env = {**os.environ, "CHROME_PATH": chrome}
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env,
                              timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        result.error(rel, "lighthouse", f"no report within {TIMEOUT_S} s")
        return None
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        result.error(rel, "lighthouse", f"exit {done.returncode}, no report: {' / '.join(tail)}")
        return None
    if report.get("runtimeError"):
        result.error(rel, "lighthouse", f"runtime error: {report['runtimeError']}")
        return None
    return report
