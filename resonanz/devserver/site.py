"""The resident build: one Pelican kept in memory, a full build or only one post's page.

A change of Python code or of the settings file is not handled here: the caller starts
the process again (cli.py), because the modules Pelican imported stay as they were.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import re
import sys
import time
from pathlib import Path

from pelican import Pelican, signals
from pelican.settings import read_settings

from . import watch

logger = logging.getLogger(__name__)

PLUGINS_DIR = Path(__file__).resolve().parents[2] / "plugins"
if str(PLUGINS_DIR) not in sys.path:  # pelicanconf.py adds it too; the import below first
    sys.path.append(str(PLUGINS_DIR))

from resonanz_fastbuild import compat, hooks, incremental, textpath  # noqa: E402
from resonanz_fastbuild import plugin as fastbuild  # noqa: E402


@dataclasses.dataclass
class Outcome:
    how: str  # "text": one post's page and feeds; "full": everything in memory
    pages: list[str]  # URL paths whose HTML changed
    errors: list[str]
    seconds: float


def _errors() -> incremental.LoggedMessages:
    """Collects the errors logged during one build, for the browser overlay."""
    return incremental.LoggedMessages(logging.ERROR)


def url_of(relative: str) -> str:
    """The URL path a browser asks for to get an output file."""
    url = "/" + relative.replace(os.sep, "/")
    return url[: -len("index.html")] if url.endswith("/index.html") or url == "/index.html" \
        else url


class _WorkerWrites:
    """hooks.WorkerShare: the files render workers wrote reach the build process (the
    clean-up after a full build needs all of them). Workers run only when the command
    line sets RESONANZ_JOBS (cli.py)."""

    def __init__(self, site: DevSite) -> None:
        self.site = site

    def mark(self) -> set[str]:
        return set(self.site.writing or ())

    def collect(self, mark: set[str]) -> list[str]:
        return sorted(set(self.site.writing or ()) - mark)

    def merge(self, data: list[str], value_of) -> None:
        if self.site.writing is not None:
            self.site.writing.update(data)


def _search_refresh(settings: dict, output: str):
    """The search plugin's background indexer, when the site uses the plugin."""
    if "resonanz_search" not in (settings.get("PLUGINS") or []):
        return None
    from resonanz_search.refresh import Refresh

    return Refresh(settings, output)


class DevSite:
    def __init__(self, settings_file: Path, overrides: dict) -> None:
        self.settings_file = settings_file.resolve()
        self.overrides = overrides
        self.pelican: Pelican | None = None
        self.settings = read_settings(str(self.settings_file), override=dict(overrides))
        self.last = incremental.capture(self.settings)
        self.output = Path(self.settings["OUTPUT_PATH"]).resolve()
        self.hashes: dict[str, str] = {}
        self.errors: list[str] = []
        # what Pelican's writer wrote in the last full build, and in the running one
        self.written: set[str] = set()
        self.writing: set[str] | None = None
        self.running: incremental.LoggedMessages | None = None
        self.search = _search_refresh(self.settings, str(self.output))
        hooks.declare(self._wrote, _WorkerWrites(self))

    def refresh_search(self) -> None:
        """After a page rendered alone: Pagefind in the background (a full build runs
        it itself)."""
        if self.search is not None:
            self.search.request()

    def close(self) -> None:
        """Stop a background Pagefind run (before the process ends or starts again)."""
        if self.search is not None:
            self.search.stop()

    def _wrote(self, path, **_) -> None:
        if self.writing is not None:
            self.writing.add(os.path.abspath(path))

    def watched(self) -> list[Path]:
        """content/, the theme, plugins/, resonanz/, redirects/ and the settings file."""
        content = Path(self.settings["PATH"]).resolve()
        roots = [content, Path(self.settings["THEME"]).resolve(), PLUGINS_DIR,
                 Path(__file__).resolve().parents[1], self.settings_file,
                 content.parent / (self.settings.get("RESONANZ_REDIRECTS_DIR") or "redirects")]
        roots += [Path(path).resolve() for path in self.settings.get("PLUGIN_PATHS") or []]
        return sorted(set(roots))

    def needs_restart(self, changes: set[Path]) -> bool:
        """Python code or the settings changed: imported modules cannot be rebuilt."""
        content = Path(self.settings["PATH"]).resolve()
        return any(path == self.settings_file or (path.suffix == ".py"
                   and not path.is_relative_to(content)) for path in changes)

    def _stamps(self) -> watch.Stamps:
        return watch.scan([self.output])

    def _changed_pages(self, paths) -> list[str]:
        """URL paths of the HTML files among paths whose bytes changed."""
        pages = []
        for path in paths:
            relative = os.path.relpath(path, self.output)
            if not relative.endswith(".html"):
                continue
            digest = (hashlib.sha1(path.read_bytes(), usedforsecurity=False).hexdigest()
                      if path.is_file() else "")
            if self.hashes.get(relative) != digest:
                self.hashes[relative] = digest
                pages.append(url_of(relative))
        return sorted(pages)

    def full(self) -> Outcome:
        """Build everything in memory (the first time: read every file)."""
        started = time.perf_counter()
        self.close()  # the build's own Pagefind run writes the same bundle
        before = self._stamps()
        compat.reset_log_dedup()
        self.writing = set()
        with _errors() as errors:
            self.running = errors
            try:
                if self.pelican is None:
                    self.pelican = Pelican(self.settings)
                    # its generators stay in memory for the one-post path (incremental.py),
                    # so no build of it may stop early with a snapshot's (textpath.py)
                    setattr(self.pelican, textpath.RESIDENT, True)
                    # after the fast build's writer flush, before the plugins that look at
                    # the whole output (_headers lists its folders)
                    compat.place_after(signals.finalized, self._on_finalized,
                                       fastbuild.on_finalized)
                # connected for this build only: another Pelican in the process (a test)
                # would count them as receivers the fast build does not know
                signals.content_written.connect(self._wrote)
                signals.feed_written.connect(self._wrote)
                self.pelican.run()
            except Exception as exc:  # noqa: BLE001 - shown in the overlay, server stays up
                logger.exception("devserver: the build failed")
                errors.messages.append(f"{type(exc).__name__}: {exc}")
            finally:
                signals.content_written.disconnect(self._wrote)
                signals.feed_written.disconnect(self._wrote)
        # the problems list repeats logged errors with their level in front
        problems = [re.sub(r"^(ERROR|WARNING): ", "", str(p))
                    for p in getattr(self.pelican, "resonanz_problems", None) or []]
        self.errors = list(dict.fromkeys(errors.messages + problems))
        self.writing = self.running = None
        after = self._stamps()
        return Outcome("full", self._changed_pages(watch.changed(before, after)), self.errors,
                       time.perf_counter() - started)

    def _on_finalized(self, pelican) -> None:
        if pelican is not self.pelican or self.writing is None:
            return
        written = set(self.writing)
        problems = getattr(pelican, "resonanz_problems", None)
        if self.running.messages or problems:
            return  # a broken post keeps its last good page
        # A removed post's page (or feed, or tag page) is not written again; a cold build
        # would not have it. Files plugins write past Pelican's writer are theirs.
        for path in self.written - written:
            if os.path.isfile(path):
                os.unlink(path)
                folder = Path(path).parent
                while folder != self.output and not any(folder.iterdir()):
                    folder.rmdir()
                    folder = folder.parent
        self.written = written

    def update(self, changes: set[Path]) -> Outcome:
        """Render what the changed source files need."""
        if self.pelican is None:
            return self.full()
        if len(changes) == 1 and not self.errors:
            (path,) = changes
            if path.suffix == ".md" and path.is_file():
                started = time.perf_counter()
                compat.reset_log_dedup()
                with _errors() as errors:
                    written = incremental.update_text(self.last, path)
                if written is not None and not errors.messages:
                    pages = self._changed_pages(self.output / name for name in written)
                    return Outcome("text", pages, [],
                                   time.perf_counter() - started)
        return self.full()
