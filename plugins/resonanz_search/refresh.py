"""Pagefind again after the dev server rendered one page alone.

A full build indexes in its `finalized` step (plugin.py). The dev server's one-post path
(resonanz_fastbuild/incremental.py) writes a page and feeds and no `finalized` follows,
so the index would not know the new text until the next full build. `Refresh` indexes
the output in a thread of its own after the page is served: the editor never waits for
it. Usually only the saved post is indexed, into a delta bundle (delta.py). A full
build stops a refresh first (its own Pagefind run would write the same bundle folder).
"""

from __future__ import annotations

import logging
import threading

from . import delta as delta_index
from . import facts as page_record
from .pagefind_runner import (
    PagefindError,
    PagefindRun,
    find_binary,
    index_is_current,
    indexable_pages,
    remember_index,
)
from .plugin import _paths, _plan
from .search_copies import copies_allowed

logger = logging.getLogger(__name__)


class Refresh:
    """One background thread that indexes `output_path` again whenever asked; requests
    made while it runs are folded into one more run."""

    def __init__(self, settings: dict, output_path: str) -> None:
        self.opts, self.output, self.extra, self.record = _paths(settings, output_path)
        self.lock = threading.Lock()
        self.wanted = threading.Event()
        self.stopping = False
        self.run: PagefindRun | None = None
        self.thread: threading.Thread | None = None
        self.done = 0  # finished refreshes, for the log and the tests

    @property
    def enabled(self) -> bool:
        return bool(self.opts["SEARCH_INDEX"])

    def request(self) -> None:
        """Index again soon (returns at once)."""
        if not self.enabled:
            return
        with self.lock:
            self.wanted.set()
            if self.thread is None or not self.thread.is_alive():
                self.stopping = False
                self.thread = threading.Thread(target=self._work, name="search-refresh",
                                               daemon=True)
                self.thread.start()

    def stop(self) -> None:
        """Drop pending requests and stop a running Pagefind; returns when it is gone."""
        with self.lock:
            self.stopping = True
            self.wanted.clear()
            thread, run = self.thread, self.run
            if run is not None and run.process.poll() is None:
                run.process.kill()  # the thread sees it end and cleans up
        if thread is not None:
            thread.join()
        with self.lock:
            self.thread = None
            self.stopping = False

    def _work(self) -> None:
        while True:
            with self.lock:
                if self.stopping or not self.wanted.is_set():
                    self.thread = None
                    return
                self.wanted.clear()
            try:
                self._index()
            except (PagefindError, OSError) as exc:
                logger.error("search: %s: %s", self.opts["SEARCH_BUNDLE_DIR"], exc)

    def _index(self) -> None:
        """A delta of the pages saved since the main bundle when they are few (delta.py),
        else Pagefind on the whole site."""
        bundle = self.opts["SEARCH_BUNDLE_DIR"]
        digests: dict[str, str] = {}
        every: dict[str, tuple] = {}
        # the pages the saved post did not change are as the last index saw them
        fingerprint, pages, read = indexable_pages(
            self.output, bundle, self.extra, page_record.load(self.record, self.output),
            digests, every)
        page_record.save(self.record, self.output, every)
        if index_is_current(self.output, bundle, fingerprint, self.record):
            return
        delta = _plan(self.opts, self.output, self.record, digests, fingerprint)
        copy = copies_allowed(self.extra)
        timeout = self.opts["SEARCH_TIMEOUT"]
        if delta is not None:
            binary = find_binary(self.opts["SEARCH_PAGEFIND_BINARY"]) if delta.changed else None
            run = self._started(lambda: delta_index.start(
                delta, binary, self.output, bundle, self.extra, timeout, self.record.parent,
                copy))
            if run is False:
                return
            try:
                delta_index.finish(delta, run, self.output, bundle)
            except delta_index.Outdated as exc:
                logger.info("search: %s; indexing the whole site", exc)
                delta = None
            finally:
                self._forget()
        if delta is None:
            binary = find_binary(self.opts["SEARCH_PAGEFIND_BINARY"])
            run = self._started(lambda: PagefindRun(
                binary, self.output, bundle, self.extra, timeout, pages or None,
                self.record.parent, copy=copy))
            if run is False:
                return
            try:
                run.finish()
                delta_index.after_full(self.output, bundle, digests, self.record, self.extra)
            finally:
                self._forget()
        remember_index(self.output, fingerprint, self.record)
        self.done += 1
        if delta is None:
            logger.info("search: index updated in the background (%d page(s))", len(pages))
        else:
            logger.info("search: delta index updated in the background (%d changed, %d "
                        "removed page(s))", len(delta.changed), len(delta.removed))

    def _started(self, start) -> PagefindRun | None | bool:
        """start() unless stop() was called; waits for the Pagefind it started. False:
        stopped (the run is cancelled)."""
        with self.lock:
            if self.stopping:
                return False
            self.run = start()
        run = self.run
        if run is None:
            return None
        run.process.wait()
        with self.lock:
            if self.stopping:
                run.cancel(later=False)
                self.run = None
                return False
        return run

    def _forget(self) -> None:
        with self.lock:
            self.run = None
