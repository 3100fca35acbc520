"""Finding and running the Pagefind binary on a built site."""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import importlib
import json
import logging
import os
import select
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from .search_copies import SEARCH_BODY, stage_one

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


def _is_bundle(folder: Path) -> bool:
    """A folder Pagefind wrote (it has pagefind-entry.json): replaced as a whole by the
    next bundle, so that stale index fragments do not pile up."""
    return (folder / "pagefind-entry.json").is_file()


STAGING = "pagefind-pages"  # prefix of the folders for the pages Pagefind reads
MEMORY = Path("/dev/shm")
MEMORY_FREE = 1 << 30  # free bytes /dev/shm needs to hold a build's search copies


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


def sweep(folder: Path, prefix: str) -> None:
    """Remove folders named prefix-<pid>-… whose build process no longer runs (killed
    before it could clean up); only our own, never through a symbolic link."""
    if os.name != "posix":
        return
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        parts = entry.name[len(prefix) + 1:].split("-", 1)
        if not entry.name.startswith(prefix + "-") or not parts[0].isdigit():
            continue
        try:
            stat = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if (entry.is_dir(follow_symlinks=False) and stat.st_uid == os.getuid()
                and not _alive(int(parts[0]))):
            shutil.rmtree(entry.path, ignore_errors=True)


def private_base(cache: Path) -> Path:
    """Where a build keeps the files only it and Pagefind use: in memory (/dev/shm) where
    the system has one with room (thousands of small files and folders cost several
    times less there than on a disk; containers often have only 64 MiB there), else in
    the cache folder."""
    try:
        if (MEMORY.is_dir() and os.access(MEMORY, os.W_OK)
                and shutil.disk_usage(MEMORY).free >= MEMORY_FREE):
            return MEMORY
    except OSError:
        pass
    return cache


def private_folder(cache: Path, name: str) -> Path:
    """A new folder resonanz-<name>-<pid>-<random> (unguessable, mode 0700) in the
    private base, after sweeping those of builds that were killed."""
    base = private_base(cache)
    base.mkdir(parents=True, exist_ok=True)
    prefix = f"resonanz-{name}"
    sweep(base, prefix)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}-{os.getpid()}-", dir=base))


def new_staging(cache: Path) -> Path:
    """A private folder for one build's search copies."""
    return private_folder(cache, STAGING)


def stage_pages(site: Path, pages: list[Path], staging: Path,
                staged: set[str] | None = None, copy: bool = True) -> Path:
    """Fill the staging folder: for each page Pagefind indexes, its search copy at its
    path under site (Pagefind makes the result URL from it).

    Listing pages (tags, archives, pagination) are half of a blog's files but carry no
    search body: Pagefind would parse them all. staged: the relative paths whose copies
    the build already wrote there when it wrote the pages; the rest are made here and
    anything else in the folder is removed.
    """
    staged = staged or set()
    root = os.path.join(os.path.abspath(site), "")
    wanted = {os.path.abspath(page)[len(root):]: page for page in pages}
    cut = len(os.path.join(os.path.abspath(staging), ""))
    present = set()
    try:
        os.makedirs(staging, exist_ok=True)
        for folder, _, files in os.walk(staging):
            for name in files:
                path = os.path.join(folder, name)
                if path[cut:] in wanted and path[cut:] in staged:
                    present.add(path[cut:])
                else:
                    os.unlink(path)
        for relative, page in wanted.items():
            if relative not in present:
                stage_one(Path(page).read_bytes(), os.path.join(staging, relative), copy)
    except OSError as exc:
        raise PagefindError(f"staging the pages in {staging}: {exc}") from exc
    return staging


def remove_later(folder: Path) -> None:
    """Delete a staging folder while the build goes on (thousands of unlinks); the build
    process waits for the deletion before it exits, and a folder left by a process that
    was killed is swept by the next build."""
    old = folder.with_name(folder.name + ".old")
    try:
        os.rename(folder, old)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return
    threading.Thread(target=shutil.rmtree, args=(old, True), daemon=False).start()


# Runs not finished yet: a build that fails after starting one stops it when it exits.
_RUNNING: set = set()


def _read_umask() -> int:
    mask = os.umask(0o022)  # at import, before any thread of ours writes files
    os.umask(mask)
    return mask


# The mode os.mkdir gives a new folder: the bundle's folder was made private (0700) and
# must be readable by the web server in the site.
FOLDER_MODE = 0o777 & ~_read_umask()


@atexit.register
def _stop_running() -> None:
    for run in list(_RUNNING):
        if run.owner == os.getpid():
            run.cancel(later=False)


class PagefindRun:
    """A Pagefind process indexing staged pages into a bundle folder of its own; finish()
    waits for it and moves the bundle into the site, cancel() stops it. The run owns the
    staging folder it is given (or makes) and removes it when it ends."""

    def __init__(self, binary: Path, site: Path, bundle_dir: str, extra_args: list[str],
                 timeout: float, pages: list[Path] | None, work: Path,
                 staged: set[str] | None = None, staging: Path | None = None,
                 copy: bool = True) -> None:
        self.site = site
        self.bundle_dir = bundle_dir
        self.timeout = timeout
        self.owner = os.getpid()
        self.staging: Path | None = None
        # Pagefind writes its bundle (a file per page) several times faster into memory
        # than onto a disk: 2.5 s of 5 at 2300 pages here, where copying the finished
        # bundle into the site takes 0.2 s.
        # One private folder holds the bundle and Pagefind's report (swept as a whole
        # when a killed build left it).
        self.folder = private_folder(work, "pagefind-bundle")
        self.bundle = self.folder / "bundle"
        self.report_file = self.folder / "report.txt"
        source = site
        try:
            if pages is not None:
                if staging is None or not staging.is_dir():
                    staging, staged = new_staging(work), None
                self.staging = staging
                source = stage_pages(site, pages, staging, staged, copy)
            command = [str(binary), "--site", str(source), "--output-path",
                       str(self.bundle.resolve()), *extra_args]
            logger.debug("search: running %s", " ".join(command))
            with open(self.report_file, "wb") as report:
                self.process = subprocess.Popen(command, stdout=report,
                                                stderr=subprocess.STDOUT)
        except (OSError, PagefindError) as exc:
            self._clean(later=False)
            self._drop_bundle()
            raise exc if isinstance(exc, PagefindError) else PagefindError(
                f"{binary}: {exc}") from exc
        _RUNNING.add(self)

    def _clean(self, later: bool = True) -> None:
        _RUNNING.discard(self)
        if self.staging is not None:
            if later:
                remove_later(self.staging)
            else:
                shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None

    def _drop_bundle(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def cancel(self, later: bool = True) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._clean(later)
        self._drop_bundle()

    def finish(self) -> str:
        """Pagefind's report, once the bundle is in the site. The timeout counts from
        here: an early run shared the machine with the rendering until now."""
        try:
            code = _wait(self.process, self.timeout)
        except subprocess.TimeoutExpired as exc:
            self.cancel()
            raise PagefindError(f"{exc}") from exc
        finally:
            self._clean()
        report = self.report_file.read_text(encoding="utf-8", errors="replace")
        if code != 0:
            self._drop_bundle()
            raise PagefindError(f"pagefind exited with {code}: {' '.join(report.split())}")
        target = self.site / self.bundle_dir
        try:
            if target.exists() and not _is_bundle(target):
                # a folder Pagefind did not make is added to, as Pagefind would (and
                # keeps its mode: copytree gives it the private one of the bundle)
                mode = target.stat().st_mode & 0o7777
                shutil.copytree(self.bundle, target, dirs_exist_ok=True,
                                copy_function=shutil.copyfile)
                target.chmod(mode)
            else:
                self._put_in_place(target)
        finally:
            self._drop_bundle()
        return report

    def _put_in_place(self, target: Path) -> None:
        """The new bundle takes the place of the old one by renames, and the old one is
        deleted last: on ext4 without a journal, files made soon after many were
        deleted cost more. The bundle is moved beside the target, or copied there
        from memory (another file system); the old bundle comes back if the new one
        cannot take its place."""
        target.parent.mkdir(parents=True, exist_ok=True)
        new = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        old = None
        try:
            try:
                os.replace(self.bundle, new)  # onto the empty folder: same file system
            except OSError:
                shutil.copytree(self.bundle, new, dirs_exist_ok=True,
                                copy_function=shutil.copyfile)
            new.chmod(FOLDER_MODE)
            if target.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-",
                                            dir=target.parent))
                os.replace(target, old)
            try:
                os.replace(new, target)
            except OSError:
                if old is not None:
                    os.replace(old, target)
                    old = None
                raise
        finally:
            shutil.rmtree(new, ignore_errors=True)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)


def _wait(process: subprocess.Popen, timeout: float | None) -> int:
    """Popen.wait with a timeout looks every 50 ms at most (it sleeps in between), the
    end of every build with an index; a pidfd (Linux) wakes at the exit instead."""
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is not None and process.returncode is None:
        try:
            pidfd = pidfd_open(process.pid)
        except OSError:  # no pidfds here, or the process was reaped already
            pidfd = None
        if pidfd is not None:
            try:  # poll, not select: a descriptor above 1023 (a long dev server) works
                poller = select.poll()
                poller.register(pidfd, select.POLLIN)
                ready = poller.poll(None if timeout is None else max(0, timeout) * 1000)
            finally:
                os.close(pidfd)
            if not ready:
                raise subprocess.TimeoutExpired(process.args, timeout)
    return process.wait(timeout=timeout)


def page_facts(path: str, staging: str | None = None, relative: str | None = None,
               copy: bool = True) -> tuple[int, int, str | None] | None:
    """(size, mtime_ns, sha256 of the bytes or None without a search body) of a page;
    with a staging folder, a page with a search body leaves its search copy there."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
            stat = os.fstat(handle.fileno())
    except OSError:
        return None
    digest = None
    if SEARCH_BODY in data:
        digest = hashlib.sha256(data).hexdigest()
        if staging is not None and relative is not None:
            with contextlib.suppress(OSError):  # stage_pages makes it again, or fails
                stage_one(data, os.path.join(staging, relative), copy)
    return stat.st_size, stat.st_mtime_ns, digest


def indexable_pages(
    site: Path, bundle_dir: str, extra_args: list[str], known: dict | None = None,
    digests: dict[str, str] | None = None, every: dict[str, tuple] | None = None,
) -> tuple[str, list[Path], set[str]]:
    """The pages with a search body, a sha256 over them (path and bytes) and the
    Pagefind arguments (the index depends on nothing else), and the HTML files (absolute
    paths) that had to be read here.

    known: page_facts() by absolute path, taken when the build wrote the pages (in the
    process that wrote each one); a page whose size or mtime differs now is read again.
    digests: filled with each page's sha256 by relative path ("/"-separated).
    every: filled with the facts of every HTML file by relative path ("/"-separated).
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
    read = set()
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
            read.add(path)
            facts = page_facts(path)
        if facts is not None and every is not None:
            every[path[cut:].replace(os.sep, "/")] = facts
        if facts is None or facts[2] is None:
            continue
        pages.append(site / path[cut:])
        relative = path[cut:].replace(os.sep, "/")
        if digests is not None:
            digests[relative] = facts[2]
        digest.update(relative.encode() + b"\0")
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
