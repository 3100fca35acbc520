"""Both cores for the two slow phases of a build: reading Markdown and rendering pages.

Pelican reads every source file and renders every page in one process. Both phases are
lists of independent items once the context is complete, so they are shared between the
build process and forked workers (RESONANZ_JOBS, default: the cores this process may use,
at most 4). A worker starts as a copy of the build process (fork), so it sees the same
settings, content objects and templates without pickling them; it sends back only what
the build process cannot see: what it read, which files it wrote, which sitemap entries
and which warnings those files produced.

The output is the same as with one process: a test builds the demo both ways and compares
every byte. Where that cannot be promised, everything runs in the build process: on
systems without fork, when RESONANZ_JOBS is 1, and when a plugin we do not know listens
for written files (it would not hear about the files a worker wrote).
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import pickle
import sys
import traceback
import weakref
from collections.abc import Callable, Sequence
from itertools import zip_longest
from typing import Any

from pelican import signals
from pelican.readers import _filter_discardable_metadata, file_suffix
from pelican.writers import FileOverwriteFailedError, Writer

from . import contained, feeds
from .problems import ProblemCollector

logger = logging.getLogger(__name__)

MAX_AUTO_JOBS = 4
# Items a process takes from the shared counter at a time (fewer lock round trips).
CHUNK = 4


def job_count(settings: dict) -> int:
    """Processes to use: RESONANZ_JOBS, or the usable cores (at most 4) when it is 0."""
    if not hasattr(os, "fork") or sys.platform == "win32":
        return 1
    configured = settings.get("RESONANZ_JOBS", 0)
    try:
        jobs = int(configured)
    except (TypeError, ValueError):
        logger.error("resonanz_core: setting RESONANZ_JOBS = %r: expected a whole number",
                     configured)
        return 1
    if jobs <= 0:
        try:
            usable = len(os.sched_getaffinity(0))
        except AttributeError:
            usable = os.cpu_count() or 1
        jobs = min(usable, MAX_AUTO_JOBS)
    return max(1, jobs)


# Items done by each process in the last run_shared call, the build process first.
LAST_RUN: list[int] = []


def _collector() -> ProblemCollector | None:
    for handler in logging.getLogger().handlers:
        if isinstance(handler, ProblemCollector):
            return handler
    return None


class _Share:
    """What one process did with its share of the items."""

    def __init__(self) -> None:
        self.results: dict[int, Any] = {}
        self.extra: Any = None
        self.first: Any = None
        self.problems: list[str] = []
        self.error: str | None = None


def _work(items: Sequence, func: Callable, counter, share: _Share) -> None:
    total = len(items)
    while True:
        with counter.get_lock():
            start = counter.value
            counter.value = start + CHUNK
        if start >= total:
            return
        for index in range(start, min(start + CHUNK, total)):
            share.results[index] = func(items[index])


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


class WorkerError(RuntimeError):
    """A worker process failed; the message holds its traceback."""


def _fork_worker(items, func, counter, extra, collector, before,
                 first=None) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        raise
    if pid:
        os.close(write_end)
        return pid, read_end
    # the worker: never returns
    os.close(read_end)
    share = _Share()
    code = 0
    if first is not None:
        try:
            share.first = first()
        except Exception:  # noqa: BLE001 - optional work; the build process does it later
            share.first = None
    try:
        _work(items, func, counter, share)
    except BaseException:  # noqa: BLE001 - reported to the build process
        share.error = traceback.format_exc()
        code = 1
    if extra is not None:
        try:
            share.extra = extra()
        except BaseException:  # noqa: BLE001
            share.error = traceback.format_exc()
            share.results = {}
            code = 1
    if collector is not None:
        share.problems = collector.problems[before:]
    try:
        payload = pickle.dumps(share, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - an unpicklable result
        failed = _Share()
        failed.error = traceback.format_exc()
        payload = pickle.dumps(failed, protocol=pickle.HIGHEST_PROTOCOL)
        code = 1
    try:
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def run_shared(
    items: Sequence,
    func: Callable[[Any], Any],
    jobs: int,
    extra: Callable[[], Any] | None = None,
    redo_failed: bool = True,
    first: Callable[[], Any] | None = None,
    on_first: Callable[[Any], None] | None = None,
) -> tuple[dict[int, Any], list[Any]]:
    """Call func on every item, shared between this process and jobs - 1 forked workers.

    Returns the results by index and, for every worker that finished, what extra()
    returned in it (called in the worker after its share). first() is called in the
    first worker before its share, while this process starts on the items, and what it
    returns is given to on_first() here (nothing when there are no workers, or first()
    raised: it must be work this process can do later itself). When a worker fails, its
    unfinished items are missing from the results (redo_failed: the caller does them
    itself, for work without side effects) or WorkerError is raised with the worker's
    traceback.
    """
    results: dict[int, Any] = {}
    extras: list[Any] = []
    if jobs <= 1 or len(items) < 2 * CHUNK:
        for index, item in enumerate(items):
            results[index] = func(item)
        LAST_RUN[:] = [len(items)]
        return results, extras
    context = multiprocessing.get_context("fork")
    counter = context.Value("q", 0)
    collector = _collector()
    before = len(collector.problems) if collector is not None else 0
    workers: list[tuple[int, int]] = []
    own = _Share()
    shares: list[_Share] = []
    # Objects that exist now are never collected in a worker: its GC would otherwise
    # touch (and so copy) every page of the build process's memory.
    gc.freeze()
    try:
        for number in range(jobs - 1):
            try:
                workers.append(_fork_worker(items, func, counter, extra, collector, before,
                                            first if number == 0 else None))
            except OSError as exc:  # no more processes: go on with those we have
                logger.debug("resonanz_core: fork failed (%s)", exc)
                break
    finally:
        gc.unfreeze()
    try:
        _work(items, func, counter, own)
    except BaseException:
        with counter.get_lock():  # the workers stop after their current items
            counter.value = len(items)
        raise
    finally:
        for pid, read_end in workers:
            try:
                data = _read_all(read_end)
            finally:
                os.close(read_end)
                os.waitpid(pid, 0)
            try:
                shares.append(pickle.loads(data))
            except Exception:  # noqa: BLE001 - a worker that died sent nothing usable
                lost = _Share()
                lost.error = f"worker process {pid} ended without sending its results"
                shares.append(lost)
    results.update(own.results)
    LAST_RUN[:] = [len(own.results), *(len(share.results) for share in shares)]
    for share in shares:
        if share.first is not None and on_first is not None:
            on_first(share.first)
        if share.error and not redo_failed:
            raise WorkerError(f"a worker process failed:\n{share.error}")
        results.update(share.results)
        if collector is not None:
            collector.add_lines(share.problems)
        if share.extra is not None:
            extras.append(share.extra)
        if share.error:
            logger.debug("resonanz_core: a worker stopped; the caller does its items:\n%s",
                         share.error)
    return results, extras


# -- reading ---------------------------------------------------------------------------


def _read_one(readers, path: str):
    reader = readers.readers[file_suffix(path)]
    try:
        content, metadata = reader.read(path)
    except Exception:  # noqa: BLE001 - read again by Pelican, which reports it
        return None
    return content, _filter_discardable_metadata(metadata)


class _StampsOnce:
    """Stamps (md5 of the file by default) taken while the prefetch checks the cache
    serve once more: Pelican takes a file's stamp when it asks the cache and again when
    it stores what it read, reading every source file twice for its hash. A stamp taken
    before the file is read is the safe one: a file changed meanwhile reads as changed
    in the next build."""

    def __init__(self, readers) -> None:
        self.original = readers._get_file_stamp
        self.taken: dict = {}
        self.recording = True
        readers._get_file_stamp = self

    def __call__(self, filename):
        if not self.recording and filename in self.taken:
            return self.taken.pop(filename)
        value = self.original(filename)
        if self.recording:
            self.taken[filename] = value
        return value


# (work(generator) -> result in the first reading worker, use(result) here): work the
# build process would do later, done by a worker while this process starts reading
WHILE_READING: list = []


def prefetch(generator, paths_setting: str, exclude_setting: str) -> int:
    """Read the source files a generator is about to read, shared between processes.

    Pelican asks its reader cache before reading a file; files read here answer from
    that question and are stored in Pelican's content cache as if Pelican had read them.
    Files that fail to read are left to Pelican, which logs the error as usual.
    """
    settings = generator.settings
    jobs = job_count(settings)
    if jobs <= 1:
        return 0
    readers = generator.readers
    base = generator.path
    todo = []
    stamps = _StampsOnce(readers)
    for relative in generator.get_files(settings[paths_setting],
                                        exclude=settings[exclude_setting]):
        path = os.path.abspath(os.path.join(base, relative))
        if file_suffix(path) not in readers.readers:
            continue
        if readers.get_cached_data(path, None) is None:
            todo.append(path)
    stamps.recording = False
    if len(todo) < 2 * CHUNK:
        return 0
    first, on_first = WHILE_READING if WHILE_READING else (None, None)
    results, _ = run_shared(todo, lambda path: _read_one(readers, path), jobs,
                            first=(lambda: first(generator)) if first else None,
                            on_first=on_first)
    read = {todo[i]: data for i, data in results.items() if data is not None}
    original_get, original_put = readers.get_cached_data, readers.cache_data

    def get_cached_data(filename, default=None):
        data = read.pop(filename, None)
        if data is None:
            return original_get(filename, default)
        original_put(filename, data)
        return data

    readers.get_cached_data = get_cached_data
    logger.info("resonanz_core: %d source files read by %d process(es) (%s)", len(todo),
                len(LAST_RUN), " + ".join(map(str, LAST_RUN)))
    return len(read)


def _prefetch_once(generator, paths_setting: str, exclude_setting: str) -> None:
    # the preread signal comes before every file; the first one starts the prefetch,
    # after every plugin has had its init signals (one may add Markdown extensions)
    if getattr(generator, "_resonanz_prefetched", False):
        return
    generator._resonanz_prefetched = True
    prefetch(generator, paths_setting, exclude_setting)


def on_article_preread(generator) -> None:
    from pelican.generators import ArticlesGenerator

    if isinstance(generator, ArticlesGenerator):
        _prefetch_once(generator, "ARTICLE_PATHS", "ARTICLE_EXCLUDES")


def on_page_preread(generator) -> None:
    from pelican.generators import PagesGenerator

    if isinstance(generator, PagesGenerator):
        _prefetch_once(generator, "PAGE_PATHS", "PAGE_EXCLUDES")


# -- writing ---------------------------------------------------------------------------

# Receivers of "a file was written" that may run in a worker: they record nothing the
# build process needs, or what they record is sent back (the sitemap entries).
KNOWN_RECEIVERS: set = set()


def _connected(signal) -> list[tuple[Any, bool]]:
    """(receiver, connected weakly) for each live receiver, in the order blinker calls
    them (Pelican's signals call in connect order)."""
    found = []
    for ref in list(signal.receivers.values()):
        weak = isinstance(ref, weakref.ref)
        target = ref() if weak else ref
        if target is not None:
            found.append((target, weak))
    return found


def live_receivers(signal) -> list:
    """The receivers a blinker signal would call, in the order it calls them."""
    return [target for target, _ in _connected(signal)]


def _only_known_receivers() -> bool:
    return all(
        receiver in KNOWN_RECEIVERS
        for signal in (signals.content_written, signals.feed_written)
        for receiver in live_receivers(signal)
    )


# Number of the write (page or feed) running in this process, in the order Pelican asked
# for them; receivers of content_written tag what they record with it, so that merging
# what the workers recorded gives the order of a build in one process.
CURRENT_WRITE = [0]


class ParallelWriter(Writer):
    """Pelican's writer, deferring pages and feeds until every generator has asked.

    flush() renders what was deferred, shared between processes; it runs before static
    files are copied (as in Pelican, pages first) and, for what comes later, first thing
    on `finalized`. A page that may override another one is written at once, as Pelican
    does, so that a worker skips the page it overrides.
    """

    written_hooks: list = []  # (mark, collect in worker, merge here), e.g. sitemap entries
    # called with the writer in flush(), after the deferred pages of posts, pages and
    # episodes are written and before the rest (search starts Pagefind there); not
    # called when nothing is deferred (one process writes every page at once)
    content_hooks: list = []

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        self._deferred: list[tuple] = []
        self._calls = 0
        self.jobs = job_count(self.settings)
        _WRITERS[os.path.realpath(output_path)] = self

    def _create_new_feed(self, feed_type, feed_title, context):
        return feeds.new_feed(self, super()._create_new_feed(feed_type, feed_title, context))

    def _add_item_to_the_feed(self, feed, item):
        feeds.add_item(self, feed, item, super()._add_item_to_the_feed)

    def _now(self, method, *args, **kwargs):
        self._calls += 1
        CURRENT_WRITE[0] = self._calls
        return method(*args, **kwargs)

    def _defer(self, kind: str, context: dict, args: tuple, kwargs: dict) -> None:
        self._calls += 1
        # Pelican's writer leaves the page's SITEURL in context["localsiteurl"], and the
        # next write (a feed's summaries, say) renders links against it: keep the value
        # this write would have found.
        self._deferred.append(
            (kind, args, kwargs, self._calls, context.get("localsiteurl"), context))

    def write_file(self, name, template, context, *args, **kwargs):
        # positional: relative_urls, paginated, template_name, override_output, url
        if self.jobs <= 1 or kwargs.get("override_output") or (len(args) > 3 and args[3]):
            return self._now(contained.write, super().write_file, "page",
                             (name, template, context, *args), kwargs, self.settings)
        self._defer("page", context, (name, template, context, *args), kwargs)
        return None

    def write_feed(self, elements, context, *args, **kwargs):
        # positional: path, url, feed_type, override_output, feed_title
        path = args[0] if args else kwargs.get("path")
        override = kwargs.get("override_output") or (len(args) > 3 and args[3])
        if self.jobs <= 1 or override or not path:
            return self._now(contained.write, super().write_feed, "feed",
                             (elements, context, *args), kwargs, self.settings)
        self._defer("feed", context, (elements, context, *args), kwargs)
        return None

    def _run(self, job) -> bool:
        kind, args, kwargs, number, localsiteurl, context = job
        CURRENT_WRITE[0] = number
        context["localsiteurl"] = localsiteurl
        method = super().write_file if kind == "page" else super().write_feed
        contained.write(method, kind, args, kwargs, self.settings)
        return True

    def _written(self) -> set[str]:
        # a write skipped because an override came first "wrote" to os.devnull
        return self._written_files - {os.devnull}

    def flush(self) -> int:
        """Render what was deferred: the pages of posts, pages and episodes first, then
        tell content_hooks (Pagefind starts on them) and render listings and feeds while
        they work."""
        jobs, self._deferred = self._deferred, []
        if not jobs:
            return 0
        first, rest = [], []
        for job in jobs:
            (first if _is_content_page(job) else rest).append(job)
        processes = self.jobs if _only_known_receivers() else 1
        counts = self._render(first, processes)
        for hook in list(self.content_hooks):
            hook(self)
        counts = [a + b for a, b in zip_longest(counts, self._render(rest, processes),
                                                fillvalue=0)]
        logger.info("resonanz_core: %d pages and feeds rendered by %d process(es) (%s)",
                    len(jobs), len(counts), " + ".join(map(str, counts)))
        return len(jobs)

    def _render(self, jobs: list, processes: int) -> list[int]:
        """Render jobs, shared between processes; returns how many each process did."""
        if not jobs:
            return []
        hooks = list(self.written_hooks)
        marks = [mark() for mark, _, _ in hooks]
        before = self._written()

        def extra():
            return {
                "written": sorted(self._written() - before),
                "hooks": [
                    collect(mark) for (_, collect, _), mark in zip(hooks, marks, strict=True)
                ],
            }

        # a failed worker fails the build with its traceback: redoing its items here
        # could meet pages it wrote before failing
        _, extras = run_shared(jobs, self._run, processes, extra, redo_failed=False)
        counts = list(LAST_RUN)
        own = self._written()
        for worker in extras:
            for name in worker["written"]:
                if name in own:
                    raise FileOverwriteFailedError(
                        f'Failed to overwrite "{name}" as Pelican has already written to '
                        "it previously (two pages or feeds have the same output path)"
                    )
            own.update(worker["written"])
            for (_, _, merge), data in zip(hooks, worker["hooks"], strict=True):
                merge(data, jobs)
        self._written_files |= own
        return counts


def _is_content_page(job) -> bool:
    """The page of one post, page or episode (what a search index is made of; an
    episode's player page counts too, it is small)."""
    kind, _, kwargs = job[0], job[1], job[2]
    return kind == "page" and any(kwargs.get(key) is not None
                                  for key in ("article", "page", "episode"))


# The writer of the build running for an output folder (Pelican does not hand it out).
_WRITERS: dict[str, ParallelWriter] = {}


def flush_writer(pelican) -> None:
    """finalized, first receiver: render what the writer deferred."""
    writer = _WRITERS.pop(os.path.realpath(pelican.output_path), None)
    if writer is not None:
        writer.flush()


def flush_before_static_files(generators) -> None:
    """Pelican writes pages before it copies static files (and a static file wins over a
    page with the same path): the deferred pages are written before the copying too."""
    from pelican.generators import StaticGenerator

    for generator in generators:
        if isinstance(generator, StaticGenerator):
            copy = generator.generate_output

            def generate_output(writer, _copy=copy):
                if isinstance(writer, ParallelWriter):
                    writer.flush()
                return _copy(writer)

            generator.generate_output = generate_output


def move_first(signal, receiver) -> None:
    """Make receiver the first one a signal calls (Pelican's blinker signals call their
    receivers in connect order)."""
    others = [(target, weak) for target, weak in _connected(signal) if target is not receiver]
    for target, _ in others:
        signal.disconnect(target)
    signal.disconnect(receiver)
    signal.connect(receiver)
    for target, weak in others:
        signal.connect(target, weak=weak)
