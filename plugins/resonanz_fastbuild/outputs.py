"""The dependency record: which pages a build may leave as the last build wrote them.

While a page is rendered, the record notes what it used: every content object whose
attribute a template read (Jinja's getattr and getitem), the ones handed to render_once
(hooks.uses), the page's own (`article`, `page`, `episode`), and every name the templates
looked up in the build's shared context (`articles`, `tags`, `podcast`, a plugin's data).
A page's signature is a hash of its write (output name, template, the keyword arguments
with content objects by source path, so a listing's members and their order count),
of each used object's digest (every field and the text) and of each used context
name's value (content objects in it by source path). Kept in the cache beside the
unchanged-build record (uptodate.py) and saved only with it.

The next build decides page by page (each page of a listing alone): a page whose
signature is the same and whose file is what the last build wrote is replayed, that is
Pelican's writer counts it as written and sends its signal (the sitemap and the search
index see it as before) but neither renders, reads nor writes it; the others are
rendered and recorded. This holds while the inputs that changed are files under the
content folder outside its static paths (posts, pages, case studies, episodes and their
audio, response files): what they bring is in the content objects and the context.
A theme template that changed renders the pages whose templates reach it
(template_deps.py); the theme's static files render none. Anything else changed
(static files of the content, plugins, settings, packages, today's date) and every
page is rendered. Pelican's feeds are decided the same way (feed_signature: the posts
they list, what plugins add to them); the first build of a checkout only notes
the files it wrote (recording costs a cold build time). A page, feed or static copy the
last build made that this one did not (a deleted post, a deleted image) is removed, as
a cold build would not have it.
A partial about one thing (render_once: a post's teaser) is kept in the record too, with
the digests of what it used: a listing rendered again takes the teasers whose posts are
the same from there (hooks.partial).
tests/test_output_record.py compares such builds with cold builds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import pickle
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment
from jinja2.runtime import Context as JinjaContext
from jinja2.utils import missing
from pelican.contents import Content
from pelican.urlwrappers import URLWrapper

from . import compat, hooks

logger = logging.getLogger(__name__)

RECORD_NAME = "resonanz-output-record.pickle"
VERSION = 5
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
# fields of a content object that are shared by all of them (the settings, the context)
_SHARED_FIELDS = frozenset({"_context", "settings"})
# names of a page's own context, set per write (covered by the write's own digest)
_PER_WRITE = frozenset({"localsiteurl", "output_file", "SITEURL", hooks.WRITE_NUMBER})
_DEPTH = 8


# -- digests -----------------------------------------------------------------------------

class _Digest:
    """A stable hash of a value: the same data gives the same hash in every process."""

    def __init__(self, skip: tuple = (), lists: dict | None = None) -> None:
        self.parts: list[str] = []
        self.skip = skip  # objects (the settings, the context) stood for by a name
        self.seen: set[int] = set()
        # long lists by identity: (the list, its length, its digest); see write_digest
        self.lists = lists

    def add(self, value: Any, depth: int = 0) -> None:
        put = self.parts.append
        kind = type(value)
        if kind is str:
            put(f"s{len(value)}:{value}")
        elif kind in _PLAIN:
            put(f"{kind.__name__}:{value!r};")
        elif kind in _CONTENT or (kind not in _OTHER and _is_content(kind)):
            put(f"c{kind.__name__}:{value.source_path};")
        elif kind is list or kind is tuple or kind is dict:
            self._container(value, kind, depth)
        else:
            self._other(value, kind, depth)

    def _container(self, value: Any, kind: type, depth: int) -> None:
        """A list, tuple or dict (or a subclass): its items in order, a dict's by key."""
        put = self.parts.append
        if id(value) in self.seen or depth >= _DEPTH:
            put(f"o{kind.__qualname__};")
            return
        lists = self.lists
        if lists is not None and not isinstance(value, dict) and len(value) >= _LONG:
            known = lists.get(id(value))
            if known is None or known[0] is not value or known[1] != len(value):
                known = lists[id(value)] = (value, len(value), _digest_of(value, self.skip))
            put(f"l{known[2]};")
            return
        self.seen.add(id(value))
        add = self.add
        depth += 1
        # Strings and plain values inline (the same parts add() makes): most keys and
        # items are, and a call each was most of the cost. The dict and list loops repeat
        # each other on purpose: one loop over a flat key, value, ... list made content
        # digests a tenth slower.
        if isinstance(value, dict):
            put("{")
            for key in sorted(value, key=repr):
                if type(key) is str:
                    put(f"s{len(key)}:{key}")
                else:
                    add(key, depth)
                item = value[key]
                kind = type(item)
                if kind is str:
                    put(f"s{len(item)}:{item}")
                elif kind in _PLAIN:
                    put(f"{kind.__name__}:{item!r};")
                else:
                    add(item, depth)
            put("}")
        else:
            put("[")
            for item in value:
                kind = type(item)
                if kind is str:
                    put(f"s{len(item)}:{item}")
                elif kind in _PLAIN:
                    put(f"{kind.__name__}:{item!r};")
                else:
                    add(item, depth)
            put("]")

    def _other(self, value: Any, kind: type, depth: int) -> None:
        put = self.parts.append
        how = _HOW.get(kind)
        if how is None:
            how = _HOW[kind] = _how(kind)
        if how == 1:
            put(f"{kind.__name__}:{value!r};")
        elif how == 2:
            put(f"b{len(value)}:{value.hex()}")
        elif how == 3:
            put(f"t{value!r};")
        elif how == 4:
            put(f"w{kind.__name__}:{value.name}:{value.slug};")
        elif how == 5:  # it says what it is made of
            put(f"x{kind.__qualname__}:{value.resonanz_digest()};")
        elif any(value is other for other in self.skip):
            put(f"k{self.skip.index(value)};")
        elif isinstance(value, (type, type(len), type(_Digest.add))) or callable(value) \
                and not hasattr(value, "__dict__"):
            put(f"f{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', value)};")
        elif isinstance(value, (dict, list, tuple)):
            self._container(value, kind, depth)
        elif depth >= _DEPTH or id(value) in self.seen:
            put(f"o{kind.__qualname__};")
        elif isinstance(value, (set, frozenset)):
            put("(" + "".join(sorted(_digest_of(item, self.skip) for item in value)) + ")")
        elif hasattr(value, "__dict__") and not callable(value):
            self.seen.add(id(value))
            put(f"o{kind.__module__}.{kind.__qualname__}")
            self.add(vars(value), depth + 1)
        else:  # slots, C types, bound methods: what they say of themselves
            put(f"r{kind.__qualname__}:{_ADDRESS.sub('', repr(value))};")

    def hexdigest(self) -> str:
        text = "\x00".join(self.parts).encode("utf-8", "surrogatepass")
        return hashlib.blake2b(text, digest_size=16).hexdigest()


# how _Digest._other treats a type, decided once per type (0: by the value itself)
_HOW: dict[type, int] = {}


def _how(kind: type) -> int:
    if kind is type(None) or issubclass(kind, (bool, int, float, complex, str)):
        return 1
    if issubclass(kind, bytes):
        return 2
    if issubclass(kind, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return 3
    if issubclass(kind, URLWrapper):
        return 4
    if hasattr(kind, "resonanz_digest"):
        return 5
    return 0


# exact types decided once: plain values, content objects, anything else
_PLAIN = frozenset({int, float, bool, type(None), complex})
_CONTENT: set[type] = set()
_OTHER: set[type] = set()


def _is_content(kind: type) -> bool:
    if issubclass(kind, Content):
        _CONTENT.add(kind)
        return True
    _OTHER.add(kind)
    return False


def file_is_as(path: str, stamp) -> bool:
    """Whether the file has the size and modification time of `stamp` ([size,
    mtime_ns], as the build records store them; None: nothing recorded)."""
    if stamp is None:
        return False
    try:
        found = os.stat(path)
    except OSError:
        return False
    return [found.st_size, found.st_mtime_ns] == list(stamp)


def _digest_of(value: Any, skip: tuple = (), lists: dict | None = None) -> str:
    digest = _Digest(skip, lists)
    digest.add(value)
    return digest.hexdigest()


def content_digest(obj: Content) -> str:
    """Every field of a content object and its text (other content objects it holds
    count by their source path; where the text links other content, the text with those
    links resolved)."""
    fields = {key: value for key, value in vars(obj).items() if key not in _SHARED_FIELDS}
    digest = _digest_of(fields, (obj.settings,))
    if compat.links_content(obj):
        # {filename} and the like: the text shows the address of the content it names,
        # which changes with that content's slug or date
        digest = _digest_of((digest, obj.get_content(obj.settings.get("SITEURL") or "")))
    return digest


# -- what a render uses --------------------------------------------------------------------

class _Use:
    """What one write used; filled while it renders."""

    def __init__(self) -> None:
        self.objects: dict[str, Content] = {}
        self.names: set[str] = set()
        self.unknown = False  # used a content object without a source path

    def content(self, obj: Content) -> None:
        path = obj.source_path
        if path is None:
            self.unknown = True
        else:
            self.objects[str(path)] = obj


class _Current:
    use: _Use | None = None
    plan: Plan | None = None  # while a page of a plan renders
    shared: dict | None = None  # the context its write was given


def _note(value: Any) -> None:
    use = _Current.use
    if use is None:
        return
    kind = type(value)
    if kind in _CONTENT or (kind not in _OTHER and _is_content(kind)):
        use.content(value)
    elif (kind is list or kind is tuple) and value:
        first = type(value[0])
        if first in _CONTENT or (first not in _OTHER and _is_content(first)):
            for item in value:
                if isinstance(item, Content):
                    use.content(item)


class RecordingContext(JinjaContext):
    """Jinja's context, noting each name a template looks up."""

    def resolve_or_missing(self, key: str) -> Any:
        use = _Current.use
        if use is not None:
            use.names.add(key)
        # Jinja's own lookup (this runs for every name in every page: no super() call)
        if key in self.vars:
            return self.vars[key]
        if key in self.parent:
            return self.parent[key]
        return missing


def watch_environment(env) -> None:
    """Note what the templates of this environment read while a page is recorded."""
    if getattr(env, "resonanz_recording", False):
        return
    env.resonanz_recording = True
    env.context_class = RecordingContext
    plain_getattr, plain_getitem = env.getattr, env.getitem
    # Jinja's plain lookup tries the attribute first; a sandbox has rules of its own
    direct = type(env).getattr is Environment.getattr

    def getattr_(obj, attribute):
        if direct:  # the usual case first, without the environment's method around it
            try:
                value = getattr(obj, attribute)
            except AttributeError:
                value = plain_getattr(obj, attribute)
        else:
            value = plain_getattr(obj, attribute)
        if _Current.use is not None:
            _note(obj)
            _note(value)
        return value

    def getitem(obj, argument):
        value = plain_getitem(obj, argument)
        if _Current.use is not None:
            _note(obj)
            _note(value)
        return value

    env.getattr, env.getitem = getattr_, getitem


def _uses(*objects) -> None:
    for obj in objects:
        _note(obj)


hooks.set_use_recorder(_uses)


_KEY_PLAIN = (str, int, float, bool, type(None))


def _partial_key(name: str, siteurl: Any, localsiteurl: Any, values: dict) -> str | None:
    """None for a partial that is not kept: values other than content objects and plain
    values (their digest may not tell two apart), content without a source path or
    whose text links other content (its teaser may show those addresses)."""
    parts = [name, repr(siteurl), repr(localsiteurl)]
    for key in sorted(values):
        value = values[key]
        if isinstance(value, Content):
            if value.source_path is None or compat.links_content(value):
                return None
            parts.append(f"{key}=c{value.source_path}")
        elif isinstance(value, _KEY_PLAIN):
            parts.append(f"{key}={type(value).__name__}:{value!r}")
        else:
            return None
    return hashlib.blake2b("\n".join(parts).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


def _partial(ctx, name: str, values: dict, render) -> str:
    """render_once's partial while a page is recorded: from the last build when every
    content object and context name it used then is the same now, else rendered with
    what it uses noted on its own (and for the page that shows it)."""
    use, plan, shared = _Current.use, _Current.plan, _Current.shared
    if use is None or plan is None or shared is None:
        return render()
    key = _partial_key(name, ctx.get("SITEURL"), ctx.get("localsiteurl"), values)
    if key is None:
        return render()
    entry = plan.partial(key, shared)
    if entry is not None:
        for path in entry["objects"]:
            use.content(plan.objects[path])
        use.names.update(entry["names"])
        plan.partials_reused += 1
        return entry["html"]
    inner = _Use()
    for value in values.values():
        _note_into(inner, value)
    _Current.use = inner
    try:
        html = render()
    finally:
        _Current.use = use
    use.objects.update(inner.objects)
    use.names |= inner.names
    use.unknown = use.unknown or inner.unknown
    plan.partials_rendered += 1
    if not inner.unknown:
        plan.record.partials[key] = {
            "html": str(html),
            "objects": {path: plan.digest(path, obj) for path, obj in inner.objects.items()},
            "names": {name: plan.name_digest(shared, name) for name in sorted(inner.names)},
        }
    return html


def _note_into(use: _Use, value: Any) -> None:
    outer, _Current.use = _Current.use, use
    try:
        _note(value)
    finally:
        _Current.use = outer


hooks.set_partial_memo(_partial)


# -- the plan of a build -------------------------------------------------------------------

class PageTemplate:
    """The template of a deferred page write, deciding page by page (a listing's pages
    one at a time): a page that would be what the last build wrote is left as it is,
    any other is rendered while what it uses is recorded."""

    def __init__(self, template, plan: Plan, number: int, write: str, page_objects,
                 shared: dict) -> None:
        self.template, self.plan, self.number, self.write = template, plan, number, write
        self.shared = shared  # the build's context the write was given (names are its)
        self.page_objects = [obj for obj in page_objects if isinstance(obj, Content)]
        self.name = getattr(template, "name", None)

    def render(self, context: dict) -> str:
        name = context["output_file"]
        plan = self.plan
        if plan.replayable(name, self.write, self.shared, self.name):
            plan.page_uses[name] = (plan.generation, self.number, self.write, None)
            # the file stays as it is: the writer does not open it (ParallelWriter.keeps)
            plan.unchanged.add(os.path.normpath(os.path.join(plan.output, name)))
            return ""
        start_use(self.page_objects)
        _Current.plan, _Current.shared = plan, self.shared
        try:
            return self.template.render(context)
        finally:
            _Current.plan = _Current.shared = None
            plan.page_uses[name] = (plan.generation, self.number, self.write, end_use(plan))


def _template_name(args: tuple, kwargs: dict) -> str:
    template = args[1] if len(args) > 1 else kwargs.get("template")
    return getattr(template, "name", None) or repr(template)


# Pelican hands every tag, category, author and period archive write the list of all
# posts (all_articles): 2,000 items at 2,000 posts, digested once per build, not once
# per write (a tenth of a second of a build after a small change). Lists are taken by
# identity while the writes of one build are decided; they no longer change then.
_LONG = 64


def write_digest(args: tuple, kwargs: dict, localsiteurl, context: dict,
                 lists: dict | None = None) -> str:
    """The write itself: name, template, arguments (content by source path). lists:
    where long lists' digests are kept for the writes of one build."""
    rest = args[3:]
    return _digest_of(("page", args[0], _template_name(args, kwargs), rest, kwargs,
                       localsiteurl), (context,), lists)


# what Pelican's feed writer reads from the context besides the posts
_FEED_CONTEXT = ("SITENAME", "SITEURL", "FEED_DOMAIN", "SITESUBTITLE")


def feed_signature(plan: Plan, args: tuple, kwargs: dict, localsiteurl, limit,
                   receivers: list) -> str | None:
    """What a feed write (Writer.write_feed's arguments) puts into its file: the write
    itself, the context values Pelican's feed writer reads, each post it lists (every
    field and the text; the address of what its text links to), and what the receivers
    of feed_generated and feed_written add (hooks.declare_feed_inputs). None when a
    receiver has not declared that: such a feed is written every time."""
    elements, context = args[0], args[1]
    named = dict(zip(("path", "url", "feed_type", "override_output", "feed_title"), args[2:],
                     strict=False))  # as many as the write was given
    named.update(kwargs)
    parts = [_digest_of(("feed", sorted(named.items()), localsiteurl,
                         [context.get(key) for key in _FEED_CONTEXT]), (context,))]
    site = context.get("SITEURL", "")
    for item in elements[:limit]:
        path = getattr(item, "source_path", None)
        if path is None:
            return None
        parts.append(f"{path}={plan.digest(str(path), item)}")
        if compat.links_content(item):
            # {filename}, |static| ...: the feed shows the address of what they name
            parts.append(_digest_of(item.get_content(site)))
    address = named.get("url") or named.get("path") or ""
    for receiver in receivers:
        inputs = hooks.feed_inputs(receiver)
        if inputs is None:
            return None
        try:
            value = inputs(context, address)
        except Exception:  # noqa: BLE001 - then the feed is written, as without a record
            logger.debug("resonanz_fastbuild: feed inputs of %r", receiver, exc_info=True)
            return None
        parts.append(_digest_of(value, (context,)))
        for item in _contents_in(value):
            if item.source_path is None:
                return None
            parts.append(f"{item.source_path}={plan.digest(str(item.source_path), item)}")
    return hashlib.blake2b("\n".join(parts).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


def _contents_in(value: Any, depth: int = 0) -> list:
    if isinstance(value, Content):
        return [value]
    if depth >= 3:
        return []
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [found for item in value for found in _contents_in(item, depth + 1)]
    return []


class Record:
    """What the last clean build wrote: per page (output name) its write's digest, what
    it used and its signature; every page and feed file the writer wrote."""

    def __init__(self) -> None:
        self.pages: dict[str, dict] = {}
        self.feeds: dict[str, str] = {}  # per feed (output name) its signature
        self.files: list[str] = []  # every page and feed the writer wrote
        # render_once partials by key (name, SITEURL, values): HTML, the digests of the
        # content objects and context names they used
        self.partials: dict[str, dict] = {}

    @staticmethod
    def load(cache: Path) -> Record | None:
        try:
            with open(cache / RECORD_NAME, "rb") as file:
                data = pickle.load(file)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return None
        record = Record()
        record.pages, record.feeds, record.files = data["pages"], data["feeds"], data["files"]
        record.partials = data["partials"]
        return record

    def save(self, cache: Path) -> None:
        cache.mkdir(parents=True, exist_ok=True)
        target = cache / RECORD_NAME
        temporary = target.with_suffix(".tmp")
        with open(temporary, "wb") as file:
            pickle.dump({"version": VERSION, "pages": self.pages, "feeds": self.feeds,
                         "files": self.files, "partials": self.partials}, file,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, target)

    @staticmethod
    def drop(cache: Path, names) -> None:
        """Forget the pages and feeds `names` (output names): the next build renders them."""
        record = Record.load(cache)
        if record is None:
            return
        for name in names:
            name = os.path.normpath(name)
            record.pages.pop(name, None)
            record.feeds.pop(name, None)
        try:
            record.save(cache)
        except OSError:
            Record.forget(cache)

    @staticmethod
    def forget(cache: Path) -> None:
        try:
            (cache / RECORD_NAME).unlink()
        except OSError:
            pass


class Plan:
    """One build's use of the record: which writes to replay, what the writes used."""

    def __init__(self, old: Record | None, replay: bool, output: str,
                 written: dict | None, pages: bool = True,
                 templates: set[str] | None = None) -> None:
        self.pages = pages  # False: only the files written are recorded, not what pages used
        # the page templates that reach a changed theme template (template_deps.py)
        self.templates = templates or set()
        self.old = old  # the last clean build's record (its files may be stale now)
        self.previous = old if replay else None  # None: every page is rendered
        self.output = os.path.abspath(output)
        self.written = written or {}  # stamps of the output files after the last build
        self.record = Record()
        self.objects: dict[str, Content] = {}  # this build's content by source path
        self.digests: dict[str, str] = {}  # their digests, made when first needed
        self.names: dict[tuple[str, int], str] = {}  # (name, id of its value) -> digest
        # output name -> (generation, write number, write digest, what it used or None
        # when replayed); a generation is one sharing out of pages between processes
        self.page_uses: dict[str, tuple] = {}
        self.unchanged: set[str] = set()  # full paths of the pages replayed, not written
        self.generation = 0
        self.replayed = 0
        self.rendered = 0
        self.feeds_replayed = 0
        self.feeds_rendered = 0
        self.partials_reused = 0  # render_once partials from the record, in this process
        self.partials_rendered = 0
        self.seconds = 0.0  # spent deciding and recording, in the build process
        self.lists: dict = {}  # long lists in writes, see write_digest

    def know(self, contents: list) -> None:
        """The build's content objects, once every generator has made them."""
        for obj in contents:
            path = getattr(obj, "source_path", None)
            if path is not None:
                self.objects.setdefault(str(path), obj)

    def know_context(self, generators) -> None:
        """Content objects that generators keep in their context beyond Pelican's lists
        (the podcast plugin's episodes): a page that showed one is decided by its digest
        too (before, no episode page was ever left as the last build wrote it)."""
        # Pelican's generators share one context: each context is looked through once
        contexts = {id(context): context for generator in generators
                    if (context := getattr(generator, "context", None))}
        for context in contexts.values():
            for value in context.values():
                if isinstance(value, list) and value and isinstance(value[0], Content):
                    self.know([item for item in value if isinstance(item, Content)])

    def digest(self, path: str, obj: Content | None = None) -> str | None:
        found = self.digests.get(path)
        if found is None:
            obj = self.objects.get(path, obj)
            if obj is None:
                return None
            found = self.digests[path] = content_digest(obj)
        return found

    def know_names(self, context: dict) -> None:
        """Digest every name of a shared context before anything renders: a template's
        helpers may fill caches in these values while pages are rendered."""
        for name in list(context):
            self.name_digest(context, name)

    def name_digest(self, context: dict, name: str) -> str:
        # by value: the contexts of writes are often copies sharing the same values
        value = context.get(name, _MISSING) if name not in _PER_WRITE else _MISSING
        key = (name, id(value))
        found = self.names.get(key)
        if found is None:
            found = self.names[key] = _digest_of(value, (context,))
        return found

    def signature(self, write: str, context: dict, names, objects: dict[str, str]) -> str:
        parts = [write]
        parts += [f"n{name}={self.name_digest(context, name)}" for name in sorted(names)]
        parts += [f"c{path}={digest}" for path, digest in sorted(objects.items())]
        return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()

    def _unchanged_files(self, files: list[str]) -> bool:
        cut = len(os.path.join(self.output, ""))
        for path in files:
            relative = path[cut:] if path.startswith(os.path.join(self.output, "")) else None
            if not file_is_as(path, self.written.get(relative) if relative else None):
                return False
        return bool(files)

    def replayable(self, name: str, write: str, context: dict,
                   template: str | None = None) -> bool:
        """Whether the page written as `name` (from `template`) would be what the last
        build wrote."""
        if self.previous is None or template in self.templates:
            return False
        before = self.previous.pages.get(name)
        if before is None or before["write"] != write:
            return False
        objects = {}
        for path in before["objects"]:
            digest = self.digest(path)
            if digest is None:
                return False
            objects[path] = digest
        if self.signature(write, context, before["names"], objects) != before["signature"]:
            return False
        return self._unchanged_files([os.path.join(self.output, name)])

    def keep(self, name: str, write: str, context: dict, used: dict | None) -> None:
        """Record a page of this build (used: None when it was replayed)."""
        if used is None:
            self.record.pages[name] = self.previous.pages[name]
            self.replayed += 1
            return
        self.rendered += 1
        if used["unknown"]:
            return  # rendered again next time
        objects = used["objects"]
        self.digests.update(objects)
        self.record.pages[name] = {
            "write": write, "names": used["names"], "objects": sorted(objects),
            "signature": self.signature(write, context, used["names"], objects),
        }

    def partial(self, key: str, context: dict) -> dict | None:
        """The last build's partial of that key when what it used is the same now (and no
        theme template changed); kept for the next build too."""
        if self.previous is None or self.templates:
            return None
        entry = self.record.partials.get(key) or self.previous.partials.get(key)
        if entry is None:
            return None
        for path, digest in entry["objects"].items():
            if path not in self.objects or self.digest(path) != digest:
                return None
        for name, digest in entry["names"].items():
            if self.name_digest(context, name) != digest:
                return None
        self.record.partials[key] = entry
        return entry

    def carry_partials(self) -> None:
        """Keep the last build's partials this build did not use (the pages showing them
        were replayed) while their content objects still exist; one that is no longer
        right is found out when it is asked for."""
        if self.previous is None or self.templates:
            return  # (made with templates that changed since)
        for key, entry in self.previous.partials.items():
            if key not in self.record.partials \
                    and all(path in self.objects for path in entry["objects"]):
                self.record.partials[key] = entry

    def feed_replayable(self, name: str, signature: str | None) -> bool:
        """Whether the feed written as `name` would be what the last build wrote."""
        if self.previous is None or signature is None \
                or self.previous.feeds.get(name) != signature:
            return False
        return self._unchanged_files([os.path.join(self.output, name)])

    def keep_feed(self, name: str, signature: str | None, replayed: bool) -> None:
        if signature is not None:
            self.record.feeds[name] = signature
        if replayed:
            self.feeds_replayed += 1
        else:
            self.feeds_rendered += 1

    def stale_files(self, written: set[str]) -> list[str]:
        """Pages, feeds and static copies the last build made that this build did not and
        nobody touched since (written: the paths this build made, which the record
        keeps)."""
        self.record.files = sorted(written)
        if self.old is None:
            return []
        return sorted(path for path in set(self.old.files) - written
                      if self._unchanged_files([path]))


_MISSING = ("resonanz-missing-name",)


# -- in a write ---------------------------------------------------------------------------

def start_use(page_objects) -> _Use:
    use = _Use()
    for obj in page_objects:
        if isinstance(obj, Content):
            use.content(obj)
    _Current.use = use
    return use


def end_use(plan: Plan) -> dict | None:
    use, _Current.use = _Current.use, None
    if use is None:
        return None
    return {"objects": {path: plan.digest(path, obj) for path, obj in use.objects.items()},
            "names": sorted(use.names), "unknown": use.unknown}
