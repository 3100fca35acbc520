"""Incremental search index: Pagefind on the pages changed since the main bundle only.

The main bundle (SEARCH_BUNDLE_DIR) is what a full Pagefind run made. The cache keeps,
per page of it, the sha256 it was built from and its result id (Pagefind 1.5.2 names a
page's fragment `<lang>_<hash of the fragment>.pf_fragment`, and `result.id` in its JS
API is that name without the extension). A build whose pages differ from the main
bundle's in only a few pages runs Pagefind on those into a delta bundle inside the main
one (`delta-<fingerprint>/`) and writes `delta.json`: the delta's folder, the main
bundle's result ids to hide (changed and removed pages) and the filter values those
pages add to the main bundle's counts, and the language indexes of both bundles.
search.js merges the delta (where it has the search page's language) and drops the
hidden results. Pagefind's run time grows with the pages it reads (about 1 ms per page plus
20 ms), so one edited post costs tens of milliseconds instead of seconds at 2,000 posts.

Every step leaves a consistent bundle when a build is killed: the delta folder is
renamed into place under a new name, then the manifest is replaced by a rename, then
older delta folders are removed; a full run replaces the whole bundle folder first and
records it after (the record names the bundle by the sha256 of its pagefind-entry.json,
so a bundle the record does not describe means a full run).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .pagefind_runner import PagefindRun

logger = logging.getLogger(__name__)

MANIFEST = "delta.json"
EMPTY = {"bundle": None, "hide": [], "filters": {}, "changed": 0, "removed": 0,
         "languages": {}, "delta_languages": {}}
PREFIX = "delta-"
# below this many pages a delta is always allowed: Pagefind on 50 pages takes ~0.07 s
AUTO_MIN = 50
# above it, 5 % of the pages: a delta of that size costs less than a tenth of a full run,
# and results of the delta are ranked by its own word statistics, so it is kept small
AUTO_SHARE = 0.05


def limit(setting: int | None, pages: int) -> int:
    """The most changed plus removed pages a delta may have (SEARCH_DELTA_MAX; None:
    max(50, 5 % of the pages); 0: never a delta)."""
    if setting is None:
        return max(AUTO_MIN, int(pages * AUTO_SHARE))
    return setting


def main_record(record: Path) -> Path:
    """Where the main bundle's pages are recorded: beside the index record."""
    return record.with_name("search-main.json")


def _entry_digest(bundle: Path) -> str | None:
    try:
        return hashlib.sha256((bundle / "pagefind-entry.json").read_bytes()).hexdigest()
    except OSError:
        return None


def page_url(relative: str) -> str:
    """The URL Pagefind gives a page at this path under the site (index.html dropped)."""
    url = "/" + relative
    return url[: -len("index.html")] if url.endswith("/index.html") else url


def read_fragment(path: Path) -> dict:
    """A .pf_fragment: gzip'd JSON after a signature ("pagefind_dcd")."""
    data = gzip.decompress(path.read_bytes())
    return json.loads(data[data.index(b"{"):])


def _bundle_ids(bundle: Path) -> dict[str, str] | None:
    """Result id by URL of every fragment in a bundle; None when a URL has two (stale
    fragments of an earlier run in a folder Pagefind did not make)."""
    ids: dict[str, str] = {}
    for path in (bundle / "fragment").glob("*.pf_fragment"):
        url = read_fragment(path)["url"]
        if url in ids:
            return None
        ids[url] = path.name[: -len(".pf_fragment")]
    return ids


def _load(record: Path) -> dict:
    try:
        stored = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stored if isinstance(stored, dict) else {}


def _store(record: Path, site: Path, value: dict | None) -> None:
    stored = _load(record)
    key = str(site.resolve())
    if value is None:
        if stored.pop(key, None) is None:
            return
    else:
        stored[key] = value
    record.parent.mkdir(parents=True, exist_ok=True)
    partial = record.with_name(f"{record.name}.{os.getpid()}.part")
    partial.write_text(json.dumps(stored, sort_keys=True), encoding="utf-8")
    os.replace(partial, record)


def after_full(site: Path, bundle_dir: str, digests: dict[str, str], record: Path,
               extra: list[str]) -> None:
    """A full run put a new main bundle in place: record what it was built from (the
    sha256 of each page, Pagefind's arguments; the result ids are read from the bundle
    when the first delta needs them, so that a build that is never followed by a small
    one, in CI say, does not read thousands of fragments) and remove any delta (a bundle
    folder Pagefind did not make keeps it otherwise)."""
    clear(site, bundle_dir)
    value = None
    if digests:
        value = {"entry": _entry_digest(site / bundle_dir), "args": extra, "pages": digests,
                 "ids": None}
    _store(main_record(record), site, value)


def _page_ids(bundle: Path, pages: dict[str, str]) -> dict[str, str] | None:
    """The main bundle's result id of each page, or None when its fragments do not match
    the pages one to one (a folder Pagefind did not make may hold older fragments)."""
    try:
        ids = _bundle_ids(bundle)
    except (OSError, ValueError, KeyError) as exc:
        logger.debug("search: main bundle not readable (%s)", exc)
        return None
    found = {rel: ids.get(page_url(rel)) for rel in pages} if ids is not None else {}
    if ids is None or len(ids) != len(pages) or not all(found.values()):
        logger.debug("search: the main bundle's fragments do not match its pages one to "
                     "one; no delta until the next full index")
        return None
    return found


@dataclass
class Delta:
    """What a delta bundle holds: changed pages (new or with another sha256) to index,
    pages removed since the main bundle, and the main bundle's ids of both."""

    changed: list[str]
    removed: list[str]
    hidden: list[str]
    token: str
    folder: str = field(init=False)

    def __post_init__(self) -> None:
        self.folder = PREFIX + self.token


def plan(site: Path, bundle_dir: str, digests: dict[str, str], record: Path,
         most: int, fingerprint: str, extra: list[str]) -> Delta | None:
    """The delta from the main bundle to these pages (sha256 by relative path), or None
    when a full run is due: no usable record of the main bundle, other Pagefind
    arguments, or more than `most` pages changed or removed."""
    if not digests or most <= 0:
        return None
    stored = _load(main_record(record)).get(str(site.resolve()))
    if not isinstance(stored, dict) or not isinstance(stored.get("pages"), dict):
        return None
    if stored.get("entry") != _entry_digest(site / bundle_dir):
        return None  # another bundle than the one recorded (a build killed, copied output)
    if stored.get("args") != extra:
        return None
    main = stored["pages"]
    changed = [rel for rel, sha in digests.items() if main.get(rel) != sha]
    removed = sorted(rel for rel in main if rel not in digests)
    if len(changed) + len(removed) > most:
        return None
    ids = stored.get("ids")
    if not isinstance(ids, dict):
        ids = _page_ids(site / bundle_dir, main)
        _store(main_record(record), site, {**stored, "ids": ids} if ids else None)
        if ids is None:
            return None
    hidden = [ids[rel] for rel in changed if rel in main] + [ids[rel] for rel in removed]
    return Delta(changed, removed, hidden, fingerprint[:16])


def start(delta: Delta, binary: Path, site: Path, bundle_dir: str, extra: list[str],
          timeout: float, work: Path, copy: bool) -> PagefindRun | None:
    """Pagefind on the changed pages (none when pages were only removed)."""
    if not delta.changed:
        return None
    return PagefindRun(binary, site, f"{bundle_dir}/{delta.folder}", extra, timeout,
                       [site / rel for rel in delta.changed], work, copy=copy)


def _hidden_filters(bundle: Path, ids: list[str]) -> dict[str, dict[str, dict[str, int]]]:
    """How much the hidden pages add to the main bundle's filter counts, by language
    (each language has an index of its own, the search page loads its own language's;
    the id starts with it)."""
    counts: dict[str, dict[str, dict[str, int]]] = {}
    for page in ids:
        try:
            filters = read_fragment(bundle / "fragment" / f"{page}.pf_fragment")["filters"]
        except (OSError, ValueError, KeyError):
            continue
        language = counts.setdefault(page.rsplit("_", 1)[0], {})
        for name, values in filters.items():
            for value in values:
                language.setdefault(name, {})
                language[name][value] = language[name].get(value, 0) + 1
    return counts


class Outdated(Exception):
    """The main bundle was made by another Pagefind version than the delta: a full run
    is due (search.js loads both with the main bundle's pagefind.js)."""


def _entry(bundle: Path) -> dict:
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return entry if isinstance(entry, dict) else {}


def _version(bundle: Path) -> str | None:
    return _entry(bundle).get("version")


def _languages(bundle: Path) -> dict[str, int]:
    """Page count by language index, in the entry's order (Pagefind's fallback for a
    language it has no index of is the largest index, the first on a tie)."""
    languages = _entry(bundle).get("languages") or {}
    return {lang: data.get("page_count", 0) for lang, data in languages.items()}


def finish(delta: Delta, run: PagefindRun | None, site: Path, bundle_dir: str) -> str:
    """Wait for the delta's Pagefind run, put the manifest in place and remove older
    delta folders; Pagefind's report."""
    report = run.finish() if run is not None else ""
    if not delta.changed and not delta.removed:
        clear(site, bundle_dir)  # the pages of the main bundle again (an edit undone)
        return report
    bundle = site / bundle_dir
    delta_ids = set()
    if run is not None:
        if _version(bundle / delta.folder) != _version(bundle):
            shutil.rmtree(bundle / delta.folder, ignore_errors=True)
            raise Outdated(f"{bundle_dir}/ was made by Pagefind {_version(bundle)}")
        delta_ids = {p.name[: -len(".pf_fragment")]
                     for p in (bundle / delta.folder / "fragment").glob("*.pf_fragment")}
    _write_manifest(bundle, {
        "bundle": f"{delta.folder}/" if run is not None else None,
        # a page whose fragment did not change has the same id in both bundles: the
        # client keeps one of the two
        "hide": sorted(set(delta.hidden) - delta_ids),
        "filters": _hidden_filters(bundle, delta.hidden),
        "changed": len(delta.changed),
        "removed": len(delta.removed),
        # search.js merges the delta only where it has the language index the search
        # page uses in the main bundle: Pagefind would fall back to another language
        "languages": _languages(bundle),
        "delta_languages": _languages(bundle / delta.folder) if run is not None else {},
    })
    _remove_folders(bundle, keep=delta.folder if run is not None else None)
    return report


def _write_manifest(bundle: Path, manifest: dict) -> None:
    partial = bundle / f".{MANIFEST}.{os.getpid()}.part"
    partial.write_text(json.dumps(manifest), encoding="utf-8")  # languages in order
    os.replace(partial, bundle / MANIFEST)


def _remove_folders(bundle: Path, keep: str | None) -> None:
    with contextlib.suppress(OSError):
        for entry in os.scandir(bundle):
            if (entry.name.startswith(PREFIX) and entry.name != keep
                    and entry.is_dir(follow_symlinks=False)):
                shutil.rmtree(entry.path, ignore_errors=True)


def clear(site: Path, bundle_dir: str) -> None:
    """No delta: an empty manifest first (the client then ignores the folders), then
    the folders. The manifest stays, empty: a missing one would be a 404, an error in
    the browser's console, on every visit of the search page."""
    bundle = site / bundle_dir
    if bundle.is_dir():
        _write_manifest(bundle, EMPTY)
    _remove_folders(bundle, keep=None)
