"""Pelican glue of resonanz_core: connects the signals, holds no state between builds."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
from pathlib import Path

from jinja2 import BytecodeCache, pass_context
from markupsafe import Markup
from pelican import signals
from pelican.log import LimitFilter

from . import (
    checks,
    dates,
    guard,
    i18n,
    markdown_reuse,
    messages,
    parallel,
    sitemap,
    speedups,
    uptodate,
)
from .problems import ProblemCollector, StrictModeError, strict_report
from .settings import DEFAULTS

logger = logging.getLogger(__name__)


def _settings(pelican_settings: dict) -> dict:
    return {**DEFAULTS, **{k: v for k, v in pelican_settings.items() if k.startswith("RESONANZ_")}}


def _context_lang(ctx) -> str:
    for name in ("article", "page", "episode"):
        content = ctx.get(name)
        lang = getattr(content, "lang", None)
        if lang:
            return lang
    return ctx.get("DEFAULT_LANG") or "de"


@pass_context
def _translate(ctx, text: str) -> str:
    return i18n.translate(text, _context_lang(ctx))


def _date_filter(fn):
    @pass_context
    def _filter(ctx, value, lang: str | None = None):
        if value is None:
            return ""
        return fn(value, lang or _context_lang(ctx))

    return _filter


@pass_context
def _render_once(ctx, name: str, **values) -> Markup:
    """A partial about one thing (a post's teaser), rendered once per process, template
    environment and site URL in a build, and reused: a post is listed on the home page
    and on its category, tag and author pages. The partial may use the values given,
    site settings and SITEURL, nothing of the page that lists it."""
    memo = getattr(ctx.environment, "resonanz_rendered", None)
    key = (name, ctx.get("SITEURL"), *((k, id(v)) for k, v in sorted(values.items())))
    if memo is not None and key in memo:
        return memo[key]
    html = Markup(ctx.environment.get_template(name).render({**ctx.get_all(), **values}))
    if memo is not None:
        memo[key] = html
    return html


@pass_context
def _canonical(ctx, path: str) -> str:
    """Absolute URL of an output path ('a/b/index.html' -> SITEURL/a/b/)."""
    path = path or ""
    if path.endswith("index.html"):
        path = path[: -len("index.html")]
    siteurl = ctx.get("CANONICAL_SITEURL") or ctx.get("SITEURL") or ""
    return f"{siteurl.rstrip('/')}/{path.lstrip('/')}"


def on_initialized(pelican) -> None:
    settings = pelican.settings
    options = _settings(settings)
    for key, value in DEFAULTS.items():
        settings.setdefault(key, value)
    if not isinstance(options["RESONANZ_STYLESHEETS"], (list, tuple)):
        logger.error(
            "resonanz_core: setting RESONANZ_STYLESHEETS = %r: expected a list of file names",
            options["RESONANZ_STYLESHEETS"],
        )
        settings["RESONANZ_STYLESHEETS"] = DEFAULTS["RESONANZ_STYLESHEETS"]
    content = Path(settings["PATH"]).resolve()
    output = Path(settings["OUTPUT_PATH"]).resolve()
    # A build must never write into content/: refuse an output inside it (or around it,
    # since DELETE_OUTPUT_DIRECTORY would then wipe the editors' files).
    if output == content or content in output.parents or output in content.parents:
        raise StrictModeError(
            f"resonanz_core: setting OUTPUT_PATH = {str(output)!r}: must not be inside or "
            f"around PATH {str(content)!r} (a build never writes into content/)"
        )
    # Run our finalized step after every other plugin's, so problems they log there (the
    # search index, linkback sending) are collected too: blinker calls in connect order.
    signals.finalized.disconnect(on_finalized)
    signals.finalized.connect(on_finalized)
    # ... and the deferred pages before anything else looks at the output
    parallel.move_first(signals.finalized, parallel.flush_writer)
    # after every plugin's readers_init (pelican-yaml-metadata sets its reader there)
    signals.readers_init.disconnect(markdown_reuse.on_readers_init)
    signals.readers_init.connect(markdown_reuse.on_readers_init)
    messages.install()
    pelican.resonanz_collector = ProblemCollector()
    pelican.resonanz_problems = []
    uptodate.wrap_run(pelican)
    on_build_start(pelican)


# Pages written in the current run, per output folder (cleared when the run ends).
_WRITTEN: dict[str, list] = {}
# the key of an output folder, asked once per page written: resolved once
_real_output = functools.lru_cache(maxsize=16)(os.path.realpath)


def on_content_written(path: str, context: dict) -> None:
    output_path = context.get("OUTPUT_PATH")
    if output_path and path.endswith(".html"):
        entry = sitemap.page_entry(output_path, path, context)
        # tagged with the number of the write, see parallel.CURRENT_WRITE
        _WRITTEN.setdefault(_real_output(output_path), []).append(
            (parallel.CURRENT_WRITE[0], entry))


def write_sitemap(pelican) -> None:
    # in the order of the writes, as one process would have made them (the sitemap keeps
    # the first entry of a URL written twice, e.g. a page that overrides a listing)
    tagged = _WRITTEN.pop(_real_output(pelican.output_path), [])
    entries = [entry for _, entry in sorted(tagged, key=lambda t: t[0])]
    if not pelican.settings.get("RESONANZ_SITEMAP", True):
        return
    siteurl = (pelican.settings.get("CANONICAL_SITEURL") or pelican.settings["SITEURL"]).rstrip("/")
    filename = os.path.join(pelican.output_path, "sitemap.xml")
    count = sitemap.write_sitemap(filename, siteurl, entries)
    logger.info("resonanz_core: sitemap.xml with %d URLs", count)


def on_build_start(pelican) -> list:
    """Attach the collector for this run (autoreload runs the same Pelican many times)."""
    # Pelican's LimitFilter drops a message it has seen before in this process, so a
    # second build (autoreload, tests) would hide problems that are still there.
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()
    _WRITTEN.pop(_real_output(pelican.output_path), None)  # a crashed run left these
    sitemap.reset()
    collector = getattr(pelican, "resonanz_collector", None)
    root = logging.getLogger()
    if collector is not None and collector not in root.handlers:
        root.addHandler(collector)
    checks.report_theme_files(pelican.settings)
    guard.report_limits(pelican.settings)
    return []


class _SharedBytecode(BytecodeCache):
    """Compiled templates shared by the generators' environments of a process.

    Pelican gives every generator an environment of its own, and each compiled base.html
    and the partials again (a tenth of a cold build's time at 500 posts); worker
    processes start with what the build process compiled. Jinja checks each entry
    against the template's source; entries are kept apart by the options that change
    what a template compiles to.
    """

    def __init__(self) -> None:
        self.store: dict[tuple, bytes] = {}

    @staticmethod
    def _options(environment) -> tuple:
        return (
            environment.block_start_string, environment.block_end_string,
            environment.variable_start_string, environment.variable_end_string,
            environment.comment_start_string, environment.comment_end_string,
            environment.line_statement_prefix, environment.line_comment_prefix,
            environment.trim_blocks, environment.lstrip_blocks,
            environment.newline_sequence, environment.keep_trailing_newline,
            environment.autoescape if isinstance(environment.autoescape, bool) else id(
                environment.autoescape),
            environment.optimized, environment.is_async,
            tuple(sorted(environment.extensions)),
        )

    def load_bytecode(self, bucket) -> None:
        data = self.store.get((self._options(bucket.environment), bucket.key))
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket) -> None:
        self.store[(self._options(bucket.environment), bucket.key)] = (
            bucket.bytecode_to_string())


_BYTECODE = _SharedBytecode()


def _compile_theme(generator) -> dict:
    """In the first reading worker: compile the theme's templates (a few hundred
    milliseconds of a cold build, otherwise spent by the build process alone) and send
    the bytecode back. A template that does not compile is left to the build process,
    which reports it when it is used."""
    env = getattr(generator, "env", None)
    folder = os.path.join(generator.settings.get("THEME", ""), "templates")
    if env is None or env.bytecode_cache is not _BYTECODE or not os.path.isdir(folder):
        return {}
    before = set(_BYTECODE.store)
    for root, _dirs, files in os.walk(folder):
        for name in sorted(files):
            if name.endswith(".html"):
                template = os.path.relpath(os.path.join(root, name), folder)
                try:
                    env.get_template(template.replace(os.sep, "/"))
                except Exception:  # noqa: BLE001, S112 - reported when it is used
                    continue
    return {key: data for key, data in _BYTECODE.store.items() if key not in before}


def _install_compiled(compiled: dict) -> None:
    for key, data in compiled.items():
        _BYTECODE.store.setdefault(key, data)


parallel.WHILE_READING[:] = [_compile_theme, _install_compiled]


def on_generator_init(generator) -> None:
    env = getattr(generator, "env", None)
    if env is None:
        return
    # Every build makes new generators with a new environment, so a template never
    # changes while one is in use; Jinja would otherwise stat the template file on every
    # include (tens of thousands of stats per build).
    env.auto_reload = False
    if env.bytecode_cache is None:
        env.bytecode_cache = _BYTECODE
    env.globals["_"] = _translate
    env.globals["render_once"] = _render_once
    env.resonanz_rendered = {}  # a new environment per generator and build
    env.globals["LANGUAGES"] = i18n.LANGUAGES
    env.filters["datum"] = _date_filter(dates.datum)
    env.filters["datum_kurz"] = _date_filter(dates.datum_kurz)
    env.filters["monat"] = _date_filter(dates.monat)
    env.filters["isodate"] = dates.isodate
    env.filters["canonical"] = _canonical


def on_content_init(content) -> None:
    # YAML front matter yields booleans where Pelican expects strings ("translation: true"
    # crashes Pelican's process_translations with a bool).
    for field in ("translation",):
        value = content.metadata.get(field)
        if isinstance(value, bool):
            content.metadata[field] = "true" if value else "false"
    # Pelican formats locale_date with strftime and the system locale; Babel does not
    # need de_DE installed.
    date = getattr(content, "date", None)
    if date is not None and hasattr(date, "year"):
        content.locale_date = dates.datum(date, getattr(content, "lang", None))
    modified = getattr(content, "modified", None)
    if modified is not None and hasattr(modified, "year"):
        content.locale_modified = dates.datum(modified, getattr(content, "lang", None))


# Every list of content a Pelican generator keeps (articles, pages, their translations,
# drafts and hidden ones); a generator has only some of them.
CONTENT_LISTS = (
    "articles", "translations", "drafts", "drafts_translations", "hidden_articles",
    "hidden_translations", "pages", "hidden_pages", "draft_pages", "draft_translations",
)


def all_contents(generator) -> list:
    items: list = []
    for name in CONTENT_LISTS:
        items += list(getattr(generator, name, None) or [])
    return items


def _check_all(items, settings) -> None:
    root = str(Path(settings["PATH"]).resolve())
    extra = settings.get("RESONANZ_EXTRA_METADATA", [])
    for content in items:
        checks.report_metadata(content, root, extra)
        checks.report_links(content, root)


def on_generator_done(generator) -> None:
    _check_all(all_contents(generator), generator.settings)


def install_redirects(pelican) -> None:
    """Copy the redirect pages an import wrote (old permalinks) into the site."""
    folder = Path(pelican.settings.get("RESONANZ_REDIRECTS_DIR") or "redirects")
    if not folder.is_absolute():
        folder = Path(pelican.settings["PATH"]).resolve().parent / folder
    if not folder.is_dir():
        return
    from resonanz.importer.redirects import install_redirect_pages

    copied = install_redirect_pages(folder, pelican.output_path)
    logger.info("resonanz_core: %d redirect file(s) from %s", len(copied), folder)


# Content objects of the current run whose URLs are frozen before writing, per output.
_TO_FREEZE: dict[str, list] = {}


def on_all_generators_finalized(generators) -> None:
    parallel.flush_before_static_files(generators)
    items = [item for generator in generators for item in all_contents(generator)]
    checks.report_future_responses(items, dt.datetime.now(dt.UTC))
    if generators:
        output = os.path.realpath(generators[0].output_path)
        _TO_FREEZE[output] = items


def on_get_writer(pelican) -> type:
    # Sent after every plugin's all_generators_finalized: URLs are final from here on.
    items = _TO_FREEZE.pop(os.path.realpath(pelican.output_path), [])
    speedups.freeze_urls(items)
    return parallel.ParallelWriter


def _sitemap_mark() -> dict:
    return {key: len(entries) for key, entries in _WRITTEN.items()}


def _sitemap_collect(mark: dict) -> dict:
    """In a worker: the sitemap entries of the pages it wrote, objects by id (the build
    process has the same objects at the same addresses, a worker being its fork)."""
    return {
        key: [(number, (url, id(obj) if obj is not None else None, lastmod))
              for number, (url, obj, lastmod) in entries[mark.get(key, 0):]]
        for key, entries in _WRITTEN.items()
    }


def _sitemap_merge(data: dict, jobs: list) -> None:
    objects = {}
    for job in jobs:
        args, kwargs = job[1], job[2]
        context = args[2] if len(args) > 2 and isinstance(args[2], dict) else {}
        for source in (kwargs, context):
            for key in ("article", "page"):
                obj = source.get(key)
                if obj is not None:
                    objects[id(obj)] = obj
    for key, entries in data.items():
        _WRITTEN.setdefault(key, []).extend(
            (number, (url, objects.get(ref) if ref is not None else None, lastmod))
            for number, (url, ref, lastmod) in entries
        )


parallel.ParallelWriter.written_hooks.append((_sitemap_mark, _sitemap_collect, _sitemap_merge))
parallel.KNOWN_RECEIVERS.add(on_content_written)


def on_finalized(pelican) -> None:
    install_redirects(pelican)
    write_sitemap(pelican)
    collector = getattr(pelican, "resonanz_collector", None)
    if collector is None:
        return
    logging.getLogger().removeHandler(collector)
    problems = collector.take()
    pelican.resonanz_problems = problems
    if problems:
        logger.info("resonanz_core: %d content problem(s) in this build", len(problems))
    if problems and pelican.settings.get("RESONANZ_STRICT"):
        raise StrictModeError(strict_report(problems))


def register() -> None:
    speedups.install()
    signals.initialized.connect(on_initialized)
    signals.get_generators.connect(on_build_start)
    signals.generator_init.connect(on_generator_init)
    signals.generator_init.connect(guard.on_generator_init)
    signals.content_object_init.connect(guard.on_content_init)
    signals.content_object_init.connect(on_content_init)
    signals.article_generator_pretaxonomy.connect(guard.on_article_pretaxonomy)
    signals.page_generator_finalized.connect(guard.on_page_finalized)
    signals.article_generator_finalized.connect(on_generator_done)
    signals.page_generator_finalized.connect(on_generator_done)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
    signals.get_writer.connect(on_get_writer)
    signals.content_written.connect(on_content_written)
    signals.article_generator_preread.connect(parallel.on_article_preread)
    signals.page_generator_preread.connect(parallel.on_page_preread)
    signals.finalized.connect(parallel.flush_writer)
    signals.finalized.connect(on_finalized)
