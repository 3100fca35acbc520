"""The fast build's writer: pages and feeds deferred, then rendered by every process.

Pelican renders every page in one process; once every generator has asked for its
pages, they are independent, and the writer shares them between the build process and
forked workers (parallel.run_shared). What a worker wrote comes back as the list of its
files (for Pelican's overwrite check) and, for each declared receiver of the written
signals, what it recorded (hooks.WorkerShare).
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable
from itertools import zip_longest
from typing import Any

from pelican import signals
from pelican.utils import sanitised_join
from pelican.writers import FileOverwriteFailedError

from . import compat, feeds, hooks, outputs
from .parallel import LAST_RUN, job_count, run_shared

logger = logging.getLogger(__name__)

# the context keys of a write that name the content it shows (a post's page, an episode's)
CONTENT_KEYS = ("article", "page", "episode")


def unknown_receivers() -> list:
    """Receivers of written files that have not declared they work in a worker."""
    return [receiver
            for signal in (signals.content_written, signals.feed_written)
            for receiver in compat.live_receivers(signal)
            if not hooks.is_declared(receiver)]


def receiver_name(receiver) -> str:
    return f"{getattr(receiver, '__module__', '?')}.{getattr(receiver, '__qualname__', receiver)}"


class ParallelWriter(compat.HookedWriter):
    """Pelican's writer, deferring pages and feeds until every generator has asked.

    flush() renders what was deferred, shared between processes; it runs before static
    files are copied (as in Pelican, pages first) and, for what comes later, first thing
    on `finalized`. A page that may override another one is written at once, as Pelican
    does, so that a worker skips the page it overrides.
    """

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        self._deferred: list[tuple] = []
        self._calls = 0
        self._warned = False
        self.jobs = job_count(self.settings)
        # the feed entries made in this build (see feeds.add_item)
        self.feed_entries: dict = {}
        # the dependency record's plan (outputs.py); set by the session's writer
        self.plan: outputs.Plan | None = None
        # write number of a feed -> (output name, signature or None, left as it is)
        self._feeds: dict[int, tuple[str, str | None, bool]] = {}
        self._feed_plan: tuple | None = None  # (FEED_MAX_ITEMS, feed receivers)
        # hooks.alongside jobs waiting for the next flush (the session's list), and what
        # they returned, by number, until their done() runs
        self.alongside: list[tuple] = []
        self._made: dict[int, Any] = {}

    def keeps(self, filename: str) -> bool:
        if self.plan is None:
            return False
        path = os.path.normpath(os.path.abspath(filename))
        if path in self.plan.unchanged:
            self.plan.unchanged.discard(path)
            return True
        return False

    def feed_made(self, feed):
        return feeds.new_feed(feed)

    def feed_item(self, feed, item, add) -> None:
        feeds.add_item(self, feed, item, add)

    def _now(self, method, context: dict, *args, **kwargs):
        self._calls += 1
        context[hooks.WRITE_NUMBER] = self._calls
        return method(*args, **kwargs)

    def _defer(self, kind: str, context: dict, args: tuple, kwargs: dict) -> None:
        self._calls += 1
        # Pelican's writer leaves the page's SITEURL in context["localsiteurl"], and the
        # next write (a feed's summaries, say) renders links against it: keep the value
        # this write would have found.
        self._deferred.append(
            (kind, args, kwargs, self._calls, context.get("localsiteurl"), context))

    def write_file(self, name, template, context, *args, **kwargs):
        # one process defers too when the record is kept: it decides what to render
        if (self.jobs <= 1 and self.plan is None) or compat.file_overrides(
                (name, template, context, *args), kwargs):
            return self._now(hooks.guarded_write, context, super().write_file, "page",
                             (name, template, context, *args), kwargs, self.settings)
        self._defer("page", context, (name, template, context, *args), kwargs)
        return None

    def write_feed(self, elements, context, *args, **kwargs):
        path, override = compat.feed_target((elements, context, *args), kwargs)
        if self.jobs <= 1 or override or not path:
            return self._now(hooks.guarded_write, context, super().write_feed, "feed",
                             (elements, context, *args), kwargs, self.settings)
        self._defer("feed", context, (elements, context, *args), kwargs)
        return None

    def _run(self, job) -> bool:
        kind, args, kwargs, number, localsiteurl, context = job
        if kind == "job":
            self._made[number] = args()
            return True
        context[hooks.WRITE_NUMBER] = number
        context["localsiteurl"] = localsiteurl
        method = super().write_file if kind == "page" else super().write_feed
        if self.plan is not None and kind == "feed" and self._feed_plan is not None:
            path, _ = compat.feed_target(args, kwargs)
            complete = sanitised_join(self.output_path, path)
            name = os.path.relpath(complete, self.output_path)
            try:
                signature = outputs.feed_signature(self.plan, args, kwargs, localsiteurl,
                                                   *self._feed_plan)
            except Exception:  # noqa: BLE001 - the write below reports a post it cannot show
                logger.debug("resonanz_fastbuild: no signature for %s", path, exc_info=True)
                signature = None
            replay = self.plan.feed_replayable(name, signature)
            self._feeds[number] = (name, signature, replay)
            if replay:
                # as the last build wrote it: counted as written (the overwrite check,
                # the record's files), not made
                self.written_files.add(complete)
                return True
        if self.plan is not None and kind == "page":
            # page by page: left as the last build wrote it, or rendered and recorded
            write = outputs.write_digest(args, kwargs, localsiteurl, context, self.plan.lists)
            # None: it failed, and the guard named the file
            if hooks.guarded_write(functools.partial(self._replay, number, write), kind,
                                   args, kwargs, self.settings) is not False:
                return True
            template = outputs.PageTemplate(args[1], self.plan, number, write,
                                            (kwargs.get(key) for key in CONTENT_KEYS),
                                            context)
            args = (args[0], template, *args[2:])
        hooks.guarded_write(method, kind, args, kwargs, self.settings)
        return True

    def _replay(self, number: int, write: str, *args, **kwargs) -> bool:
        """A write of one page that the record leaves as the last build wrote it, without
        Pelican's steps for a page it renders (nothing to render, no folder to make, no
        log line): counted as written, its signal sent with the context it would have
        been rendered with. False for anything else (a listing's pages are decided one
        by one as they render, see outputs.PageTemplate)."""
        local = compat.single_page_context(args, kwargs, self.settings)
        if local is None:
            return False
        name, context = args[0], args[2]
        path = sanitised_join(self.output_path, name)
        if self.claimed(path):
            return False  # Pelican's writer says what is wrong
        plan = self.plan
        if not plan.replayable(name, write, context, getattr(args[1], "name", None)):
            return False
        plan.page_uses[name] = (plan.generation, number, write, None)
        if local["localsiteurl"]:
            context["localsiteurl"] = local["localsiteurl"]
        self.written_files.add(path)
        signals.content_written.send(path, context=local)
        return True

    def _plan(self, jobs: list) -> None:
        """What deciding the deferred writes needs before anything renders (each page's
        write digest is made where it renders)."""
        for context in {id(job[5]): job[5] for job in jobs if job[0] != "job"}.values():
            self.plan.know_names(context)
        # feeds are decided where they are rendered (their posts' digests are made there)
        self._feed_plan = (self.settings.get("FEED_MAX_ITEMS"),
                           [receiver
                            for signal in (signals.feed_generated, signals.feed_written)
                            for receiver in compat.live_receivers(signal)])

    def _keep(self, generation: int, jobs: list) -> None:
        for job in jobs:
            if job[0] == "feed" and job[3] in self._feeds:
                self.plan.keep_feed(*self._feeds[job[3]])
        contexts = {job[3]: job[5] for job in jobs}
        for name, (made_in, number, write, used) in self.plan.page_uses.items():
            if made_in == generation:
                if used is not None:
                    logger.debug("resonanz_fastbuild: rendered %s", name)
                self.plan.keep(name, write, contexts[number], used)

    def _written(self) -> set[str]:
        # a write skipped because an override came first "wrote" to os.devnull
        return self.written_files - {os.devnull}

    def _processes(self) -> int:
        if self.jobs <= 1:
            return 1
        unknown = unknown_receivers()
        if not unknown:
            return self.jobs
        if not self._warned:
            self._warned = True
            logger.warning(
                "resonanz_fastbuild: %s listen(s) for written files without declaring "
                "that they work in a worker process (resonanz_fastbuild.hooks.declare): "
                "pages are rendered by one process",
                ", ".join(receiver_name(r) for r in unknown))
        return 1

    def flush(self) -> int:
        """Render what was deferred: the pages of posts, pages and episodes first, then
        send hooks.content_pages_written (Pagefind starts on it) and render listings and
        feeds while it works."""
        jobs, self._deferred = self._deferred, []
        # hooks.alongside: numbered apart from the writes (below zero)
        jobs += [("job", job, done, -number, None, {})
                 for number, (job, done) in enumerate(self.alongside, 1)]
        self.alongside.clear()
        if not jobs:
            return 0
        if self.plan is not None:
            started = time.perf_counter()
            self._plan(jobs)
            self.plan.seconds += time.perf_counter() - started
        first, others, rest = [], [], []
        for job in jobs:
            if job[0] == "job":
                others.append(job)  # first among the listings, while Pagefind starts
            else:
                (first if _is_content_page(job) else rest).append(job)
        processes = self._processes()
        counts = self._render(first, processes)
        # sent while the workers start on the listings (this process joins them after)
        counts = [a + b for a, b in zip_longest(
            counts, self._render(others + rest, processes,
                                 lambda: hooks.content_pages_written.send(self)),
            fillvalue=0)]
        for job in others:
            job[2](self._made.pop(job[3]))
        logger.info("resonanz_fastbuild: %d pages and feeds rendered by %d process(es) (%s)",
                    len(jobs) - len(others), len(counts), " + ".join(map(str, counts)))
        if others:
            logger.debug("resonanz_fastbuild: %d other output(s) made with them", len(others))
        if self.plan is not None:
            logger.info("resonanz_fastbuild: %d pages as the last build wrote them, %d "
                        "rendered; %d feeds as they were, %d written; %d partials as the "
                        "last build made them, %d rendered (dependency record, %.2f s)",
                        self.plan.replayed, self.plan.rendered, self.plan.feeds_replayed,
                        self.plan.feeds_rendered, self.plan.partials_reused,
                        self.plan.partials_rendered, self.plan.seconds)
        return len(jobs)

    def _render(self, jobs: list, processes: int,
                meanwhile: Callable[[], None] | None = None) -> list[int]:
        """Render jobs, shared between processes; returns how many each process did.
        meanwhile() runs in this process once the workers have started (parallel.run_shared),
        or first when there is nothing to render."""
        if not jobs:
            if meanwhile is not None:
                meanwhile()
            return []
        shares = hooks.shares()
        marks = [share.mark() for share in shares]
        before = self._written()

        plan = self.plan
        if plan is not None:
            plan.generation += 1  # before the workers start: theirs is this one
        digested = set(plan.digests) if plan is not None else set()
        partials = set(plan.record.partials) if plan is not None else set()
        counted = (plan.partials_reused, plan.partials_rendered) if plan is not None else (0, 0)
        made_before = set(self._made)

        def extra():
            return {
                "written": sorted(self._written() - before),
                "shares": [share.collect(mark)
                           for share, mark in zip(shares, marks, strict=True)],
                "uses": {name: entry for name, entry in plan.page_uses.items()
                         if entry[0] == plan.generation} if plan is not None else {},
                "feeds": {job[3]: self._feeds[job[3]] for job in jobs
                          if job[3] in self._feeds},
                # the content digests a worker made: the next sharing out (listings
                # after the posts' pages) starts with them instead of making them again
                "digests": {path: digest for path, digest in plan.digests.items()
                            if path not in digested} if plan is not None else {},
                "partials": {key: entry for key, entry in plan.record.partials.items()
                             if key not in partials} if plan is not None else {},
                "partial_counts": (plan.partials_reused - counted[0],
                                   plan.partials_rendered - counted[1])
                if plan is not None else (0, 0),
                "made": {number: result for number, result in self._made.items()
                         if number not in made_before},
            }

        # a failed worker fails the build with its traceback: redoing its items here
        # could meet pages it wrote before failing
        _, extras = run_shared(jobs, self._run, processes, extra, redo_failed=False,
                               meanwhile=meanwhile)
        counts = list(LAST_RUN)
        own = self._written()
        by_number = {job[3]: job for job in jobs}

        def value_of(number: int, name: str) -> Any:
            job = by_number.get(number)
            if job is None:
                return None
            kind, args, kwargs = job[0], job[1], job[2]
            if name in kwargs:
                return kwargs[name]
            context = args[2] if kind == "page" else args[1]
            return context.get(name) if isinstance(context, dict) else None

        for worker in extras:
            for name in worker["written"]:
                if name in own:
                    raise FileOverwriteFailedError(
                        f'Failed to overwrite "{name}" as Pelican has already written to '
                        "it previously (two pages or feeds have the same output path)"
                    )
            own.update(worker["written"])
            self._made.update(worker["made"])
            if plan is not None:
                plan.page_uses.update(worker["uses"])
                self._feeds.update(worker["feeds"])
                for path, digest in worker["digests"].items():
                    plan.digests.setdefault(path, digest)
                for key, entry in worker["partials"].items():
                    plan.record.partials.setdefault(key, entry)
                plan.partials_reused += worker["partial_counts"][0]
                plan.partials_rendered += worker["partial_counts"][1]
            for share, data in zip(shares, worker["shares"], strict=True):
                share.merge(data, value_of)
        self.written_files.update(own)
        if plan is not None:
            started = time.perf_counter()
            self._keep(plan.generation, jobs)
            plan.seconds += time.perf_counter() - started
        return counts


def writer_class(session) -> type:
    """A ParallelWriter class whose instance is kept as session.writer (Pelican's
    get_writer signal wants a class and makes the writer itself)."""

    class SessionWriter(ParallelWriter):
        def __init__(self, output_path, settings=None):
            super().__init__(output_path, settings=settings)
            session.writer = self
            self.alongside = session.alongside  # the jobs given before and after this
            if session.records_pages():  # its templates are watched (plugin.py)
                self.plan = session.plan

    SessionWriter.__name__ = SessionWriter.__qualname__ = ParallelWriter.__name__
    return SessionWriter


def _is_content_page(job) -> bool:
    """The page of one post, page or episode (what a search index is made of; an
    episode's player page counts too, it is small)."""
    kind, kwargs = job[0], job[2]
    return kind == "page" and any(kwargs.get(key) is not None for key in CONTENT_KEYS)
