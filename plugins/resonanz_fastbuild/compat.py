"""The one place where our code touches Pelican's private API (and blinker's internals).

The fast build replaces a few of Pelican's code paths with faster ones that write the
same bytes. Doing so needs names Pelican does not promise to keep: underscored methods
and attributes, the writer's argument order, how signals order their receivers.
Everything of that kind is here, written against the Pelican versions in
`KNOWN_VERSIONS`; tests/test_architecture.py fails when any other module of ours uses
a Pelican name that starts with `_`.

`supported()` is asked when the plugin registers: for a Pelican version not listed,
it logs once and the plugin connects nothing, so Pelican's own code paths run. How to
add a version after upgrading Pelican: docs/entwicklung-fastbuild.md.
"""

from __future__ import annotations

import locale
import logging
import os
import re
import string
import weakref
from collections.abc import Callable
from typing import Any

import pelican
import pelican.readers
import pelican.urlwrappers
import pelican.utils
from pelican.cache import FileDataCacher
from pelican.contents import Article, Content
from pelican.generators import ArticlesGenerator, CachingGenerator, StaticGenerator
from pelican.log import LimitFilter
from pelican.writers import Writer

logger = logging.getLogger(__name__)

# Versions whose private API this module was checked against (the tests run on them).
KNOWN_VERSIONS = frozenset({"4.12.0"})
_WARNED: list[str] = []


def pelican_version() -> str:
    return getattr(pelican, "__version__", "unknown")


def supported(version: str | None = None) -> bool:
    """True for a Pelican version this module knows; logs once per process otherwise."""
    version = version or pelican_version()
    if version in KNOWN_VERSIONS:
        return True
    if version not in _WARNED:
        _WARNED.append(version)
        logger.warning(
            "resonanz_fastbuild: Pelican %s is not among the versions it was checked "
            "against (%s): Pelican's own code paths are used, builds are slower. See "
            "docs/entwicklung-fastbuild.md, 'Upgrading Pelican'.",
            version, ", ".join(sorted(KNOWN_VERSIONS)))
    return False


# -- logging -------------------------------------------------------------------------


def reset_log_dedup() -> None:
    """Forget the messages Pelican's LimitFilter has seen: it drops a message it saw
    before in this process, so a second build (autoreload, tests) would hide problems
    that are still there."""
    for name in ("_raised_messages", "_group_count"):
        seen = getattr(LimitFilter, name, None)
        if hasattr(seen, "clear"):
            seen.clear()


def log_again(record: logging.LogRecord) -> None:
    """Log a record made elsewhere (hooks.captured_logs) through its logger, as if it
    were logged now: Pelican's LimitFilter saw it when it was made (in this process,
    maybe) and would drop it as a duplicate, so it forgets it first; a record the
    filter drops for another reason (LOG_FILTER) stays dropped."""
    seen = getattr(LimitFilter, "_raised_messages", None)
    if hasattr(seen, "discard"):
        seen.discard((record.levelno, record.getMessage()))
    filtered = getattr(pelican.log, "FilteredMessage", None) or ()
    try:
        logging.getLogger(record.name).handle(record)
    except filtered:  # Pelican's logger filters by raising
        pass


# -- signals (blinker) -----------------------------------------------------------------


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


def move_first(signal, receiver) -> None:
    """Make receiver the first one a signal calls."""
    others = [(target, weak) for target, weak in _connected(signal) if target is not receiver]
    for target, _ in others:
        signal.disconnect(target)
    signal.disconnect(receiver)
    signal.connect(receiver)
    for target, weak in others:
        signal.connect(target, weak=weak)


def place_after(signal, receiver, before) -> None:
    """Make receiver the one a signal calls right after `before` (first when `before`
    is not connected)."""
    move_first(signal, receiver)
    if before in live_receivers(signal):
        move_first(signal, before)


# -- the build -------------------------------------------------------------------------


def wrap_run(pelican_instance, make_run: Callable[[Callable[[], None]], Callable[[], None]]
             ) -> None:
    """Replace pelican_instance.run by make_run(Pelican's run)."""
    pelican_instance.run = make_run(pelican_instance.run)


def before_static_output(generators, hook: Callable[[Any], None]) -> None:
    """Call hook(writer) before each StaticGenerator copies its files (Pelican writes the
    pages first, and a static file wins over a page with the same path)."""
    for generator in generators:
        if isinstance(generator, StaticGenerator):
            copy = generator.generate_output

            def generate_output(writer, _copy=copy):
                hook(writer)
                return _copy(writer)

            generator.generate_output = generate_output


# -- reading ---------------------------------------------------------------------------


def filter_discardable_metadata(metadata: dict) -> dict:
    """What Pelican's Readers.read_file keeps of a reader's metadata."""
    return pelican.readers._filter_discardable_metadata(metadata)


class StampsOnce:
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


def serve_read(readers, read: dict) -> None:
    """Let the Readers answer Pelican's cache question for each file in `read` (path ->
    (content, metadata)) with what was read, storing it as if Pelican had read it."""
    original_get, original_put = readers.get_cached_data, readers.cache_data

    def get_cached_data(filename, default=None):
        data = read.pop(filename, None)
        if data is None:
            return original_get(filename, default)
        original_put(filename, data)
        return data

    readers.get_cached_data = get_cached_data


# Pelican's own, as found at import (before anything here replaced them); an unknown
# version may lack one, and then nothing here is used (see supported()).
_PELICANS = {
    "generator_stamp": CachingGenerator.__dict__.get("_get_file_stamp"),
    "url": Content.__dict__.get("url"),
    "save_as": Content.__dict__.get("save_as"),
    "slugify": getattr(pelican.urlwrappers, "slugify", None),
    "relative_source_path": Content.__dict__.get("get_relative_source_path"),
    "strftime": getattr(pelican.utils, "strftime", None),
    "generate_tags": ArticlesGenerator.__dict__.get("generate_tags"),
    "generate_categories": ArticlesGenerator.__dict__.get("generate_categories"),
    "generate_authors": ArticlesGenerator.__dict__.get("generate_authors"),
    "cache_data": FileDataCacher.__dict__.get("cache_data"),
    "save_cache": FileDataCacher.__dict__.get("save_cache"),
}


def _cache_data(self, filename, data):
    self.__dict__["_resonanz_stored"] = True
    return _PELICANS["cache_data"](self, filename, data)


def _save_cache(self):
    # nothing stored since the cache was loaded from its file: the file holds it already
    if (not self.__dict__.get("_resonanz_stored") and getattr(self, "_cache", None)
            and os.path.isfile(getattr(self, "_cache_path", ""))):
        return
    _PELICANS["save_cache"](self)


def skip_unchanged_cache_saves() -> None:
    """Pelican writes each content cache at the end of reading, also when every file
    was served from it (an added episode at 2,000 posts: 6 MiB pickled and written for
    nothing). A cache nothing was stored into since it was loaded is not written."""
    FileDataCacher.cache_data = _cache_data
    FileDataCacher.save_cache = _save_cache


def _generator_stamp(self, filename):
    # neither stored (caching off at this level) nor compared (nothing loaded)
    if not getattr(self, "_cache_data_policy", True) and not getattr(self, "_cache", True):
        return b""
    return _PELICANS["generator_stamp"](self, filename)


def skip_unused_generator_stamps() -> None:
    """Pelican's generators ask their own content cache for every file even when caching
    is done at the reader level (the default): each ask and each store hashes the file,
    for a cache that holds nothing. Such a generator gets an empty stamp instead."""
    CachingGenerator._get_file_stamp = _generator_stamp


def restore_pelican() -> None:
    """Put back what install_frozen_urls, use_slugify and skip_unused_generator_stamps
    replaced: a build without the plugin in the same process (autoreload with other
    settings, the tests) runs Pelican's own code."""
    if _PELICANS["generator_stamp"] is not None:
        CachingGenerator._get_file_stamp = _PELICANS["generator_stamp"]
    for name in _FROZEN:
        if _PELICANS[name] is not None:
            setattr(Content, name, _PELICANS[name])
    if _PELICANS["slugify"] is not None:
        pelican.urlwrappers.slugify = _PELICANS["slugify"]
    if _PELICANS["relative_source_path"] is not None:
        Content.get_relative_source_path = _PELICANS["relative_source_path"]
    if _PELICANS["strftime"] is not None:
        pelican.utils.strftime = _PELICANS["strftime"]
    for name in _LISTINGS:
        if _PELICANS[name] is not None:
            setattr(ArticlesGenerator, name, _PELICANS[name])
    for name in ("cache_data", "save_cache"):
        if _PELICANS[name] is not None:
            setattr(FileDataCacher, name, _PELICANS[name])


_RELATIVE: dict[tuple[str, str], str] = {}
_RELATIVE_MAX = 200_000


def _relative_source_path(self, source_path: str | None = None) -> str | None:
    # Content.get_relative_source_path: every URL and save_as a post formats asks for
    # it (tens of thousands of os.path.relpath calls in a build of 2,000 posts); a pure
    # function of two absolute paths, remembered by them
    if not source_path:
        source_path = self.source_path
    root = self.settings["PATH"]
    if not (source_path and root and os.path.isabs(source_path) and os.path.isabs(root)):
        return _PELICANS["relative_source_path"](self, source_path)
    key = (source_path, root)
    found = _RELATIVE.get(key)
    if found is None:
        if len(_RELATIVE) >= _RELATIVE_MAX:
            _RELATIVE.clear()
        found = _RELATIVE[key] = _PELICANS["relative_source_path"](self, source_path)
    return found


def remember_relative_source_paths() -> None:
    """Content.get_relative_source_path answers from what it computed before."""
    Content.get_relative_source_path = _relative_source_path


class ReaderState:
    """What Pelican's MarkdownReader keeps between `read` and `_parse_metadata`."""

    @staticmethod
    def set_source(reader, source_path: str) -> None:
        reader._source_path = source_path

    @staticmethod
    def converter(reader):
        """The converter the reader holds (pelican-yaml-metadata keeps its own there)."""
        return reader.__dict__.get("_md")

    @staticmethod
    def parse_metadata(reader, converter, meta: dict, leave) -> dict:
        """Pelican's _parse_metadata(meta) with `converter` as the reader's converter;
        the reader is left holding `leave`, as Pelican's read would leave it."""
        reader._md = converter
        try:
            return reader._parse_metadata(meta)
        finally:
            reader._md = leave


# -- content ---------------------------------------------------------------------------

# attribute -> where the frozen value is kept (save_as is formatted from the same
# pattern fields; Pelican and the podcast plugin read it again when writing)
_FROZEN = {"url": "_resonanz_url", "save_as": "_resonanz_save_as"}

# Lists of content a Pelican generator keeps (articles, pages, their translations,
# drafts and hidden ones); a generator has only some of them.
CONTENT_LISTS = (
    "articles", "translations", "drafts", "drafts_translations", "hidden_articles",
    "hidden_translations", "pages", "hidden_pages", "draft_pages", "draft_translations",
)


def all_contents(generator) -> list:
    """Every content object a generator keeps in its lists."""
    items: list = []
    for name in CONTENT_LISTS:
        items += list(getattr(generator, name, None) or [])
    return items


def raw_content(content) -> str | None:
    """A content object's HTML as its reader made it, before Pelican resolves links
    ({filename}, {static}) in it; reading `content.content` would resolve them."""
    return getattr(content, "_content", None)


def static_outputs(generators) -> set[str]:
    """The files Pelican's static generators copy into the output in this build (full
    paths): the content's static files, each at its save_as, and the theme's static
    paths below THEME_STATIC_DIR (StaticGenerator.generate_output)."""
    found: set[str] = set()
    for generator in generators:
        if not isinstance(generator, StaticGenerator):
            continue
        output = os.path.abspath(generator.output_path)
        for item in generator.context.get("staticfiles") or ():
            found.add(os.path.normpath(os.path.join(output, item.save_as)))
        target = os.path.join(output, generator.settings["THEME_STATIC_DIR"])
        for path in generator.settings["THEME_STATIC_PATHS"]:
            source = os.path.join(generator.theme, path)
            if os.path.isfile(source):
                found.add(os.path.normpath(os.path.join(target, os.path.basename(path))))
                continue
            for folder, _, files in os.walk(source):
                relative = os.path.relpath(folder, source)
                found.update(os.path.normpath(os.path.join(target, relative, name))
                             for name in files)
    return found


def static_links(content) -> list[tuple[str, str]]:
    """The {static} and {attach} links in a content object's text, as written: the
    static generator copies (or, for {attach}, moves) what they name."""
    html = raw_content(content) or ""
    return sorted((match.group("what"), match.group("value"))
                  for match in content._get_intrasite_link_regex().finditer(html)
                  if match.group("what") in ("static", "attach"))


_LINKING: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def links_content(content) -> bool:
    """Whether a content object's text links other content the way Pelican resolves
    (its INTRASITE_LINK_REGEX: `{filename}`, the older `|filename|`); once per text."""
    html = raw_content(content) or ""
    try:
        known = _LINKING.get(content)
    except TypeError:  # not weakly referable: asked each time
        known = None
    if known is not None and known[0] is html:  # the same text as when it was asked
        return known[1]
    found = bool(html) and content._get_intrasite_link_regex().search(html) is not None
    try:
        _LINKING[content] = (html, found)
    except TypeError:
        pass
    return found


def set_raw_content(content, html: str) -> None:
    """Replace that HTML (from content_object_init, before anything reads it)."""
    content._content = html


# Until URLs are frozen, Pelican formats a post's URL pattern each time `url` or
# `save_as` is read, and plugins read them some eight times a post while the generators
# run (clashing addresses, the responses' targets, ...). A post's value is kept with
# what the pattern was formatted from (the pattern, slug, language, the date object and
# its zone, the category's and author's slugs, the time locale where the pattern names
# a month or day) and given again while those are the same. Only for Pelican's own URL
# code (a class with its own is asked each time) and patterns that name nothing else.
_URL_FIELDS = frozenset({"slug", "lang", "date", "category", "author"})
_URL_PATTERNS: dict[str, tuple[bool, bool]] = {}  # pattern -> (kept, needs the locale)
_URL_CLASSES: dict[type, str | None] = {}
_URL_KEPT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_FIELD_ROOT = re.compile(r"[^.\[!:]*")
# strftime directives that print digits only (Pelican's %-d, %-m and the like too);
# any other one (names of months and days, AM/PM, %c, %x, E and O forms) may depend on
# the time locale
_DIRECTIVE = re.compile(r"%([-_0^#]*)(\d*)([EO]?)(.)")
_DIGITS = frozenset("YmdHMSyjUWwuVGgeCfzsIl%")


def _locale_dependent(spec: str) -> bool:
    return any(form or letter not in _DIGITS
               for _flags, _width, form, letter in _DIRECTIVE.findall(spec))


def _url_pattern(pattern: str) -> tuple[bool, bool]:
    known = _URL_PATTERNS.get(pattern)
    if known is None:
        kept, dated = True, False
        try:
            for _text, field, spec, _conversion in string.Formatter().parse(pattern):
                if field is None:
                    continue
                root = _FIELD_ROOT.match(field).group(0)
                if root not in _URL_FIELDS or (spec and "{" in spec):
                    kept = False
                dated = dated or bool(spec and _locale_dependent(spec))
        except ValueError:
            kept = False
        known = _URL_PATTERNS[pattern] = (kept, dated)
    return known


def _url_class(kind: type) -> str | None:
    """"article" for Article (Pelican's "draft" settings for a draft), the class name for
    another class whose URL code is Pelican's; None for a class with code of its own."""
    try:
        return _URL_CLASSES[kind]
    except KeyError:
        pass
    found = None
    if (getattr(kind, "get_url_setting", None) is Content.get_url_setting
            and getattr(kind, "url_format", None) is Content.url_format):
        expand = getattr(kind, "_expand_settings", None)
        if expand is Article._expand_settings:
            found = "article"
        elif expand is Content._expand_settings:
            found = kind.__name__
    _URL_CLASSES[kind] = found
    return found


def _url_state(content, name: str) -> tuple | None:
    """What Pelican's URL of `content` is made of, or None when it is not kept."""
    klass = _url_class(content.__class__)
    if klass is None or hasattr(content, "override_" + name):
        return None
    if klass == "article" and content.status == "draft":
        klass = "draft"
    default = content.in_default_lang
    pattern = content.settings.get(f"{klass}_{name if default else 'lang_' + name}".upper())
    if not isinstance(pattern, str):
        return None
    kept, dated = _url_pattern(pattern)
    if not kept:
        return None
    date = getattr(content, "date", None)
    category = getattr(content, "category", None)
    author = getattr(content, "author", None)
    return (pattern, getattr(content, "slug", ""), getattr(content, "lang", "en"), date,
            getattr(date, "tzinfo", None),
            category.slug if category is not None else None,
            author.slug if author is not None else None,
            locale.setlocale(locale.LC_TIME) if dated else None)


def _kept_url(content, name: str, uncached) -> str:
    try:
        state = _url_state(content, name)
    except (AttributeError, TypeError, locale.Error):
        state = None
    if state is None or state[3] is None:  # no date: Pelican formats now()
        return uncached.fget(content)
    try:
        kept = _URL_KEPT.get(content)
    except TypeError:  # not weakly referable
        return uncached.fget(content)
    if kept is None:
        kept = _URL_KEPT[content] = {}
    found = kept.get(name)
    if found is not None and found[0] == state and found[0][3] is state[3]:
        return found[1]
    value = uncached.fget(content)
    kept[name] = (state, value)
    return value


def _frozen_property(name: str) -> property:
    uncached, slot = _PELICANS[name], _FROZEN[name]

    def get(self) -> str:
        frozen = self.__dict__.get(slot)
        if frozen is not None:
            return frozen
        return _kept_url(self, name, uncached)

    return property(get, doc=f"Content.{name}, frozen for the write phase of a build")


def install_frozen_urls() -> None:
    """Let Content.url and Content.save_as answer from frozen values when there are."""
    for name in _FROZEN:
        setattr(Content, name, _frozen_property(name))


def freeze_urls(items) -> int:
    """Freeze url and save_as of every content object."""
    count = 0
    for item in items:
        if isinstance(item, Content):
            for name, slot in _FROZEN.items():
                item.__dict__.pop(slot, None)
                setattr(item, slot, _kept_url(item, name, _PELICANS[name]))
            count += 1
    return count


class Members(list):
    """A list of posts that answers `post in members` from a set of their identities.
    (Content objects compare by identity: the answer is the list's own.)"""

    def __contains__(self, item: Any) -> bool:
        known = self.__dict__.get("_ids")
        if known is None or known[0] != len(self):
            known = self.__dict__["_ids"] = (len(self), {id(member) for member in self})
        return id(item) in known[1]

    def __reduce_ex__(self, protocol):  # pickled as the plain list it is
        return list, (list(self),)


# ArticlesGenerator's listing steps and the attribute holding their (taxonomy, posts)
_LISTINGS = {"generate_tags": "tags", "generate_categories": "categories",
             "generate_authors": "authors"}


def _quick_members(name: str, attribute: str) -> Callable:
    plain = _PELICANS[name]

    def generate(self, write):
        # Pelican picks each tag's posts out of all posts by date with `post in posts`:
        # a pass over the tag's list per post (a tenth of a second at 2,000 posts).
        # While it runs, those lists answer that from a set.
        kept = getattr(self, attribute)
        if isinstance(kept, dict):
            quick = {key: Members(value) for key, value in kept.items()}
        else:
            quick = [(key, Members(value)) for key, value in kept]
        setattr(self, attribute, quick)
        try:
            return plain(self, write)
        finally:
            setattr(self, attribute, kept)

    generate.__name__ = generate.__qualname__ = name
    return generate


def quick_listings() -> None:
    """ArticlesGenerator.generate_tags, _categories and _authors with Members lists."""
    for name, attribute in _LISTINGS.items():
        if _PELICANS[name] is not None:
            setattr(ArticlesGenerator, name, _quick_members(name, attribute))


def use_strftime(strftime: Callable) -> None:
    """The strftime that Pelican's dates call (SafeDatetime.strftime, so also a date in a
    URL pattern such as {date:%Y}); pelican.utils looks it up by name at each call."""
    if _PELICANS["strftime"] is not None:
        pelican.utils.strftime = strftime


def plain_strftime(date, date_format: str) -> str:
    return _PELICANS["strftime"](date, date_format)


def use_slugify(slugify: Callable) -> None:
    """The slugify that tags, categories and authors call."""
    pelican.urlwrappers.slugify = slugify


# -- writing ---------------------------------------------------------------------------

# Positions in Writer.write_file(name, template, context, relative_urls, paginated,
# template_name, override_output, url) and Writer.write_feed(elements, context, path,
# url, feed_type, override_output, feed_title) of what the fast writer looks at.
_WRITE_FILE_OVERRIDE = 6
_WRITE_FEED_PATH, _WRITE_FEED_OVERRIDE = 2, 5


def file_overrides(args: tuple, kwargs: dict) -> bool:
    """Whether write_file(*args, **kwargs) asks to override other output."""
    if "override_output" in kwargs:
        return bool(kwargs["override_output"])
    return len(args) > _WRITE_FILE_OVERRIDE and bool(args[_WRITE_FILE_OVERRIDE])


_WRITE_FILE_NAMES = ("name", "template", "context", "relative_urls", "paginated",
                     "template_name", "override_output", "url")


def single_page_context(args: tuple, kwargs: dict, settings: dict) -> dict | None:
    """The local context Writer.write_file(*args, **kwargs) would render its one page
    with, or None when the write makes several pages (pagination) or none. As Pelican
    4.12's writer makes it: a copy of the context, the page's SITEURL when URLs are
    relative, output_file, then the write's own values."""
    named = dict(zip(_WRITE_FILE_NAMES, args, strict=False))
    extra = {key: value for key, value in kwargs.items() if key not in _WRITE_FILE_NAMES}
    named.update((key, value) for key, value in kwargs.items() if key in _WRITE_FILE_NAMES)
    name = named.get("name")
    if not name:
        return None
    paginated = named.get("paginated")
    if paginated is None:
        paginated = {key: value for key, value in extra.items() if key in {"articles", "dates"}}
    if paginated and named.get("template_name") in settings["PAGINATED_TEMPLATES"]:
        return None
    local = named["context"].copy()
    local["localsiteurl"] = local.get("localsiteurl", None)
    if named.get("relative_urls"):
        relative = pelican.utils.path_to_url(pelican.utils.get_relative_path(name))
        local["SITEURL"] = relative
        local["localsiteurl"] = relative
    local["output_file"] = name
    local.update(extra)
    return local


def feed_target(args: tuple, kwargs: dict) -> tuple[str | None, bool]:
    """(path, override_output) of write_feed(*args, **kwargs)."""
    path = kwargs.get("path", args[_WRITE_FEED_PATH] if len(args) > _WRITE_FEED_PATH else None)
    if "override_output" in kwargs:
        override = bool(kwargs["override_output"])
    else:
        override = len(args) > _WRITE_FEED_OVERRIDE and bool(args[_WRITE_FEED_OVERRIDE])
    return path, override


class HookedWriter(Writer):
    """Pelican's writer with its feed steps and written-files record made public."""

    def feed_made(self, feed):
        """The feed object Pelican's writer made; may return another."""
        return feed

    def feed_item(self, feed, item, add: Callable) -> None:
        """Add item to feed; `add(feed, item)` is Pelican's way."""
        add(feed, item)

    def _create_new_feed(self, feed_type, feed_title, context):
        return self.feed_made(super()._create_new_feed(feed_type, feed_title, context))

    def _add_item_to_the_feed(self, feed, item):
        self.feed_item(feed, item, super()._add_item_to_the_feed)

    @property
    def written_files(self) -> set[str]:
        """The files this writer wrote (Pelican's record, used for its overwrite check)."""
        return self._written_files

    def keeps(self, filename: str) -> bool:
        """Whether the file already holds what this write would write (then it is
        counted as written, and its signal sent, but not opened)."""
        return False

    def claimed(self, filename: str) -> bool:
        """Whether a write of this build wrote or overrode the file already (Pelican's
        overwrite check then decides what the next write does)."""
        return filename in self._written_files or filename in self._overridden_files

    def _open_w(self, filename, encoding, override=False):
        if not override and not self.claimed(filename) and self.keeps(filename):
            self._written_files.add(filename)
            return _Unwritten()
        return super()._open_w(filename, encoding, override)


class _Unwritten:
    """Where Pelican's writer puts the text of a file that stays as it is."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def write(self, text: str) -> int:
        return len(text)


def feed_item_context(item) -> dict:
    """The context a content object was made with (Pelican renders its links with it)."""
    return getattr(item, "_context", None) or {}


def recast(obj, cls: type) -> None:
    """Give an object Pelican made a subclass of its class, adding behaviour in place."""
    obj.__class__ = cls


def write_feed_document(writer, path: str, document: str, context: dict, feed: Any) -> str:
    """Write a feed that Pelican's writer did not make (the podcast's feedgen documents)
    the way Writer.write_feed writes its own: through the writer's overwrite check, then
    `feed_written` with the feed object. Returns the file's full path."""
    import os  # imported here: this module's header is shared with the fast build's work

    from pelican import signals
    from pelican.utils import sanitised_join

    complete = sanitised_join(writer.output_path, path)
    os.makedirs(os.path.dirname(complete), exist_ok=True)
    if supported() and hasattr(writer, "_open_w"):
        out = writer._open_w(complete, "utf-8")
    else:  # a Pelican this module does not know: written, without the overwrite check
        out = open(complete, "w", encoding="utf-8")  # noqa: SIM115 - closed by `with`
    with out:
        out.write(document)
    logger.info('Writing "%s"', complete)
    signals.feed_written.send(complete, context=context, feed=feed)
    return complete


# -- the dev server's incremental update ------------------------------------------------


def forget_rendered(content) -> None:
    """Drop what Content.get_content and get_summary memoised for this object (their
    cache is keyed by the object): its text was replaced in place."""
    for name in ("get_content", "get_summary"):
        cache = Content.__dict__[name].cache
        for key in [key for key in cache if key and key[0] is content]:
            del cache[key]
