"""Pelican glue of search: writes the search page, runs Pagefind when the build is done."""

from __future__ import annotations

import atexit
import logging
import os
import re
import shutil
from pathlib import Path

from pelican import signals
from pelican.generators import Generator
from resonanz_core import i18n
from resonanz_fastbuild import hooks

from . import delta as delta_index
from . import facts as page_record
from .pagefind_runner import (
    PagefindError,
    PagefindRun,
    find_binary,
    index_is_current,
    indexable_pages,
    new_staging,
    page_facts,
    remember_index,
    remove_later,
)
from .search_copies import copies_allowed
from .settings import DEFAULTS

logger = logging.getLogger(__name__)

i18n.add_translations(
    {
        "Suchen": "Search",
        "Suchbegriff": "Search term",
        "Suchen …": "Search …",
        "Website durchsuchen": "Search the site",
        "Die Suche läuft in deinem Browser und braucht JavaScript.": (
            "Search runs in your browser and needs JavaScript."
        ),
        "Ohne JavaScript findest du alle Beiträge im": "Without JavaScript, find every post in the",
        "und in den": "and in the",
        "Beiträge, Fallstudien und Episoden durchsuchen.": (
            "Search posts, case studies and episodes."
        ),
        "Nur anzeigen": "Show only",
        "Suche läuft …": "Searching …",
        "{n} Treffer für „{q}“": "{n} results for “{q}”",
        "Keine Treffer für „{q}“.": "No results for “{q}”.",
        "Die Suche ist gerade nicht verfügbar.": "Search is not available right now.",
    }
)

_PAGES = re.compile(r"Indexed\s+(\d+)\s+pages?")


def options(settings: dict) -> dict:
    """The plugin's settings: defaults overridden by SEARCH_* keys."""
    opts = {**DEFAULTS, **{k: v for k, v in settings.items() if k.startswith("SEARCH_")}}
    if not isinstance(opts["SEARCH_PAGEFIND_ARGS"], (list, tuple)):
        logger.error(
            "search: setting SEARCH_PAGEFIND_ARGS = %r: expected a list of strings",
            opts["SEARCH_PAGEFIND_ARGS"],
        )
        opts["SEARCH_PAGEFIND_ARGS"] = []
    most = opts["SEARCH_DELTA_MAX"]
    if most is not None and (not isinstance(most, int) or isinstance(most, bool) or most < 0):
        logger.error(
            "search: setting SEARCH_DELTA_MAX = %r: expected a whole number of pages (0 or "
            "more) or None for max(50, 5 %% of the pages)", most,
        )
        opts["SEARCH_DELTA_MAX"] = None
    return opts


class SearchPageGenerator(Generator):
    """Writes the search page; the index itself comes from Pagefind in `finalized`."""

    def generate_context(self) -> None:
        # header_search.html and search.html read these even when pelicanconf omits them.
        for key, value in options(self.settings).items():
            self.context.setdefault(key, value)

    def generate_output(self, writer) -> None:
        opts = options(self.settings)
        if not opts["SEARCH_SAVE_AS"]:
            return
        writer.write_file(
            opts["SEARCH_SAVE_AS"],
            self.get_template("search"),
            self.context,
            relative_urls=self.settings.get("RELATIVE_URLS", False),
            url=opts["SEARCH_URL"],
            template_name="search",
        )


def get_generators(pelican) -> type:
    return SearchPageGenerator


class _Staging:
    """One build's staging folder for search copies (made before any page is written)
    and whether the copies may be cut down (see copies_allowed)."""

    def __init__(self, folder: Path, copy: bool) -> None:
        self.folder = folder
        self.copy = copy


class _Build:
    """What search keeps during one build with an index, from all_generators_finalized
    to finalized: the output folder, the staging folder, what the build wrote
    (page_facts() by absolute path, taken in the process that wrote the page, so that
    finding the pages to index does not read every page of the site again) and what
    start_early decided. One build runs at a time in a process."""

    current: _Build | None = None

    def __init__(self, key: str, staging: _Staging) -> None:
        self.key = key
        self.staging = staging
        self.written: dict[str, tuple] = {}
        self.early: _Early | None = None
        # what the last index saw of every page (facts.py)
        self.indexed: dict[str, tuple] = {}


def _running(output: str) -> _Build | None:
    build = _Build.current
    return build if build is not None and build.key == os.path.abspath(output) else None


@atexit.register
def _remove_staging() -> None:
    """The staging folder of a build that failed before its end (it may be in memory)."""
    if _Build.current is not None:
        shutil.rmtree(_Build.current.staging.folder, ignore_errors=True)


def on_content_written(path: str, context: dict) -> None:
    output = context.get("OUTPUT_PATH")
    if not output or not path.endswith(".html"):
        return
    build = _running(output)
    if build is None:  # SEARCH_INDEX off
        return
    page = os.path.abspath(path)
    key = build.key
    relative = page[len(key) + 1:] if page.startswith(key + os.sep) else None
    # a page the dependency record left as it was is what the last index saw; its search
    # copy is made only if a full Pagefind run needs it (stage_pages)
    facts = page_record.unchanged(build.indexed, page) or page_facts(
        path, str(build.staging.folder), relative, build.staging.copy)
    if facts is not None:
        build.written[page] = facts


def _forget() -> None:
    """Drop what the last build left: its Pagefind run, its records, its staging
    folder."""
    build, _Build.current = _Build.current, None
    if build is None:
        return
    if build.early is not None and build.early.run is not None:
        build.early.run.cancel()
    if build.staging.folder.is_dir():
        remove_later(build.staging.folder)


def on_all_generators_finalized(generators) -> None:
    """Before any page is written: a new staging folder for the search copies."""
    if not generators:
        return
    settings, output = generators[0].settings, generators[0].output_path
    opts, _, extra, record = _paths(settings, output)
    _forget()  # an earlier build's that failed
    if opts["SEARCH_INDEX"]:
        try:
            folder = new_staging(record.parent)
        except OSError as exc:
            logger.debug("search: no staging folder (%s); pages are staged at the end", exc)
            return
        _Build.current = _Build(os.path.abspath(output), _Staging(folder,
                                                                  copies_allowed(extra)))
        _Build.current.indexed = page_record.load(record, Path(output))


def on_build_failed(pelican) -> None:
    """A build that raised: stop its Pagefind run and remove its staging folder now."""
    _forget()


class _WorkerPages:
    """hooks.WorkerShare: the facts of the pages a worker wrote come back to the build."""

    def mark(self) -> dict:
        return dict(_Build.current.written) if _Build.current is not None else {}

    def collect(self, mark: dict) -> dict:
        if _Build.current is None:
            return {}
        return {path: facts for path, facts in _Build.current.written.items()
                if mark.get(path) != facts}

    def merge(self, data: dict, value_of) -> None:
        if _Build.current is not None:
            _Build.current.written.update(data)


hooks.declare(on_content_written, _WorkerPages())


def _staged(key: str, pages: list[Path], read: set[str]) -> set[str]:
    """The pages whose search copies this build wrote into the staging folder and that
    have not changed since (relative paths)."""
    cut = len(key) + 1
    return {os.path.abspath(p)[cut:] for p in pages} - {path[cut:] for path in read}


class _Early:
    """What start_early decided: the staging folder of its build, the fingerprint of the
    pages then, and the Pagefind run it started (None: the index on disk was already of
    those pages)."""

    def __init__(self, staging: _Staging | None, fingerprint: str,
                 run: PagefindRun | None) -> None:
        self.staging = staging
        self.fingerprint = fingerprint
        self.run = run


def _paths(settings: dict, output_path: str) -> tuple[dict, Path, list[str], Path]:
    opts = options(settings)
    extra = [str(arg) for arg in opts["SEARCH_PAGEFIND_ARGS"]]
    # next to Pelican's own cache, so that `make clean` and CI caches treat them alike
    record = Path(settings["CACHE_PATH"]).resolve() / "search-index.json"
    return opts, Path(output_path), extra, record


def _start(opts: dict, output: Path, extra: list[str], record: Path, pages: list[Path],
           read: set[str], staging: _Staging | None) -> PagefindRun:
    binary = find_binary(opts["SEARCH_PAGEFIND_BINARY"])
    # a site with no search body anywhere is indexed whole, as Pagefind does
    return PagefindRun(
        binary, output, opts["SEARCH_BUNDLE_DIR"], extra, opts["SEARCH_TIMEOUT"],
        pages or None, record.parent,
        staged=_staged(os.path.abspath(output), pages, read) if staging else None,
        staging=staging.folder if staging else None,
        copy=staging.copy if staging else copies_allowed(extra),
    )


def start_early(writer) -> None:
    """The pages of posts, pages and episodes are written: Pagefind indexes them while
    the build renders listings and feeds (those have no search body). on_finalized
    checks that the pages are still the same, and indexes again if not."""
    opts, output, extra, record = _paths(writer.settings, writer.output_path)
    build = _running(writer.output_path)
    if not opts["SEARCH_INDEX"] or build is None:
        return
    if build.early is not None:
        return  # the writer flushes twice in a build
    if build.indexed:
        # Few pages differ from what the last index saw (the dependency record left the
        # others as they were): on_finalized makes a delta index or finds the index
        # current. Starting Pagefind early pays only for a full run; looking through
        # the output for it here would cost a small build more than it saves.
        changed = sum(1 for page, facts in build.written.items()
                      if build.indexed.get(page) != facts)
        if changed <= delta_index.limit(opts["SEARCH_DELTA_MAX"], len(build.indexed)):
            return
    staging = build.staging
    digests: dict[str, str] = {}
    fingerprint, pages, read = indexable_pages(output, opts["SEARCH_BUNDLE_DIR"], extra,
                                               build.written, digests)
    if not pages:
        return  # no search body anywhere: the whole site is indexed at the end
    if (index_is_current(output, opts["SEARCH_BUNDLE_DIR"], fingerprint, record)
            or _plan(opts, output, record, digests, fingerprint) is not None):
        # nothing to do, or a delta of a few pages: on_finalized does it
        build.early = _Early(staging, fingerprint, None)
        return
    try:
        run = _start(opts, output, extra, record, pages, read, staging)
    except PagefindError as exc:
        logger.debug("search: Pagefind not started early (%s)", exc)
        return  # on_finalized tries again and reports it
    build.early = _Early(staging, fingerprint, run)
    logger.debug("search: Pagefind started on %d page(s) while listings and feeds render",
                 len(pages))


hooks.content_pages_written.connect(start_early)


def on_finalized(pelican) -> None:
    """Index the finished site with Pagefind (German stemming follows <html lang>)."""
    opts, output, extra, record = _paths(pelican.settings, pelican.output_path)
    build = _running(pelican.output_path)
    if build is None:
        _forget()  # a build for another output folder that did not finish
    _Build.current = None
    early = build.early if build is not None else None
    # what this build wrote, over what the last index saw (facts.py, loaded once)
    known = ({**build.indexed, **build.written} if build is not None
             else page_record.load(record, output))
    staging = build.staging if build is not None else None
    try:
        if opts["SEARCH_INDEX"]:
            _index(opts, output, extra, record, early, staging, known)
    finally:
        if staging is not None and staging.folder.is_dir():  # no Pagefind run took it
            remove_later(staging.folder)


def _plan(opts: dict, output: Path, record: Path, digests: dict[str, str],
          fingerprint: str) -> delta_index.Delta | None:
    most = delta_index.limit(opts["SEARCH_DELTA_MAX"], len(digests))
    extra = [str(arg) for arg in opts["SEARCH_PAGEFIND_ARGS"]]
    return delta_index.plan(output, opts["SEARCH_BUNDLE_DIR"], digests, record, most,
                            fingerprint, extra)


def _index_delta(opts: dict, output: Path, extra: list[str], record: Path,
                 fingerprint: str, delta: delta_index.Delta, copy: bool) -> bool:
    """Pagefind on the pages changed since the main bundle only (see delta.py); False
    when a full run is due after all."""
    bundle_dir = opts["SEARCH_BUNDLE_DIR"]
    try:
        run = None
        if delta.changed:
            run = delta_index.start(delta, find_binary(opts["SEARCH_PAGEFIND_BINARY"]),
                                    output, bundle_dir, extra, opts["SEARCH_TIMEOUT"],
                                    record.parent, copy)
        report = delta_index.finish(delta, run, output, bundle_dir)
    except delta_index.Outdated as exc:
        logger.info("search: %s; indexing the whole site", exc)
        return False
    except (PagefindError, OSError) as exc:
        logger.error("search: %s: %s", bundle_dir, exc)
        return True
    remember_index(output, fingerprint, record)
    if not delta.changed and not delta.removed:
        logger.info("search: the pages are the main index's again; delta index removed")
        return True
    indexed = _PAGES.search(report)
    logger.info(
        "search: delta index of %d changed and %d removed page(s) (Pagefind indexed %s "
        "page(s) into %s/%s/); the main index stays",
        len(delta.changed), len(delta.removed), indexed.group(1) if indexed else "0",
        bundle_dir, delta.folder,
    )
    return True


def _index(opts: dict, output: Path, extra: list[str], record: Path, early: _Early | None,
           staging: _Staging | None, known: dict) -> None:
    """known: page_facts() by absolute path, of this build's writes and of what the last
    index saw (a page whose size or time differs is read again)."""
    digests: dict[str, str] = {}
    every: dict[str, tuple] = {}
    fingerprint, pages, read = indexable_pages(output, opts["SEARCH_BUNDLE_DIR"], extra, known,
                                               digests, every)
    page_record.save(record, output, every)
    logger.debug("search: %d page(s) with a search body; %d HTML file(s) not known from the "
                 "writes were read", len(pages), len(read))
    run = early.run if early is not None else None
    if run is not None and (early.fingerprint != fingerprint or early.staging is not staging):
        logger.debug("search: pages changed after Pagefind started on them; indexing again")
        run.cancel()
        run = None
    if run is None:
        if index_is_current(output, opts["SEARCH_BUNDLE_DIR"], fingerprint, record):
            logger.info("search: pages unchanged since the last index, Pagefind not run")
            return
        delta = _plan(opts, output, record, digests, fingerprint)
        copy = staging.copy if staging is not None else copies_allowed(extra)
        if delta is not None and _index_delta(opts, output, extra, record, fingerprint,
                                              delta, copy):
            return
        try:
            run = _start(opts, output, extra, record, pages, read, staging)
        except PagefindError as exc:
            logger.error("search: %s: %s", opts["SEARCH_BUNDLE_DIR"], exc)
            return
    try:
        report = run.finish()
    except (PagefindError, OSError) as exc:
        logger.error("search: %s: %s", opts["SEARCH_BUNDLE_DIR"], exc)
        # resonanz_core's finalized step runs after this one and fails a strict build
        return
    delta_index.after_full(output, opts["SEARCH_BUNDLE_DIR"], digests, record, extra)
    remember_index(output, fingerprint, record)
    indexed = _PAGES.search(report)
    logger.info(
        "search: Pagefind indexed %s page(s) into %s/",
        indexed.group(1) if indexed else "?",
        opts["SEARCH_BUNDLE_DIR"],
    )


def on_pages_rewritten(pelican, written=(), **_) -> None:
    """A batch build wrote edited posts' pages alone (no `finalized` follows): the index
    is brought up to date here."""
    opts, output, extra, record = _paths(pelican.settings, pelican.output_path)
    if opts["SEARCH_INDEX"]:
        _index(opts, output, extra, record, None, None, page_record.load(record, output))


hooks.pages_rewritten.connect(on_pages_rewritten)


def register() -> None:
    signals.get_generators.connect(get_generators)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
    hooks.build_failed.connect(on_build_failed)
    signals.content_written.connect(on_content_written)
    signals.finalized.connect(on_finalized)
