"""Both cores for the two slow phases of a build: reading Markdown and rendering pages
(the rendering side is writer.py).

Pelican reads every source file and renders every page in one process. Both phases are
lists of independent items once the context is complete, so they are shared between the
build process and forked workers (RESONANZ_JOBS, default: the cores this process may use,
at most 4). A worker starts as a copy of the build process (fork), so it sees the same
settings, content objects and templates without pickling them; it sends back only what
the build process cannot see: what it read, which files it wrote, which sitemap entries
and which warnings those files produced.

The output is the same as with one process: a test builds the demo both ways and compares
every byte. Where that cannot be promised, everything runs in the build process: on
systems without fork, when RESONANZ_JOBS is 1, and when a plugin that has not declared
itself (hooks.declare) listens for written files (it would not hear about the files a
worker wrote; a warning names it).
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import pickle
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from pelican.readers import file_suffix

from . import compat, session
from .settings import DEFAULTS

logger = logging.getLogger(__name__)

MAX_AUTO_JOBS = 4
# Items a process takes from the shared counter at a time (fewer lock round trips).
CHUNK = 4


def job_count(settings: dict) -> int:
    """Processes to use: RESONANZ_JOBS, or the usable cores (at most 4) when it is 0;
    1 outside a build with the fast build on (the plugin not in PLUGINS)."""
    if not hasattr(os, "fork") or sys.platform == "win32" or session.running() is None:
        return 1
    configured = settings.get("RESONANZ_JOBS", DEFAULTS["RESONANZ_JOBS"])
    try:
        jobs = int(configured)
    except (TypeError, ValueError):
        logger.error("resonanz_fastbuild: setting RESONANZ_JOBS = %r: expected a whole "
                     "number", configured)
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


def _collector():
    """The handler collecting the build's problems (resonanz_core's ProblemCollector,
    found by what it does: the fast build does not depend on the core plugin)."""
    for handler in logging.getLogger().handlers:
        if hasattr(handler, "add_lines") and isinstance(getattr(handler, "problems", None),
                                                        list):
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
    meanwhile: Callable[[], None] | None = None,
) -> tuple[dict[int, Any], list[Any]]:
    """Call func on every item, shared between this process and jobs - 1 forked workers.

    Returns the results by index and, for every worker that finished, what extra()
    returned in it (called in the worker after its share). first() is called in the
    first worker before its share, while this process starts on the items, and what it
    returns is given to on_first() here (nothing when there are no workers, or first()
    raised: it must be work this process can do later itself). meanwhile() is called here
    once the workers have started, before this process takes its share (before the
    items when there are no workers). When a worker fails, its
    unfinished items are missing from the results (redo_failed: the caller does them
    itself, for work without side effects) or WorkerError is raised with the worker's
    traceback.
    """
    results: dict[int, Any] = {}
    extras: list[Any] = []
    if jobs <= 1 or len(items) < 2 * CHUNK:
        if meanwhile is not None:
            meanwhile()
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
                logger.debug("resonanz_fastbuild: fork failed (%s)", exc)
                break
    finally:
        gc.unfreeze()
    try:
        if meanwhile is not None:
            meanwhile()
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
            logger.debug("resonanz_fastbuild: a worker stopped; the caller does its items:\n%s",
                         share.error)
    return results, extras


# -- reading ---------------------------------------------------------------------------


def _read_one(readers, path: str):
    reader = readers.readers[file_suffix(path)]
    try:
        content, metadata = reader.read(path)
    except Exception:  # noqa: BLE001 - read again by Pelican, which reports it
        return None
    return content, compat.filter_discardable_metadata(metadata)


def prefetch(generator, paths_setting: str, exclude_setting: str,
             while_reading: tuple | None = None,
             ahead: tuple[Callable[[int], Any], Callable[[list], None], int] | None = None
             ) -> int:
    """Read the source files a generator is about to read, shared between processes.

    Pelican asks its reader cache before reading a file; files read here answer from
    that question and are stored in Pelican's content cache as if Pelican had read them.
    Files that fail to read are left to Pelican, which logs the error as usual.
    while_reading is (work(generator) -> result, use(result)): work the build process
    would do later, done by the first worker while this process starts reading.
    ahead is (do(number) -> result, use([(number, result), ...]), count): other work
    shared out with the files, first in the list (hooks.read_ahead); none of it is done
    when the files are not shared out.
    """
    settings = generator.settings
    jobs = job_count(settings)
    if jobs <= 1:
        return 0
    readers = generator.readers
    base = generator.path
    todo = []
    stamps = compat.StampsOnce(readers)
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
    first, on_first = while_reading or (None, None)
    do, use, count = ahead or (None, None, 0)
    # the other work first: this process takes it while the first worker compiles
    items: list = [*range(count), *todo]

    def one(item):
        return do(item) if isinstance(item, int) else _read_one(readers, item)

    results, _ = run_shared(items, one, jobs,
                            first=(lambda: first(generator)) if first else None,
                            on_first=on_first)
    read = {items[i]: data for i, data in results.items() if i >= count and data is not None}
    if use is not None:
        use([(i, results[i]) for i in range(count) if i in results])
    compat.serve_read(readers, read)
    logger.info("resonanz_fastbuild: %d source files read by %d process(es) (%s)", len(todo),
                len(LAST_RUN), " + ".join(map(str, LAST_RUN)))
    return len(read)
