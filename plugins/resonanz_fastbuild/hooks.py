"""What other plugins tell the fast build, and what it tells them.

A plugin that listens for `content_written` (or `feed_written`, `feed_generated`)
declares here that its receiver works with the fast build: with worker processes, a
page is written (and its signal sent) in the worker that rendered it, so a receiver
that records something for later gives a `WorkerShare` that brings it back to the
build process. A receiver that is not declared makes the writer use one process (and
say so in a warning naming it); a feed receiver that is not declared turns off the
sharing of feed entries.

Importing this module is harmless when the plugin is not in PLUGINS: the declarations
are then never looked at, the signals never sent.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from blinker import Namespace

# The number of the write (page or feed) in the order Pelican asked for it, put into
# the context of each write: a receiver of content_written that keeps what it records
# in that order gets the order of a build in one process, whichever process wrote.
WRITE_NUMBER = "resonanz_write_number"

_signals = Namespace()
# Sent with the writer once the pages of posts, pages and episodes are written, as the
# workers start on listings and feeds (the search plugin starts Pagefind there): listing
# pages may be being written meanwhile. Not sent when one process writes every page at
# once.
content_pages_written = _signals.signal("resonanz_fastbuild.content_pages_written")
# Sent with the settings when the unchanged-build check records its inputs: a receiver
# returns a string standing for inputs that are not files (the commits that date podcast
# episodes); a build runs when any answer differs from the last clean build's.
build_inputs = _signals.signal("resonanz_fastbuild.build_inputs")
# Sent with the Pelican instance when a build raises (plugins stop what they started).
build_failed = _signals.signal("resonanz_fastbuild.build_failed")
# Sent with the Pelican instance, `written` (output paths relative to the output
# folder) and `generator` (the articles generator, the posts' new text in place) when a
# build wrote edited posts' pages and feeds alone (textpath.py): no `finalized` follows,
# the search plugin indexes them here, the linkbacks plugin notifies new links.
pages_rewritten = _signals.signal("resonanz_fastbuild.pages_rewritten")
# Sent with a post read again alone (the dev server's and a batch build's one-post path,
# incremental.py) and `generator=` its generator, before its page is written: the checks
# a full build runs over every post run here for it (a warning makes a full build).
post_reread = _signals.signal("resonanz_fastbuild.post_reread")
# Sent with a post (the last build's object and the one read again) and `generator=`:
# a receiver returns what other pages show of the post's text (the brands it names); a
# different answer for the two makes a full build.
text_facts = _signals.signal("resonanz_fastbuild.text_facts")


# Work a plugin does later in the build process that needs none of the posts being read
# (its inputs are settings and other files: the show's artwork, the responses archive,
# the CMS bundle): it is shared out with the posts' reading, the first of the build, so
# that the build process's later steps, done while the other cores wait, are shorter.
# work(generator) runs in whichever process is free (a worker sends its result back:
# picklable) with logging off; it returns what the plugin reports, or leaves the
# reporting to the plugin's own step. use(generator, result) gets the result in the
# build process once the reading is done. A build that reads in one process, or reads
# too few files to share them (an incremental build), does none of it: the plugin's own
# step does the work then, as it would without this; so does a work that raised. Only
# the works of plugins in the build's PLUGINS run (a process may build other sites).
_READ_AHEAD: list[tuple[Callable[[Any], Any], Callable[[Any, Any], None] | None]] = []
_FAILED = object()


def read_ahead(work: Callable[[Any], Any],
               use: Callable[[Any, Any], None] | None = None) -> None:
    """Declare work that may be done while the posts are read (see above); without use,
    what the work leaves behind (files in a cache or in the output) is its result."""
    if all(work is not known for known, _ in _READ_AHEAD):
        _READ_AHEAD.append((work, use))


def read_ahead_works(generator: Any) -> list[tuple[Callable, Callable]]:
    """The declared works of the plugins in this build's PLUGINS."""
    names = {getattr(p, "__name__", p) for p in generator.settings.get("PLUGINS") or []}
    return [(work, use) for work, use in _READ_AHEAD
            if work.__module__.split(".")[0] in names]


def do_read_ahead(generator: Any, declared: tuple[Callable, Callable]) -> Any:
    """One work, in whichever process took it, with logging off."""
    previous = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        return declared[0](generator)
    except Exception:  # noqa: BLE001 - the plugin's own step does it later
        return _FAILED
    finally:
        logging.disable(previous)


@contextlib.contextmanager
def captured_logs() -> Iterator[list[logging.LogRecord]]:
    """Inside a read-ahead work, around reading a file whose problems must be reported
    (show notes: Pelican's reader warns of a date given twice): the records logged
    meanwhile are kept, with their text made, instead of dropped; the plugin logs them in
    the build process when it takes the result (`replay_logs`), as if it had read the
    file there."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            record.msg, record.args = record.getMessage(), None  # picklable
            record.exc_info = record.exc_text = None
            records.append(record)

    root = logging.getLogger()
    handlers, root.handlers = root.handlers, [Keep()]
    previous = logging.root.manager.disable
    logging.disable(logging.NOTSET)
    try:
        yield records
    finally:
        logging.disable(previous)
        root.handlers = handlers


def replay_logs(records: list[logging.LogRecord]) -> None:
    """Log records kept by captured_logs, in the build process."""
    from . import compat  # compat imports Pelican; this module is imported without it

    for record in records:
        compat.log_again(record)


def use_read_ahead(generator: Any, works: list[tuple[Callable, Callable]],
                   results: list[tuple[int, Any]]) -> None:
    """In the build process: hand each result to its plugin."""
    done = []
    for number, result in results:
        if result is not _FAILED:
            work, use = works[number]
            if use is not None:
                use(generator, result)
            done.append(f"{work.__module__}.{work.__qualname__}")
    logging.getLogger(__name__).debug(
        "resonanz_fastbuild: done while the posts were read: %s", ", ".join(done) or "nothing")


class WorkerShare(Protocol):
    """How a receiver's records made in a worker reach the build process."""

    def mark(self) -> Any:
        """In the build process, before the workers start: where the records stand."""

    def collect(self, mark: Any) -> Any:
        """In a worker, after its share: what was recorded since `mark` (picklable)."""

    def merge(self, data: Any, value_of: Callable[[int, str], Any]) -> None:
        """In the build process: add a worker's records; value_of(write number, name)
        is the value `name` had in the context of that write (the page's `article`)."""


_DECLARED: dict[Callable, WorkerShare | None] = {}


def declare(receiver: Callable, share: WorkerShare | None = None) -> None:
    """Declare that `receiver` works with the fast build (see the module's text)."""
    _DECLARED[receiver] = share


def is_declared(receiver: Callable) -> bool:
    return receiver in _DECLARED


# A receiver of feed_generated or feed_written that adds to a feed names what it adds
# from: inputs(context, address) -> a value (content objects in it count with every
# field; address: the feed's URL, or its path). The dependency record leaves a feed as
# the last build wrote it only when every live receiver of those two signals has
# declared this (outputs.feed_signature); while one has not, every feed is written. A
# feed left as it was sends neither signal: a receiver that must see every feed
# written (to list or check them) declares nothing here.
_FEED_INPUTS: dict[Callable, Callable[[dict, str], Any]] = {}


def declare_feed_inputs(receiver: Callable, inputs: Callable[[dict, str], Any]) -> None:
    """Declare where what `receiver` adds to a feed comes from (see above)."""
    _FEED_INPUTS[receiver] = inputs


def feed_inputs(receiver: Callable) -> Callable[[dict, str], Any] | None:
    return _FEED_INPUTS.get(receiver)


# Files a plugin puts into the output itself, past Pelican's writer (per post or episode:
# comments feeds, image variants, media files, oEmbed documents), in the build process:
# the dependency record lists them with the pages and feeds, and a later build that no
# longer makes one removes it (a deleted post's comments feed), as a cold build would
# not have it. A plugin reports each such file every build that makes it, also when it
# left the file as it was.
_MADE: set[str] = set()


def made(*paths: Any) -> None:
    """Report output files this build made or kept (see above)."""
    _MADE.update(os.path.abspath(str(path)) for path in paths)


def made_files() -> set[str]:
    return set(_MADE)


def forget_made() -> None:
    """A build begins."""
    _MADE.clear()


# Output a plugin writes past Pelican's writer that needs no page rendered first (the
# comments feeds, the episodes' oEmbed documents and media files): handed to the fast
# build's writer as a job, it is made while the listings render, shared out with them,
# instead of by the build process alone while the other cores wait. job() runs in
# whichever process takes it (a forked worker sees the build's objects as they were when
# the pages began to render) and returns a picklable result; done(result) runs in the
# build process once the pages are written, in the order the jobs were given. A plugin
# reports the files a job makes (made()) in the build process, not in the job. Without
# the fast build's writer (one process, or outside a build) job and done run at once.
def _at_once(job: Callable[[], Any], done: Callable[[Any], None]) -> None:
    done(job())


_ALONGSIDE: list[Callable] = [_at_once]


def set_alongside(queue: Callable | None) -> None:
    """The writer that takes jobs (None: run them at once)."""
    _ALONGSIDE[0] = queue or _at_once


def alongside(job: Callable[[], Any], done: Callable[[Any], None] | None = None) -> None:
    """Make an output while the pages render (see above)."""
    _ALONGSIDE[0](job, done or _ignore)


def shares() -> list[WorkerShare]:
    """The worker shares of every declared receiver, in the order declared."""
    return [share for share in _DECLARED.values() if share is not None]


def _unguarded(method: Callable, kind: str, args: tuple, kwargs: dict, settings: dict) -> Any:
    return method(*args, **kwargs)


# Every page and feed the fast build writes goes through one function: resonanz_core sets
# one that leaves out a page its content cannot render (naming the source file) instead of
# stopping the build. One slot, set once per process; the default just writes.
_WRITE_GUARD: list[Callable] = [_unguarded]


def set_write_guard(guard: Callable) -> None:
    """guard(method, kind ('page' | 'feed'), args, kwargs, settings) -> what method returns."""
    _WRITE_GUARD[0] = guard


def guarded_write(method: Callable, kind: str, args: tuple, kwargs: dict, settings: dict) -> Any:
    return _WRITE_GUARD[0](method, kind, args, kwargs, settings)


def _ignore(*objects: Any) -> None:
    return None


# The dependency record (outputs.py) hears here of content objects a page shows that no
# template attribute lookup names: a partial reused from an earlier render (render_once).
_USE_RECORDER: list[Callable] = [_ignore]


def set_use_recorder(recorder: Callable) -> None:
    _USE_RECORDER[0] = recorder


def _render(ctx: Any, name: str, values: dict, render: Callable[[], str]) -> str:
    return render()


# The dependency record (outputs.py) may answer a partial about one thing (a post's
# teaser) from the last build, when what it used then is the same now.
_PARTIAL: list[Callable] = [_render]


def set_partial_memo(memo: Callable) -> None:
    """memo(ctx, name, values, render) -> the partial's HTML (render() makes it)."""
    _PARTIAL[0] = memo


def partial(ctx: Any, name: str, values: dict, render: Callable[[], str]) -> str:
    """A partial rendered with `values` (render_once's contract: it shows the values, site
    settings and SITEURL, nothing of the page that lists it)."""
    return _PARTIAL[0](ctx, name, values, render)


def uses(*objects: Any) -> None:
    """Tell the dependency record that the page being rendered shows these objects."""
    _USE_RECORDER[0](*objects)
