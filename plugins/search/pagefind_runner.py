"""Finding and running the Pagefind binary on a built site."""

from __future__ import annotations

import atexit
import hashlib
import importlib
import json
import logging
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

logger = logging.getLogger(__name__)

# Python packages that ship the binary: pagefind[extended] and pagefind[bin].
BINARY_PACKAGES = ("pagefind_bin_extended", "pagefind_bin")
BINARY_NAMES = ("pagefind_extended", "pagefind")


class PagefindError(RuntimeError):
    """Pagefind is missing or failed; the message says what to do."""


def find_binary(configured: str = "") -> Path:
    """The pagefind executable: the configured path, a Python package's, or one on PATH."""
    if configured:
        path = Path(configured).expanduser()
        if path.is_file():
            return path
        raise PagefindError(f"SEARCH_PAGEFIND_BINARY = {configured!r}: no such file")
    for name in BINARY_PACKAGES:
        try:
            package = importlib.import_module(name)
        except ImportError:
            continue
        try:
            return Path(package.get_executable())
        except (AttributeError, FileNotFoundError):
            continue
    for name in BINARY_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise PagefindError(
        "no pagefind binary found: install it with `pip install 'pagefind[extended]'` "
        "or set SEARCH_PAGEFIND_BINARY"
    )


def clear_bundle(bundle: Path) -> None:
    """Remove an earlier bundle so that stale index fragments do not pile up.

    Only a folder that Pagefind wrote (it has pagefind-entry.json) is removed.
    """
    if (bundle / "pagefind-entry.json").is_file():
        shutil.rmtree(bundle)


SEARCH_BODY = b"data-pagefind-body"


def stage_pages(site: Path, pages: list[Path], staging: Path) -> Path:
    """A folder holding only the pages Pagefind indexes, at their paths under site.

    Pagefind parses every HTML file it is pointed at, and listing pages (tags, archives,
    pagination) are half of a blog's files but carry no search body. Hard links cost
    one system call per page; a copy is made where the two folders are on different
    file systems.
    """
    for old in (staging, staging.with_name(staging.name + ".old")):
        # the last build's background deletion may still be at work on .old
        shutil.rmtree(old, ignore_errors=True)
    made: set[str] = set()
    root = os.path.join(os.path.abspath(site), "")
    for page in pages:
        source = os.path.abspath(page)
        target = os.path.join(staging, source[len(root):])
        folder = os.path.dirname(target)
        if folder not in made:  # one makedirs per folder, not per page
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
    return staging


def _remove_later(folder: Path) -> None:
    """Delete the staging folder while the build goes on (thousands of unlinks); one left
    half-deleted when the build process ends is removed before the next staging."""
    old = folder.with_name(folder.name + ".old")
    try:
        os.rename(folder, old)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return
    threading.Thread(target=shutil.rmtree, args=(old, True), daemon=True).start()


# Runs not finished yet: a build that fails after starting one stops it when it exits.
_RUNNING: set = set()


@atexit.register
def _stop_running() -> None:
    for run in list(_RUNNING):
        if run.owner == os.getpid():
            run.cancel()


class PagefindRun:
    """A Pagefind process indexing staged pages into a bundle folder of its own; finish()
    waits for it and moves the bundle into the site, cancel() stops it."""

    def __init__(self, binary: Path, site: Path, bundle_dir: str, extra_args: list[str],
                 timeout: float, pages: list[Path] | None, work: Path) -> None:
        self.site = site
        self.bundle_dir = bundle_dir
        self.timeout = timeout
        self.work = work
        self.staging: Path | None = None
        self.bundle = work / "pagefind-bundle"
        shutil.rmtree(self.bundle, ignore_errors=True)
        source = site
        if pages is not None:
            source = self.staging = stage_pages(site, pages, work / "pagefind-pages")
        self.bundle.parent.mkdir(parents=True, exist_ok=True)
        command = [str(binary), "--site", str(source), "--output-path",
                   str(self.bundle.resolve()), *extra_args]
        logger.debug("search: running %s", " ".join(command))
        self.report_file = work / "pagefind-report.txt"
        self.started = time.monotonic()
        with open(self.report_file, "wb") as report:
            try:
                self.process = subprocess.Popen(command, stdout=report,
                                                stderr=subprocess.STDOUT)
            except OSError as exc:
                self._clean()
                raise PagefindError(f"{binary}: {exc}") from exc
        self.owner = os.getpid()
        _RUNNING.add(self)

    def _clean(self) -> None:
        _RUNNING.discard(self)
        if self.staging is not None:
            _remove_later(self.staging)
            self.staging = None

    def cancel(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._clean()
        shutil.rmtree(self.bundle, ignore_errors=True)

    def finish(self) -> str:
        """Pagefind's report, once the bundle is in the site."""
        left = max(self.timeout - (time.monotonic() - self.started), 0.1)
        try:
            code = self.process.wait(timeout=left)
        except subprocess.TimeoutExpired as exc:
            self.cancel()
            raise PagefindError(f"{exc}") from exc
        finally:
            self._clean()
        report = self.report_file.read_text(encoding="utf-8", errors="replace")
        if code != 0:
            shutil.rmtree(self.bundle, ignore_errors=True)
            raise PagefindError(f"pagefind exited with {code}: {' '.join(report.split())}")
        target = self.site / self.bundle_dir
        clear_bundle(target)
        if target.exists():  # a folder Pagefind did not make: add to it, as it would
            shutil.copytree(self.bundle, target, dirs_exist_ok=True)
            shutil.rmtree(self.bundle, ignore_errors=True)
        else:
            shutil.move(str(self.bundle), str(target))
        return report


def run_pagefind(
    binary: Path,
    site: Path,
    bundle_dir: str,
    extra_args: list[str],
    timeout: float,
    pages: list[Path] | None = None,
    staging: Path | None = None,
) -> str:
    """Index the HTML under site into site/bundle_dir; returns Pagefind's report.

    With pages, only those pages are indexed (see stage_pages); staging is the folder
    for the staged pages and Pagefind's bundle before it moves into the site.
    """
    work = staging.parent if staging is not None else site.parent / ".pagefind-work"
    return PagefindRun(binary, site, bundle_dir, extra_args, timeout, pages, work).finish()


def page_facts(path: str) -> tuple[int, int, str | None] | None:
    """(size, mtime_ns, sha256 of the bytes or None without a search body) of a page."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
            stat = os.fstat(handle.fileno())
    except OSError:
        return None
    digest = hashlib.sha256(data).hexdigest() if SEARCH_BODY in data else None
    return stat.st_size, stat.st_mtime_ns, digest


def indexable_pages(
    site: Path, bundle_dir: str, extra_args: list[str], known: dict | None = None
) -> tuple[str, list[Path], int]:
    """The pages with a search body, a sha256 over them (path and bytes) and the
    Pagefind arguments (the index depends on nothing else), and how many HTML files had
    to be read here.

    known: page_facts() by absolute path, taken when the build wrote the pages (in the
    process that wrote each one); a page whose size or mtime differs now is read again.
    """
    known = known or {}
    digest = hashlib.sha256(" ".join(extra_args).encode())
    root = os.path.abspath(site)
    bundle = os.path.join(root, bundle_dir)
    found = []
    for folder, subfolders, files in os.walk(root):
        if folder == bundle or folder.startswith(bundle + os.sep):
            subfolders[:] = []
            continue
        found += [os.path.join(folder, name) for name in files if name.endswith(".html")]
    cut = len(os.path.join(root, ""))
    # in the order of Path sorting (by path segment), as the fingerprint always was
    found.sort(key=lambda path: path[cut:].split(os.sep))
    pages = []
    read = 0
    for path in found:
        facts = known.get(path)
        if facts is not None:
            try:
                stat = os.stat(path)
            except OSError:
                continue
            if (stat.st_size, stat.st_mtime_ns) != facts[:2]:
                facts = None
        if facts is None:
            read += 1
            facts = page_facts(path)
        if facts is None or facts[2] is None:
            continue
        pages.append(site / path[cut:])
        digest.update(path[cut:].replace(os.sep, "/").encode() + b"\0")
        digest.update(bytes.fromhex(facts[2]))
    return digest.hexdigest(), pages, read


def index_is_current(site: Path, bundle_dir: str, fingerprint: str, record: Path) -> bool:
    """True when the pages are the ones the existing index was built from.

    Pagefind always indexes the whole site (seconds at thousands of pages); when a
    rebuild wrote the same pages, the index it made last time is still right.
    """
    if not (site / bundle_dir / "pagefind-entry.json").is_file() or not record.is_file():
        return False
    try:
        stored = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return stored.get(str(site.resolve())) == fingerprint


def remember_index(site: Path, fingerprint: str, record: Path) -> None:
    record.parent.mkdir(parents=True, exist_ok=True)
    try:
        stored = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else {}
    except (OSError, ValueError):
        stored = {}
    stored[str(site.resolve())] = fingerprint
    record.write_text(json.dumps(stored, indent=1, sort_keys=True), encoding="utf-8")
