"""Pelican glue of resonanz_core: connects the signals, holds no state between builds."""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

from jinja2 import pass_context
from markupsafe import Markup
from pelican import signals
from resonanz_fastbuild import compat, hooks
from resonanz_fastbuild import session as fastbuild_session

from . import checks, contained, dates, guard, i18n, messages, minify, sitemap
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
    site settings and SITEURL, nothing of the page that lists it. The fast build's
    dependency record may answer it from the last build (hooks.partial)."""
    memo = getattr(ctx.environment, "resonanz_rendered", None)
    hooks.uses(*values.values())  # a reused partial shows them too
    key = (name, ctx.get("SITEURL"), *((k, id(v)) for k, v in sorted(values.items())))
    if memo is not None and key in memo:
        return memo[key]
    html = Markup(hooks.partial(ctx, name, values, lambda: ctx.environment.get_template(
        name).render({**ctx.get_all(), **values})))
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
    messages.install()
    pelican.resonanz_collector = ProblemCollector()
    pelican.resonanz_problems = []
    on_build_start(pelican)


class WrittenPages:
    """Sitemap entries of the pages written by the running build, with the number of
    the write that wrote each: the fast build writes pages in worker processes and
    numbers every write in the order Pelican asked for it (hooks.WRITE_NUMBER); without
    it, pages are numbered as they are written."""

    def __init__(self) -> None:
        self.entries: list[tuple[int, tuple]] = []
        self.count = 0

    def add(self, context: dict, entry: tuple) -> None:
        self.count += 1
        self.entries.append((context.get(hooks.WRITE_NUMBER, self.count), entry))

    def take(self) -> list[tuple]:
        """The entries in the order of the writes, as one process would have made them
        (the sitemap keeps the first entry of a URL written twice, e.g. a page that
        overrides a listing); forgotten here."""
        tagged, self.entries, self.count = self.entries, [], 0
        return [entry for _, entry in sorted(tagged, key=lambda t: t[0])]

    # hooks.WorkerShare: a worker's entries come back with the content object named by
    # the write that made it (the build process has the same objects)

    def mark(self) -> int:
        return len(self.entries)

    def collect(self, mark: int) -> list:
        return [(number, url, obj is not None, lastmod)
                for number, (url, obj, lastmod) in self.entries[mark:]]

    def merge(self, data: list, value_of) -> None:
        for number, url, has_content, lastmod in data:
            obj = None
            if has_content:
                obj = value_of(number, "article") or value_of(number, "page")
            self.entries.append((number, (url, obj, lastmod)))


# One build runs at a time in a process; cleared when a build starts.
WRITTEN = WrittenPages()


def on_content_written(path: str, context: dict) -> None:
    output_path = context.get("OUTPUT_PATH")
    if output_path and path.endswith(".html"):
        WRITTEN.add(context, sitemap.page_entry(output_path, path, context))


hooks.declare(on_content_written, WRITTEN)


def write_sitemap(pelican) -> None:
    entries = WRITTEN.take()
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
    compat.reset_log_dedup()
    WRITTEN.take()  # a crashed run left these
    sitemap.reset()
    collector = getattr(pelican, "resonanz_collector", None)
    root = logging.getLogger()
    if collector is not None and collector not in root.handlers:
        root.addHandler(collector)
    checks.report_theme_files(pelican.settings)
    guard.report_limits(pelican.settings)
    return []


def on_generator_init(generator) -> None:
    env = getattr(generator, "env", None)
    if env is None:
        return
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


def _check_all(items, settings) -> None:
    root = str(Path(settings["PATH"]).resolve())
    extra = settings.get("RESONANZ_EXTRA_METADATA", [])
    for content in items:
        checks.report_metadata(content, root, extra)
        checks.report_links(content, root)


def on_generator_done(generator) -> None:
    _check_all(compat.all_contents(generator), generator.settings)


def on_post_reread(post, generator=None, **_) -> None:
    """A post read again alone (resonanz_fastbuild's one-post paths): the checks a full
    build runs over every post (their warnings make that path build in full)."""
    if generator is not None:
        _check_all([post], generator.settings)


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


def on_all_generators_finalized(generators) -> None:
    items = [item for generator in generators for item in compat.all_contents(generator)]
    checks.report_future_responses(items, dt.datetime.now(dt.UTC))


def on_get_writer(pelican):
    """Without the fast build, Pelican's writer with each write contained (the fast build's
    own writer goes through the same function: hooks.set_write_guard in register)."""
    if fastbuild_session.of(pelican) is not None:
        return None
    return contained.ContainedWriter


def minify_theme(pelican) -> None:
    """Minify the theme's CSS and JS copied into the output (before any precompression)."""
    if not pelican.settings.get("RESONANZ_MINIFY", True):
        return
    folder = Path(pelican.output_path) / pelican.settings.get("THEME_STATIC_DIR", "theme")
    before, after = minify.minify_tree(folder)
    logger.info("resonanz_core: theme CSS and JS minified, %d -> %d bytes", before, after)


def on_finalized(pelican) -> None:
    minify_theme(pelican)
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
    hooks.set_write_guard(contained.write)
    signals.get_writer.connect(on_get_writer)
    signals.initialized.connect(on_initialized)
    signals.get_generators.connect(on_build_start)
    signals.generator_init.connect(on_generator_init)
    signals.generator_init.connect(guard.on_generator_init)
    signals.content_object_init.connect(guard.on_content_init)
    signals.content_object_init.connect(on_content_init)
    signals.article_generator_pretaxonomy.connect(guard.on_article_pretaxonomy)
    signals.page_generator_finalized.connect(guard.on_page_finalized)
    signals.article_generator_finalized.connect(on_generator_done)
    hooks.post_reread.connect(on_post_reread)
    signals.page_generator_finalized.connect(on_generator_done)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
    signals.content_written.connect(on_content_written)
    signals.finalized.connect(on_finalized)
