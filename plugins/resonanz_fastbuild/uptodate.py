"""A build with nothing to do does nothing: the inputs and the output of the last build.

Our builds are reproducible (no build time anywhere in the output), so the output is a
function of the inputs: the files under content/, the theme, the plugins, the settings,
the installed packages and today's date (comments close after so many days). When all of
these are what they were at the end of the last build that logged no problem, and every
file that build wrote is still there unchanged, the output is already what a new build
would write, and the build stops after checking (a warm rebuild of 2000 posts then takes
about a second instead of rendering 5000 pages again).

Files are compared by path, size and modification time (nanoseconds); any difference,
an added or removed file, or an output file that is missing, extra or touched means a
full build. (A fresh checkout in CI has no output yet, so it always builds in full; the
content cache then saves the reading, see CHECK_MODIFIED_METHOD.)
"""

from __future__ import annotations

import atexit
import datetime as dt
import gc
import hashlib
import json
import logging
import os
import re
import sys
import time
from pathlib import Path

from . import compat, hooks, outputs, session, template_deps, templates, textpath
from .settings import DEFAULTS

logger = logging.getLogger(__name__)

STATE_NAME = "resonanz-build-state.json"
VERSION = 1
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def enabled(settings: dict) -> bool:
    """Off with RESONANZ_SKIP_UNCHANGED = False, --ignore-cache and --write-selected."""
    return bool(
        settings.get("RESONANZ_SKIP_UNCHANGED", DEFAULTS["RESONANZ_SKIP_UNCHANGED"])
        and settings.get("LOAD_CONTENT_CACHE", True)  # --ignore-cache: build everything
        and not settings.get("WRITE_SELECTED")
    )


def _state_file(settings: dict) -> Path:
    return Path(settings["CACHE_PATH"]).resolve() / STATE_NAME


def _json_default(value):
    if isinstance(value, (set, frozenset)):
        return sorted(repr(v) for v in value)
    return _ADDRESS.sub("", repr(value))


# Settings that change how a build runs, not what it writes.
VOLATILE = frozenset({
    "RESONANZ_JOBS", "RESONANZ_SKIP_UNCHANGED", "RESONANZ_STRICT", "LOAD_CONTENT_CACHE",
    "CACHE_CONTENT",
})
DIGEST_NAME = "resonanz-settings.sha256"


def settings_digest(settings: dict) -> str:
    settings = {k: v for k, v in settings.items() if k not in VOLATILE}
    try:
        text = json.dumps(settings, sort_keys=True, default=_json_default)
    except (TypeError, ValueError):  # keys of mixed types
        text = repr(sorted((str(k), _json_default(v)) for k, v in settings.items()))
    return hashlib.sha256(_ADDRESS.sub("", text).encode()).hexdigest()


def packages_digest() -> str:
    """Installed distributions: the name of each metadata folder on sys.path (name and
    version) and when it was made (a reinstall makes it again). Listing the folders is
    a few system calls; reading every METADATA file took half a second."""
    names = []
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as found:
                items = [item for item in found
                         if item.name.endswith((".dist-info", ".egg-info"))]
        except OSError:  # a zip file, a folder that does not exist
            continue
        for item in items:
            try:
                made = item.stat().st_mtime_ns
            except OSError:  # a dangling link
                made = -1
            names.append(f"{entry}/{item.name}:{made}")
    return hashlib.sha256("\n".join([sys.version, *sorted(names)]).encode()).hexdigest()


# the tools package the plugins import from (redirect pages, shared helpers)
TOOLS = Path(__file__).resolve().parents[2] / "resonanz"


def code_folders(settings: dict) -> list[Path]:
    """The Python code a build runs besides installed packages: plugins, tools."""
    return [Path(p).resolve() for p in settings.get("PLUGIN_PATHS") or []] + [TOOLS]


def input_folders(settings: dict) -> list[Path]:
    folders = [Path(settings["PATH"]), Path(settings["THEME"])]
    redirects = Path(settings.get("RESONANZ_REDIRECTS_DIR") or "redirects")
    if not redirects.is_absolute():
        redirects = Path(settings["PATH"]).resolve().parent / redirects
    folders.append(redirects)
    return [f.resolve() for f in folders] + code_folders(settings)


def settings_files(settings: dict) -> list[Path]:
    """pelicanconf.py, publishconf.py and their neighbours: Pelican does not say which
    file it read, and a function in it (a Jinja filter) shows in the settings by name
    only."""
    root = Path(settings["PATH"]).resolve().parent
    return sorted(root.glob("*.py"))


def code_changed_since_start(settings: dict, inputs: dict) -> bool:
    """True when plugin or tools code on disk is newer than this process: what runs is
    the code it imported (pelican -r keeps it), so its output must not be recorded as
    what the code on disk would write. `inputs` are the stamps BuildState took."""
    folders = tuple(os.path.join(str(f), "") for f in code_folders(settings))
    return any(
        path.endswith(".py") and path.startswith(folders) and mtime / 1e9 > STARTED
        for path, (_, mtime) in inputs.items()
    )


STARTED = time.time()


def extra_inputs(settings: dict) -> list[str]:
    """What the receivers of hooks.build_inputs say about inputs that are not files, in
    the order of their names (so the record does not depend on the order of plugins)."""
    answers = hooks.build_inputs.send(settings)
    named = sorted((f"{r.__module__}.{r.__qualname__}", str(v)) for r, v in answers)
    return [value for _name, value in named]


def output_changes_at(moment: dt.datetime) -> None:
    """Tell the unchanged-build check that the running build's output holds until
    `moment` (comments closing N days after a post: the page changes, no file does)."""
    current = session.running()
    if current is None:  # the fast build is off: nothing is recorded
        return
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    current.changes_at.append(moment)


def _walk(folder: Path, skip: set[str]) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    if not folder.is_dir():
        return found
    top = os.stat(folder)
    stack = [(str(folder), (top.st_dev, top.st_ino))]
    # folders by device and inode: a symlinked folder may loop back (cheaper than the
    # real path of each of the thousands of folders an output has)
    seen: set[tuple[int, int]] = set()
    while stack:
        current, identity = stack.pop()
        if current in skip or identity in seen:
            continue
        seen.add(identity)
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            if entry.name == "__pycache__":
                continue
            try:
                if entry.is_dir(follow_symlinks=True):
                    stat = entry.stat()
                    stack.append((entry.path, (stat.st_dev, stat.st_ino)))
                elif entry.is_file(follow_symlinks=True):
                    stat = entry.stat()
                    found[entry.path] = (stat.st_size, stat.st_mtime_ns)
            except OSError:  # a link loop: the build reports it; its own stamp counts
                stat = entry.stat(follow_symlinks=False)
                found[entry.path] = (stat.st_size, stat.st_mtime_ns)
    return found


def _today(settings: dict) -> str:
    try:
        from zoneinfo import ZoneInfo

        return dt.datetime.now(ZoneInfo(settings.get("TIMEZONE") or "UTC")).date().isoformat()
    except Exception:  # noqa: BLE001 - an unknown zone: the local date
        return dt.date.today().isoformat()


class BuildState:
    """What a build depends on and what it wrote, as stored in the cache folder."""

    def __init__(self, settings: dict) -> None:
        self.settings = settings
        self.output = Path(settings["OUTPUT_PATH"]).resolve()
        self.cache = Path(settings["CACHE_PATH"]).resolve()

    def _inputs(self) -> dict[str, tuple[int, int]]:
        skip = {str(self.output), str(self.cache)}
        files: dict[str, tuple[int, int]] = {}
        for folder in input_folders(self.settings):
            files.update(_walk(folder, skip))
        for path in settings_files(self.settings):
            stat = path.stat()
            files[str(path)] = (stat.st_size, stat.st_mtime_ns)
        return files

    def current(self, digest: str, packages: str) -> dict:
        return {
            "version": VERSION,
            "output": str(self.output),
            "settings": digest,
            "packages": packages,
            "date": _today(self.settings),
            "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH", ""),
            "inputs": {path: list(stamp) for path, stamp in self._inputs().items()},
            "extra": extra_inputs(self.settings),
        }

    def load(self) -> dict | None:
        try:
            data = json.loads(_state_file(self.settings).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("version") == VERSION else None

    def unchanged(self, previous: dict | None, now: dict) -> str | None:
        """None when a build would write what is there; otherwise the first difference."""
        if previous is None:
            return "no earlier build recorded"
        reason = self.unchanged_except_inputs(previous, now)
        if reason is not None:
            return reason
        old, new = previous.get("inputs", {}), now["inputs"]
        if old.keys() != new.keys():
            return "files added or removed"
        for path, stamp in new.items():
            if old[path] != stamp:
                return f"changed: {path}"
        written = previous.get("written", {})
        found = self.output_stamps()
        if not written or found != written:
            return "the output is not what the last build wrote"
        return None

    @staticmethod
    def unchanged_except_inputs(previous: dict, now: dict) -> str | None:
        """The first difference but the files: settings, packages, date, plugins' say."""
        for key in ("output", "settings", "packages", "date", "source_date_epoch", "extra"):
            if previous.get(key) != now[key]:
                return key
        valid_until = previous.get("valid_until")
        if valid_until and not now["source_date_epoch"] and dt.datetime.now(
            dt.UTC
        ) >= dt.datetime.fromisoformat(valid_until):
            return f"time-dependent output changes at {valid_until}"
        return None

    def output_stamps(self) -> dict[str, list[int]]:
        """Every file under the output folder, by its path relative to it."""
        # _walk's paths all start with the folder's own path and a separator
        cut = len(os.path.join(str(self.output), ""))
        return {path[cut:]: list(stamp) for path, stamp in _walk(self.output, set()).items()}

    def save(self, now: dict, changes_at: list[dt.datetime],
             written: dict[str, list[int]] | None = None) -> None:
        """written: output_stamps() taken when the build ended (else now)."""
        if written is None:
            written = self.output_stamps()
        target = _state_file(self.settings)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(".tmp")
        later = [m for m in changes_at if m > dt.datetime.now(dt.UTC)]
        data = {**now, "written": written,
                "valid_until": min(later).isoformat() if later else None}
        temporary.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temporary, target)

    def forget(self) -> None:
        try:
            _state_file(self.settings).unlink()
        except OSError:
            pass


def replayable_changes(settings: dict, previous: dict, now: dict) -> set[str] | None:
    """The theme templates that changed since the last clean build (names relative to
    the theme's templates folder, maybe none), when every other input that changed is a
    file of the theme's static folder (no page shows what is in it) or under the content
    folder outside its static paths (posts, pages, episodes, response files): what those
    bring reaches the pages through content objects and the context, which the
    dependency record (outputs.py) compares page by page, and a template edit renders
    the pages whose templates reach it (template_deps.py). None: something else
    changed, every page is rendered."""
    if BuildState.unchanged_except_inputs(previous, now) is not None:
        return None
    content = os.path.join(str(Path(settings["PATH"]).resolve()), "")
    static = tuple(os.path.join(content, folder, "")
                   for folder in settings.get("STATIC_PATHS") or ())
    theme = Path(settings["THEME"]).resolve()
    templates = os.path.join(str(theme / "templates"), "")
    # the theme's stylesheets, scripts and images: pages link them by a fixed URL (the
    # build copies and minifies them every time), no page shows what is in them
    theme_static = os.path.join(str(theme / "static"), "")
    old, new = previous.get("inputs", {}), now["inputs"]
    changed: set[str] = set()
    for path in old.keys() | new.keys():
        if old.get(path) == new.get(path) or path.startswith(theme_static):
            continue
        if path.startswith(templates) and path.endswith(".html"):
            changed.add(path[len(templates):].replace(os.sep, "/"))
        elif not path.startswith(content) or path.startswith(static):
            return None
    return changed


def content_cache_is_stale(settings: dict, digest: str) -> bool:
    """Pelican's content cache keeps the HTML each file became under the settings of the
    build that wrote it (Markdown extensions, slugs, typography) and does not look at
    settings when it loads. We record the settings beside it and do not load it after
    they changed."""
    if not settings.get("LOAD_CONTENT_CACHE"):
        return False
    try:
        recorded = (Path(settings["CACHE_PATH"]) / DIGEST_NAME).read_text(encoding="utf-8")
    except OSError:
        recorded = ""
    return recorded.strip() != digest


def record_settings(settings: dict, digest: str | None) -> None:
    """Write (or, with None, remove) the settings digest beside the content cache."""
    if not settings.get("CACHE_CONTENT"):
        return
    target = Path(settings["CACHE_PATH"]) / DIGEST_NAME
    if digest is None:
        target.unlink(missing_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(digest + "\n", encoding="utf-8")


def wrap_run(pelican) -> None:
    """Let pelican.run() return at once when nothing changed since the last clean build,
    and keep Pelican's content cache from serving HTML made under other settings."""
    compat.wrap_run(pelican, lambda full_run: _checked_run(pelican, full_run))


def _checked_run(pelican, full_run):
    # Once, before any build: Pelican's Markdown reader adds its extensions to the
    # settings in place, so a later digest (pelican -r) would differ.
    digest = settings_digest(pelican.settings)
    # The cached HTML also depends on the installed Markdown, Pygments, reader plugins.
    packages = packages_digest()
    cache_digest = hashlib.sha256(f"{digest}:{packages}".encode()).hexdigest()

    def run():
        settings = pelican.settings
        shortcut = enabled(settings)
        stale = content_cache_is_stale(settings, cache_digest)
        if stale:
            logger.info("resonanz_fastbuild: settings changed since the content cache was "
                        "written: every file is read again")
            settings["LOAD_CONTENT_CACHE"] = False
        one_shot = _command_line_build(pelican)
        # records a build before this one is still writing (after its process ended)
        wait_for_records(Path(settings["CACHE_PATH"]))
        collecting = gc.isenabled()
        if one_shot:
            # The process ends with this build. While it reads the posts, Python's cycle
            # collector walks every object made so far again and again (the posts link
            # each other): about a tenth of a build after a small change at 2,000 posts.
            # What a build leaves in cycles is a few MiB; the operating system takes it.
            gc.disable()
        try:
            _run(settings, shortcut, one_shot)
        finally:
            if stale:
                settings["LOAD_CONTENT_CACHE"] = True
            if one_shot and collecting:
                gc.enable()
        if one_shot:
            # Python's last collection would walk every object the build made, a quarter
            # of a second at 2,000 posts. Frozen objects are left to the operating system.
            gc.freeze()
            _exit_when_done()

    def _full(settings: dict) -> None:
        # the cache Pelican writes during the build is of these settings only once the
        # build completes; until then, no digest claims it
        record_settings(settings, None)
        try:
            full_run()
        except BaseException:
            hooks.set_alongside(None)  # the failed build's writer takes no more jobs
            for receiver in compat.live_receivers(hooks.build_failed):
                try:
                    receiver(pelican)
                except Exception:  # noqa: BLE001 - the build's own error matters
                    logger.debug("resonanz_fastbuild: clean-up after a failed build",
                                 exc_info=True)
            raise
        # After a build with problems the cache is not claimed either: a file served from
        # it is not read again, and a warning its reader gave would not show again.
        if not getattr(pelican, "resonanz_problems", None):
            record_settings(settings, cache_digest)

    def _run(settings: dict, shortcut: bool, one_shot: bool = False) -> None:
        if not shortcut:
            _full(settings)
            return
        started = time.perf_counter()
        state = BuildState(settings)
        previous = state.load()
        now = state.current(digest, packages)
        reason = state.unchanged(previous, now)
        if reason is None:
            files = len(previous.get("written", {}))
            logger.info("resonanz_fastbuild: nothing changed since the last build; the %d "
                        "files in %s are current", files, state.output)
            from pelican.log import console

            console.print(
                f"Done: nothing changed since the last build, output is current "
                f"({files} files) in {time.perf_counter() - started:.2f} seconds."
            )
            return
        # what earlier builds compiled (not needed when nothing changed)
        templates.BYTECODE.load_from(state.cache)
        if previous is not None and _text_path(pelican, state, previous, now, started):
            return
        logger.debug("resonanz_fastbuild: full build (%s)", reason)
        current = session.of(pelican)
        # What each page used costs a cold build a tenth of its time: it is recorded from
        # the first build over an earlier clean one on (an editor's second `make html`),
        # not in the first build of a checkout (CI, a fresh clone), which only notes the
        # files it wrote (so that the next build removes those no longer written).
        old = outputs.Record.load(state.cache) if previous is not None else None
        changed = replayable_changes(settings, previous, now) if old is not None else None
        reached = _templates_reached(settings, changed) if changed else set()
        replay = changed is not None and reached is not None
        current.next_plan = outputs.Plan(old, replay, settings["OUTPUT_PATH"],
                                         previous.get("written") if previous else None,
                                         pages=previous is not None, templates=reached)
        state.forget()  # a build that fails halfway must not leave a stale record
        outputs.Record.forget(state.cache)
        headers = textpath.known_headers(state.cache)
        textpath.forget(state.cache)
        _full(settings)
        # A build with problems runs again to show them; a scheduled post (WITH_FUTURE_DATES
        # off) is reported by guard.py through output_changes_at; code changed on disk
        # since this process started is not the code that ran.
        if (
            not getattr(pelican, "resonanz_problems", None)
            and not code_changed_since_start(settings, now["inputs"])
        ):
            # what the output is when the build ends, not when the records are written
            # (a script may change the output right after `pelican` ended)
            written = state.output_stamps()

            steps = [lambda: state.save(now, current.changes_at, written)]
            if current.plan is not None:
                steps.append(lambda: current.plan.record.save(state.cache))
            # like the record: not in a checkout's first build; nor for the dev server,
            # which keeps its own generators
            if previous is not None and not getattr(pelican, textpath.RESIDENT, False):
                posts = textpath.header_digests(current.generators, now, headers)
                steps.append(lambda: textpath.save(state.cache, current.generators, now,
                                                   posts))
            steps.append(lambda: templates.BYTECODE.save_to(state.cache))
            if not (one_shot and save_records_after_exit(steps, state.cache)):
                for step in steps:
                    step()

    return run


# The records for the next build (build state, dependency record, snapshot, compiled
# templates) are written once the output is complete. A command-line build hands that to
# a child process and ends: the editor's `make html` returns a tenth of a second sooner
# at 2,000 posts. The child holds an exclusive lock on LOCK_NAME in the cache folder until
# it is done, and every build waits for that lock before it reads anything there.
LOCK_NAME = "resonanz-records.lock"
ERROR_NAME = "resonanz-records.error"  # why the last child wrote no records
RECORDS_LIMIT = 120  # seconds


def _folder_identity(folder: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(folder)
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


def save_records_after_exit(steps: list, cache: Path) -> bool:
    """Run `steps` (callables) in a child process that outlives this one; False when it
    cannot (no fork, no lock file, not `pelican` itself): then the caller runs them."""
    if not hasattr(os, "fork") or not _pelican_process():
        return False
    try:
        import fcntl

        cache.mkdir(parents=True, exist_ok=True)
        lock = os.open(cache / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except (ImportError, OSError):
        return False
    folder = _folder_identity(cache)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        child = os.fork()
    except OSError:
        os.close(lock)
        return False
    if child:
        os.close(lock)  # the child's copy keeps the lock until it ends
        return True
    code = 0
    try:
        # A child that hangs (it should take a second at most) would make every later
        # build wait: the kernel ends it after RECORDS_LIMIT seconds, which releases the
        # lock. What it wrote by then is whole files (each is renamed into place), and
        # what it did not write makes the next build a full one.
        import signal

        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(RECORDS_LIMIT)
        # Nobody reads this process's output: whoever waits for the build's (make, a
        # test, the bench) sees it end with the build. Python's streams too: under a
        # terminal they are Rich's, whose lock a thread of the parent may have held.
        logging.disable(logging.CRITICAL)
        null = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):
            os.dup2(null, stream)
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - until os._exit
        for step in steps:
            # the cache folder removed meanwhile (make clean): nothing is written into
            # the one a later build made
            if _folder_identity(cache) != folder:
                break
            step()
    except BaseException as exc:  # noqa: BLE001 - reported by the next build
        code = 1
        try:
            if _folder_identity(cache) == folder:
                (cache / ERROR_NAME).write_text(f"{type(exc).__name__}: {exc}",
                                                encoding="utf-8")
        except BaseException:  # noqa: BLE001, S110 - nothing more to do
            pass
    finally:
        os._exit(code)


def wait_for_records(cache: Path) -> None:
    """Until the child process of the last command-line build has written its records;
    says so when it has to wait, and reports a child that failed."""
    try:
        import fcntl

        lock = os.open(cache / LOCK_NAME, os.O_RDONLY)
    except (ImportError, OSError):
        return
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            logger.info("resonanz_fastbuild: waiting for the last build's records")
            fcntl.flock(lock, fcntl.LOCK_SH)
    except OSError:
        pass
    finally:
        os.close(lock)
    try:
        error = (cache / ERROR_NAME).read_text(encoding="utf-8")
    except OSError:
        return
    try:
        (cache / ERROR_NAME).unlink()
    except OSError:
        pass
    logger.warning("resonanz_fastbuild: %s: the last build could not write its records for "
                   "the next one (%s), so this build may take longer. Check that the "
                   "folder is writable and the disk not full.", cache, error.strip()[:500])


class _Exit:
    pid: int | None = None  # the process whose build succeeded
    running = False
    callbacks = -1  # exit functions registered when _exit_now was
    status: object = None  # what sys.exit() was given meanwhile
    failed = False  # an exception reached the top


def _exit_when_done() -> None:
    """A command-line build succeeded: once Pelican's main() has returned and the exit
    functions have run, the process ends without tearing the interpreter down. Python
    would otherwise free every object the build made, one by one (0.14 s of a build
    after a small change at 2,000 posts); the operating system takes the memory back
    at once. Registered last, so run first: it runs the other exit functions itself.
    Anything but a plain end (sys.exit with a code, an exception that reaches the top,
    output that cannot be flushed, an exit function registered after it) leaves the
    ending to Python."""
    if _Exit.pid is not None or not _pelican_process():
        return
    _Exit.pid = os.getpid()
    plain_exit, plain_hook = sys.exit, sys.excepthook

    def exit_(status=None):
        _Exit.status = status
        plain_exit(status)

    def excepthook(kind, value, traceback):
        _Exit.failed = True
        plain_hook(kind, value, traceback)

    sys.exit, sys.excepthook = exit_, excepthook
    atexit.register(_exit_now)
    _Exit.callbacks = atexit._ncallbacks()


def _exit_now() -> None:
    if _Exit.running or os.getpid() != _Exit.pid or not _pelican_process():
        return
    if _Exit.status not in (None, 0) or _Exit.failed \
            or atexit._ncallbacks() != _Exit.callbacks:
        return  # Python ends the process as it would have
    _Exit.running = True
    atexit._run_exitfuncs()  # every other one, once (this one returns at once)
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError, AttributeError):
            return  # Python reports it and exits with its code
    os._exit(0)


def _command_line_build(pelican) -> bool:
    """Whether this build is the whole process: `pelican` run from the command line (the
    Makefile, CI), not the dev server nor a program that builds and goes on."""
    if getattr(pelican, textpath.RESIDENT, False):
        return False
    return _pelican_process()


def _pelican_process() -> bool:
    """Whether this process is `pelican` run from the command line for one build."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None:
        if spec.name != "pelican.__main__":
            return False
    elif os.path.basename(getattr(main, "__file__", "") or "") != "pelican":
        return False
    from pelican import parse_arguments

    try:
        args = parse_arguments(sys.argv[1:])
    except (SystemExit, Exception):  # noqa: BLE001 - not Pelican's command line after all
        return False
    return not (args.autoreload or args.listen)  # -r and -l build again in this process


def _text_path(pelican, state: BuildState, previous: dict, now: dict, started: float) -> bool:
    """Only posts' text changed since the snapshot's build: write those pages and their
    feeds alone (textpath.py). False when the full build must run."""
    if getattr(pelican, textpath.RESIDENT, False):
        return False
    found = textpath.changed_posts(state.cache, now, previous)
    if found is None or BuildState.unchanged_except_inputs(previous, now) is not None:
        return False
    if state.output_stamps() != previous.get("written"):
        return False  # something else wrote into the output
    written = textpath.run(pelican, state.cache, *found)
    if written is None:
        return False
    # The record still has these pages and feeds as the last full build made them; their
    # files are this build's now. A full build after the text was put back as it was
    # would find their signatures the same and the files as recorded: it must render
    # them (before the state is saved: a build stopped in between checks every file).
    outputs.Record.drop(state.cache, written)
    valid_until = previous.get("valid_until")
    state.save(now, [dt.datetime.fromisoformat(valid_until)] if valid_until else [])
    from pelican.log import console

    console.print(
        f"Done: only the text of {len(found[1])} post(s) changed; their pages and "
        f"{len(written) - len(found[1])} feed(s) written in "
        f"{time.perf_counter() - started:.2f} seconds."
    )
    return True


def _templates_reached(settings: dict, changed: set[str]) -> set[str] | None:
    """The theme's templates whose pages a template edit changes (template_deps.py)."""
    extensions = (settings.get("JINJA_ENVIRONMENT") or {}).get("extensions") or ()
    reached = template_deps.reaching(Path(settings["THEME"]).resolve() / "templates",
                                     changed, extensions)
    logger.debug("resonanz_fastbuild: templates changed: %s; pages rendered from: %s",
                 sorted(changed), "all" if reached is None else sorted(reached))
    return reached
