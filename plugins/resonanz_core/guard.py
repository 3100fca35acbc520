"""Pelican glue of the input guard: files from outside content/ are refused, a file that
cannot be read, slugged or fed is left out with one message, colliding outputs refused."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import re

from jinja2 import BaseLoader
from pelican.contents import Article, Page
from resonanz_fastbuild import uptodate

from .containment import Containment
from .inputs import (
    ContentProblem,
    check_control_characters,
    check_front_matter,
    check_limits,
    decode,
    front_matter,
    german_dates,
    header_block,
    html_header,
    show_value,
)
from .settings import DEFAULTS

logger = logging.getLogger(__name__)

TEXT_FORMATS = frozenset({"md", "markdown", "mkd", "mdown", "html", "htm", "rst"})
# A slug becomes one folder name in a URL.
_SLUG = re.compile(r"[\w-]+")
NOTES = "resonanz_notes"  # warnings found while reading, kept with the cached content


class BuildGuard:
    """Per-build state: the content and theme folders and the links already judged."""

    def __init__(self, settings: dict) -> None:
        self.settings = settings
        self.content = Containment(settings["PATH"], "content/")
        theme = settings.get("THEME") or ""
        self.theme = Containment(theme, "theme/") if os.path.isdir(theme) else None
        self.reported: set[tuple] = set()
        self._unsafe: list[str] | None = None

    def report(self, level: int, source: str, field: str, value: object, fix: str) -> None:
        key = (source, field, fix)
        if key not in self.reported:
            self.reported.add(key)
            logger.log(level, "resonanz_core: %s: %s = %s: %s", source, field,
                       show_value(value), fix)

    def unsafe_folders(self) -> list[str]:
        """Links under content/ that leave it or loop, reported once per build."""
        if self._unsafe is None:
            self._unsafe = self.content.unsafe_folders()
            for rel in self._unsafe:
                self.allowed(rel)
        return self._unsafe

    def allowed(self, rel: str) -> bool:
        refusal = self.content.refusal(rel)
        if refusal is not None:
            self.report(logging.ERROR, *refusal)
        return refusal is None


def guard_for(generator) -> BuildGuard:
    # the context is the one dict every generator of a build shares
    guard = generator.context.get("resonanz_guard")
    if guard is None:
        guard = generator.context["resonanz_guard"] = BuildGuard(generator.settings)
    return guard


# -- reading ------------------------------------------------------------------------------


def _guarded_get_files(generator, guard: BuildGuard):
    original = generator.get_files

    def get_files(paths, exclude=None, extensions=None):
        exclude = [*(exclude or []), *guard.unsafe_folders()]
        return {f for f in original(paths, exclude=exclude, extensions=extensions)
                if guard.allowed(f)}

    return get_files


LIMITS = ("RESONANZ_MAX_SOURCE_BYTES", "RESONANZ_MAX_NESTING")


def _limit(settings: dict, key: str) -> int:
    value = settings.get(key, DEFAULTS[key])
    valid = isinstance(value, int) and not isinstance(value, bool) and value > 0
    return value if valid else DEFAULTS[key]


def report_limits(settings: dict) -> None:
    """Once per build (the collector of strict mode is attached by then)."""
    for key in LIMITS:
        value = settings.get(key, DEFAULTS[key])
        if _limit(settings, key) != value:
            logger.error("resonanz_core: pelicanconf.py: %s = %r: expected a whole number "
                         "above 0; using %d", key, value, DEFAULTS[key])


def _guarded_read(read, guard: BuildGuard):
    max_bytes = _limit(guard.settings, "RESONANZ_MAX_SOURCE_BYTES")
    max_nesting = _limit(guard.settings, "RESONANZ_MAX_NESTING")

    def read_checked(source_path):
        rel = os.path.relpath(source_path, guard.content.root)
        refusal = guard.content.refusal(rel)
        if refusal is not None:
            raise ContentProblem(*refusal[1:])
        try:
            with open(source_path, "rb") as handle:
                raw = handle.read(max_bytes + 1)
        except OSError as exc:
            raise ContentProblem("file", exc.strerror or str(exc),
                                 "cannot be read; check the file's permissions") from None
        text = decode(raw)
        check_control_characters(text)
        check_limits(text, len(raw), max_bytes, max_nesting)
        notes = []
        yaml_block = front_matter(text)
        if yaml_block is not None:
            notes = check_front_matter(yaml_block)
        html = source_path.lower().endswith((".html", ".htm"))
        dates = german_dates(html_header(text) if html else header_block(text))
        content, metadata = read(source_path)
        metadata.update(dates)
        if notes:
            metadata[NOTES] = notes
        return content, metadata

    read_checked.resonanz_guarded = True
    # for a reader's own copy of a checked file outside content/ (the podcast plugin reads
    # show notes again without an unreadable date line from a temporary copy)
    read_checked.__wrapped__ = read
    return read_checked


def _theme_ignores(generator, guard: BuildGuard) -> None:
    """Theme files linked from outside theme/ are not copied (their names are ignored for
    the static generator of this build only)."""
    if guard.theme is None:
        return
    names = []
    for folder in generator.settings.get("THEME_STATIC_PATHS", []):
        if not os.path.isdir(os.path.join(guard.theme.root, folder)):
            continue
        for rel in guard.theme.unsafe_folders(folder):
            source, field, value, fix = guard.theme.refusal(rel)
            guard.report(logging.ERROR, "theme/" + source, field, value, fix)
            names.append(re.sub(r"([\[\]*?])", r"[\1]", os.path.basename(rel)))
    if names:
        generator.settings = {**generator.settings,
                              "IGNORE_FILES": [*generator.settings["IGNORE_FILES"], *names]}


def _guarded_static_context(generator, guard: BuildGuard):
    original = generator.generate_context

    def generate_context():
        # {static} links in posts name files too (reported by the link check)
        links = generator.context.get("static_links")
        if links:
            for link in list(links):
                if guard.content.refusal(link) is not None:
                    links.discard(link)
        return original()

    return generate_context


class ThemeLoader(BaseLoader):
    """The generator's template loader, refusing a template under theme/ that is a link
    to a file outside it: it renders as empty (Pelican looks templates up before it
    writes, and a missing one stops the build)."""

    def __init__(self, inner: BaseLoader, guard: BuildGuard) -> None:
        self.inner, self.guard = inner, guard

    def get_source(self, environment, template):
        source, filename, is_current = self.inner.get_source(environment, template)
        theme = self.guard.theme
        if filename and theme is not None:
            rel = os.path.relpath(os.path.abspath(filename), theme.root)
            refusal = None if rel.startswith("..") else theme.refusal(rel)
            if refusal is not None:
                self.guard.report(logging.ERROR, "theme/" + refusal[0], *refusal[1:])
                return "", filename, is_current
        return source, filename, is_current

    def list_templates(self):
        return self.inner.list_templates()


def on_generator_init(generator) -> None:
    env = getattr(generator, "env", None)
    if env is not None and env.loader is not None and not isinstance(env.loader, ThemeLoader):
        env.loader = ThemeLoader(env.loader, guard_for(generator))
    if not hasattr(generator, "get_files") or not hasattr(generator, "readers"):
        return
    if os.path.realpath(generator.path) != os.path.realpath(generator.settings["PATH"]):
        return
    guard = guard_for(generator)
    generator.get_files = _guarded_get_files(generator, guard)
    for fmt, reader in generator.readers.readers.items():
        if fmt in TEXT_FORMATS and not getattr(reader.read, "resonanz_guarded", False):
            reader.read = _guarded_read(reader.read, guard)
    if type(generator).__name__ == "StaticGenerator":
        _theme_ignores(generator, guard)
        generator.generate_context = _guarded_static_context(generator, guard)


# -- content objects ------------------------------------------------------------------------


def check_content(content) -> None:
    """Raise ContentProblem for a post or page that cannot become a page and a feed entry."""
    if not isinstance(content, (Article, Page)):
        return
    metadata = content.metadata
    title = str(metadata.get("title", ""))
    slug = getattr(content, "slug", None) or ""
    if "slug" in metadata:
        if not _SLUG.fullmatch(slug):
            raise ContentProblem("slug", metadata["slug"], "use letters, digits and '-' only, "
                                 "e.g. 'slug: mein-beitrag' (it becomes a folder name)")
    elif "title" not in metadata:
        pass  # Pelican reports the missing title (messages.InvalidContentMessage)
    elif not title.strip():
        raise ContentProblem("title", title, "empty; write a title, e.g. 'Title: Mein Beitrag'")
    elif not _SLUG.fullmatch(slug):
        raise ContentProblem("title", title, "gives no usable slug for the URL (only emoji "
                             "or punctuation?); add words or a field 'slug: mein-beitrag'")
    _check_term_slugs(content)
    template = metadata.get("template")
    if template and not _template_exists(content.settings, str(template)):
        raise ContentProblem("template", template, "no such template in theme/templates/; "
                             "remove the field or add the template")
    index = metadata.get("series_index")
    if index is not None and not re.fullmatch(r"\s*\d+\s*", str(index)):
        raise ContentProblem("series_index", index, "expected a whole number, e.g. 2")


def _check_term_slugs(content) -> None:
    """A category, tag or author named only with emoji has an empty slug: its page would
    overwrite the list of all categories, tags or authors."""
    terms = [("category", getattr(content, "category", None))]
    terms += [("tags", tag) for tag in getattr(content, "tags", None) or []]
    terms += [("author", author) for author in getattr(content, "authors", None) or []]
    for field, term in terms:
        if term is not None and not _SLUG.fullmatch(getattr(term, "slug", "") or ""):
            raise ContentProblem(field, str(term), "gives no usable slug for its page (only "
                                 "emoji or punctuation?); use words")


def _template_exists(settings: dict, name: str) -> bool:
    folders = [*settings.get("THEME_TEMPLATES_OVERRIDES", []),
               os.path.join(settings.get("THEME", ""), "templates")]
    return any(os.path.isfile(os.path.join(folder, f"{name}.html")) for folder in folders)


def on_content_init(content) -> None:
    check_content(content)


# -- whole generators ------------------------------------------------------------------------

ARTICLE_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations",
                 "drafts", "drafts_translations")
PAGE_LISTS = ("pages", "translations", "hidden_pages", "hidden_translations", "draft_pages",
              "draft_translations")


def _relative(guard: BuildGuard, content) -> str:
    return os.path.relpath(content.source_path, guard.content.root)


def _now_like(date: dt.datetime) -> dt.datetime:
    return dt.datetime.now(dt.UTC) if date.tzinfo else dt.datetime.now()


def _publish_due(generator, guard: BuildGuard) -> None:
    """Scheduled posts (WITH_FUTURE_DATES = False) whose date has come: Pelican's content
    cache would keep them as drafts until the file changes."""
    if generator.settings.get("WITH_FUTURE_DATES", True):
        return
    for draft_list, target in (("drafts", "articles"), ("drafts_translations", "translations")):
        due = [a for a in getattr(generator, draft_list)
               if str(a.metadata.get("status", "published")).lower() != "draft"
               and a.date <= _now_like(a.date)]
        for article in due:
            article.status = "published"
            getattr(generator, draft_list).remove(article)
            getattr(generator, target).append(article)
        if due:
            getattr(generator, target).sort(key=lambda a: a.date, reverse=True)
    for article in generator.drafts + generator.drafts_translations:
        if str(article.metadata.get("status", "published")).lower() != "draft":
            logger.info("resonanz_core: %s: date = %s: scheduled; published by the first "
                        "build on or after that date", _relative(guard, article),
                        article.date.isoformat())
            uptodate.output_changes_at(article.date)


def _drop_collisions(generator, guard: BuildGuard, lists: tuple[str, ...],
                     taken: dict[str, str]) -> None:
    """Leave out every post or page whose output file another one already has."""
    items = [(name, item) for name in lists for item in getattr(generator, name, [])]
    # the older post keeps its URL; among pages, the shorter file name (kontakt.md before
    # kontakt-2.md)
    items.sort(key=lambda pair: (str(getattr(pair[1], "date", "")),
                                 os.path.splitext(pair[1].source_path)[0], pair[1].source_path))
    dropped = set()
    for _name, item in items:
        target = os.path.normpath(item.save_as or "")
        if not item.save_as:
            continue
        owner = taken.get(target)
        if owner is None:
            taken[target] = _relative(guard, item)
            continue
        field = "slug" if "slug" in item.metadata else "title"
        value = item.metadata.get(field, item.slug)
        guard.report(logging.ERROR, _relative(guard, item), field, value,
                     f"gives the same URL ({target}) as {owner}; the file is left out: "
                     "give it another title or a field 'slug: ...'")
        dropped.add(id(item))
    if dropped:
        for name in lists:
            kept = [i for i in getattr(generator, name, []) if id(i) not in dropped]
            setattr(generator, name, kept)


def on_article_pretaxonomy(generator) -> None:
    guard = guard_for(generator)
    _publish_due(generator, guard)
    taken = generator.context.setdefault("resonanz_outputs", {})
    _drop_collisions(generator, guard, ARTICLE_LISTS, taken)


def _plugin_defaults(settings: dict) -> dict:
    """The DEFAULTS of every plugin in use that has a settings module (their output
    paths count even when pelicanconf.py does not repeat them)."""
    merged: dict = {}
    for name in settings.get("PLUGINS") or []:
        if not isinstance(name, str):
            continue
        try:
            module = importlib.import_module(f"{name}.settings")
        except ImportError:
            continue
        merged.update(getattr(module, "DEFAULTS", {}) or {})
    return merged


def _listing_outputs(settings: dict) -> dict[str, str]:
    """Output files of listings and plugin pages that a page could claim by its slug: the
    direct templates and every fixed *_SAVE_AS (no {slug} in it)."""
    outputs = {}
    for name in settings.get("DIRECT_TEMPLATES", []):
        save_as = settings.get(f"{name.upper()}_SAVE_AS", f"{name}.html")
        if save_as:
            outputs[os.path.normpath(save_as)] = f"the {name} listing"
    for key, value in {**_plugin_defaults(settings), **settings}.items():
        if key.endswith("_SAVE_AS") and isinstance(value, str) and value and "{" not in value:
            outputs.setdefault(os.path.normpath(value), f"the setting {key}")
    return outputs


def on_page_finalized(generator) -> None:
    guard = guard_for(generator)
    taken = generator.context.setdefault("resonanz_outputs", {})
    reserved = {path: owner for path, owner in _listing_outputs(generator.settings).items()
                if path not in taken}
    years = {os.path.normpath(a.date.strftime("%Y") + "/index.html")
             for a in generator.context.get("articles", [])}
    reserved.update({path: "a year archive" for path in years})
    # pages that set save_as themselves mean to replace a listing (Pelican's override)
    overriding = {os.path.normpath(p.save_as) for name in PAGE_LISTS
                  for p in getattr(generator, name, []) if "save_as" in p.metadata}
    combined = {**{k: v for k, v in reserved.items() if k not in overriding}, **taken}
    _drop_collisions(generator, guard, PAGE_LISTS, combined)
    for name in ("pages", "hidden_pages", "draft_pages"):
        generator.context[name] = getattr(generator, name)
