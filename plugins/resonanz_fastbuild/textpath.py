"""A batch build after posts' text changed: their pages and feeds, nothing else.

The dev server keeps its last build in memory and renders a post alone when nothing but
its text changed (incremental.py). A batch build (`make html`) is a new process each
time; for it, the end of a clean build keeps a snapshot of the posts and the context in
the cache (a pickle, a few MiB at 2,000 posts, written from an editor's second build on,
not in the first build of a checkout). The next build takes this path when:

- the only input files that differ from the snapshot's build are posts the snapshot
  has (at most MAX_FILES, none added or removed), and settings, packages, today's date
  and the plugins' other inputs are the same;
- the output is what the last build wrote;
- each of those posts, read again, differs from its object in the snapshot in its text
  alone (incremental.read_text_change: title, date, summary, tags, images ... as before);
- reading and writing logged no warning.

Then the posts' objects get their new text, their pages and every feed that carries
one of them are written, hooks.pages_rewritten is sent (the search index follows), and
the unchanged-build record is saved. Anything else runs the full build, which also
covers every way the path could fail halfway (it renders every page whose file changed).
The snapshot stays what the last full build made: the next build compares with it
again, so posts edited in earlier builds of this kind are read and written again too.
tests/test_output_record.py compares such builds with cold builds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import sys
import threading
import time
from pathlib import Path
from typing import Any

from pelican.generators import ArticlesGenerator

from . import hooks, incremental, outputs, templates

logger = logging.getLogger(__name__)

# set (True) on a Pelican instance that keeps its generators in memory between builds
# (the dev server): its builds need every generator, a snapshot would stand in for them
RESIDENT = "resonanz_resident"
SNAPSHOT_NAME = "resonanz-snapshot.pickle"
FACTS_NAME = "resonanz-snapshot.json"
VERSION = 2
MAX_FILES = 20
# what the generator's feeds and a post's page read from it besides the context
GENERATOR_FIELDS = ("articles", "translations", "hidden_articles", "hidden_translations",
                    "drafts", "drafts_translations", "dates", "period_archives", "tags",
                    "categories", "related_posts", "authors")
# what must be the same as in the snapshot's build (uptodate.BuildState.current)
SAME = ("output", "settings", "packages", "date", "source_date_epoch", "extra")
# Posts link to each other (previous/next, translations, related): pickle follows the
# chain recursively, thousands of frames deep, in a thread with a stack of its own.
_STACK = 1 << 30
_DEPTH = 1_000_000


def _deep(function, *args) -> Any:
    result: dict = {}

    def work() -> None:
        try:
            result["value"] = function(*args)
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller
            result["error"] = exc

    limit = sys.getrecursionlimit()
    size = threading.stack_size()
    sys.setrecursionlimit(max(limit, _DEPTH))
    try:
        threading.stack_size(_STACK)
        try:
            thread = threading.Thread(target=work, name="resonanz-snapshot")
            thread.start()
        finally:
            threading.stack_size(size)
        thread.join()
    finally:
        sys.setrecursionlimit(limit)
    if "error" in result:
        raise result["error"]
    return result["value"]


def _articles_generator(generators) -> ArticlesGenerator | None:
    for generator in generators or ():
        if isinstance(generator, ArticlesGenerator):
            return generator
    return None


def forget(cache: Path) -> None:
    for name in (FACTS_NAME, SNAPSHOT_NAME):
        try:
            (cache / name).unlink()
        except OSError:
            pass


def known_headers(cache: Path) -> dict[str, tuple]:
    """The last snapshot's header digests, with the stamp each file had then (for save:
    a post whose file is as it was keeps its digest, without reading the file). Read
    before the build forgets the snapshot."""
    try:
        facts = json.loads((cache / FACTS_NAME).read_text(encoding="utf-8"))
        posts, inputs = facts["posts"], facts["inputs"]
        return {path: (inputs[path], digest) for path, digest in posts.items()
                if path in inputs}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _posts(generator):
    """The posts the snapshot keeps (published, hidden, drafts, and their translations)."""
    for name in GENERATOR_FIELDS[:4]:
        yield from getattr(generator, name)


class _RealPaths:
    """A post's real path: its folder's, resolved once per folder, and its name (a post
    that is itself a symbolic link is resolved alone)."""

    def __init__(self) -> None:
        self.folders: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        if os.path.islink(path):
            return os.path.realpath(path)
        folder, name = os.path.split(path)
        real = self.folders.get(folder)
        if real is None:
            real = self.folders[folder] = os.path.realpath(folder)
        return os.path.join(real, name)


def _header_as_read(path: str, stamp) -> str | None:
    """The header digest of a post as the build read it; None when the file changed
    since (saved again while the records were written after the build): the next build
    then compares it in full."""
    if not outputs.file_is_as(path, stamp):
        return None
    digest = header_digest(Path(path))
    return digest if outputs.file_is_as(path, stamp) else None  # not saved while read


def header_digests(generators, now: dict, known: dict[str, tuple] | None = None
                   ) -> dict[str, str | None]:
    """The header digest of each post the snapshot keeps, by real path (now: the build's
    BuildState.current; known: known_headers() of the last snapshot, whose digests serve
    the files that are as it read them). Taken when the build ends, before its records
    are written in a child process: a post saved again meanwhile would otherwise get the
    digest of its new header with the stamp of the old one."""
    generator = _articles_generator(generators)
    if generator is None:
        return {}
    # by real path, as the inputs are stamped (the site may lie under a symbolic link)
    real, known, inputs = _RealPaths(), known or {}, now["inputs"]
    posts = {}
    for article in _posts(generator):
        path = real(article.source_path)
        before = known.get(path)
        if before is not None and inputs.get(path) is not None \
                and list(before[0]) == list(inputs[path]):
            posts[path] = before[1]  # the file is as the last snapshot read it
        else:
            posts[path] = _header_as_read(article.source_path, inputs.get(path))
    return posts


def save(cache: Path, generators, now: dict, posts: dict[str, str | None]) -> None:
    """Keep the posts and the context of a clean build (now: its BuildState.current;
    posts: header_digests() taken when it ended)."""
    forget(cache)
    generator = _articles_generator(generators)
    if generator is None:
        return
    started = time.perf_counter()
    token = os.urandom(8).hex()
    data = {"token": token, "class": type(generator), "context": generator.context,
            "fields": {name: getattr(generator, name) for name in GENERATOR_FIELDS}}
    try:
        blob = _deep(pickle.dumps, data, pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001 - a plugin's value that does not pickle
        logger.info("resonanz_fastbuild: no snapshot for text edits (%s: %s)",
                    type(exc).__name__, exc)
        return
    facts = {"version": VERSION, "token": token, "posts": posts,
             **{key: now[key] for key in (*SAME, "inputs")}}
    cache.mkdir(parents=True, exist_ok=True)
    for name, payload in ((SNAPSHOT_NAME, blob),
                          (FACTS_NAME, json.dumps(facts).encode("utf-8"))):
        temporary = cache / (name + ".tmp")
        temporary.write_bytes(payload)
        os.replace(temporary, cache / name)
    logger.debug("resonanz_fastbuild: snapshot for text edits, %d bytes, %.2f s",
                 len(blob), time.perf_counter() - started)


def changed_posts(cache: Path, now: dict, previous: dict) -> tuple[dict, list[str]] | None:
    """The snapshot's facts and the posts changed since its build or since the last
    build (a post put back with its old time stamp after a build of this kind wrote its
    edit), when this path may take them (see the module's docstring); None otherwise."""
    try:
        facts = json.loads((cache / FACTS_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(facts, dict) or facts.get("version") != VERSION:
        return None
    if any(facts.get(key) != now[key] for key in SAME):
        return None
    old, new, last = facts["inputs"], now["inputs"], previous.get("inputs") or {}
    if old.keys() != new.keys():
        return None
    changed = sorted(path for path, stamp in new.items()
                     if old[path] != list(stamp) or last.get(path) != list(stamp))
    posts = facts.get("posts")
    if not isinstance(posts, dict) or not changed or len(changed) > MAX_FILES or not all(
            path in posts and header_digest(Path(path)) == posts[path] for path in changed):
        return None
    return facts, changed


def header_digest(path: Path) -> str | None:
    """A digest of a post file's metadata block (YAML front matter, or the lines before
    the first blank line): when it changed, more than the text did, and the snapshot
    need not be loaded to find out."""
    try:
        text = path.read_bytes().replace(b"\r\n", b"\n")
    except OSError:
        return None
    end = text.find(b"\n---", 3) if text.startswith(b"---") else text.find(b"\n\n")
    header = text if end < 0 else text[:end]
    return hashlib.blake2b(header, digest_size=16).hexdigest()


def run(pelican, cache: Path, facts: dict, changed: list[str]) -> list[str] | None:
    """Write the changed posts' pages and feeds from the snapshot; the output files
    written (relative to the output folder), or None when the full build must run."""
    try:
        data = _deep(pickle.loads, (cache / SNAPSHOT_NAME).read_bytes())
    except Exception as exc:  # noqa: BLE001 - an old or damaged snapshot
        logger.debug("resonanz_fastbuild: snapshot not loaded (%s)", exc)
        return None
    if data.get("token") != facts.get("token"):
        return None
    warnings = incremental.LoggedMessages(logging.WARNING)
    with warnings:
        written = _write(pelican, data, changed, warnings)
    if warnings.messages and written is not None:
        logger.info("resonanz_fastbuild: a warning while writing the edited posts; "
                    "building everything to report it")
    return None if warnings.messages else written


def _write(pelican, data: dict, changed: list[str], warnings) -> list[str] | None:
    """The generator again from the snapshot, the posts read and compared, their pages
    and feeds written; None as soon as that is not possible."""
    try:
        generator = data["class"](context=data["context"], settings=pelican.settings,
                                  path=pelican.path, theme=pelican.theme,
                                  output_path=pelican.output_path)
        for name, value in data["fields"].items():
            setattr(generator, name, value)
        templates.speed_up(generator.env)
        real = _RealPaths()
        sources = {real(article.source_path): article.source_path
                   for article in _posts(generator)}
        found = [incremental.read_text_change(generator, Path(sources.get(path, path)))
                 for path in changed]
        if any(pair is None for pair in found) or warnings.messages:
            return None
        for old, new in found:
            incremental.take_text(old, new)
        written = incremental.write_pages(generator, [old for old, _ in found])
        if not warnings.messages:
            hooks.pages_rewritten.send(pelican, written=written, generator=generator)
    except Exception:  # noqa: BLE001 - the full build runs and reports it the usual way
        logger.debug("resonanz_fastbuild: the text path failed", exc_info=True)
        return None
    return written
