"""Pelican glue of resonanz_fastbuild: connects the signals; state lives in the session.

Every receiver first asks whether the fast build is on for the running build: Pelican's
signals are process-wide, so after one build with the plugin its receivers stay
connected when the next Pelican (autoreload with other settings, a test) runs without it.
"""

from __future__ import annotations

import logging
import os

from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator

from . import (
    compat,
    hooks,
    markdown_reuse,
    outputs,
    parallel,
    session,
    speedups,
    templates,
    uptodate,
)
from .writer import ParallelWriter, writer_class

logger = logging.getLogger(__name__)

NAME = "resonanz_fastbuild"


def enabled(pelican) -> bool:
    """In this Pelican's PLUGINS, and the Pelican version is one compat knows."""
    names = [getattr(p, "__name__", p) for p in pelican.settings.get("PLUGINS") or []]
    return NAME in names and compat.supported()


def on_initialized(pelican) -> None:
    if not enabled(pelican):
        setattr(pelican, session.ATTRIBUTE, None)
        compat.restore_pelican()
        return
    setattr(pelican, session.ATTRIBUTE, session.BuildSession(pelican))
    speedups.install()
    # the deferred pages are written before anything else looks at the output
    compat.move_first(signals.finalized, on_finalized)
    # after every plugin's readers_init (pelican-yaml-metadata sets its reader there)
    signals.readers_init.disconnect(on_readers_init)
    signals.readers_init.connect(on_readers_init)
    uptodate.wrap_run(pelican)


def on_get_generators(pelican) -> list:
    current = session.of(pelican)
    hooks.set_alongside(None)
    if current is not None:
        current.start()
        hooks.forget_made()
    session.begin(current)
    if current is not None and parallel.job_count(pelican.settings) > 1:
        # outputs that need no page are made while the listings render
        hooks.set_alongside(lambda job, done: current.alongside.append((job, done)))
    return []


def on_readers_init(readers) -> None:
    if session.running() is not None:
        markdown_reuse.use_reusing_readers(readers)


def on_generator_init(generator) -> None:
    current = session.running()
    if current is None:
        return
    env = getattr(generator, "env", None)
    if env is not None:
        templates.speed_up(env)
        # What the templates read is noted only in a build that records it (the writer
        # takes the plan then, writer_class); a cold build renders without the lookups
        # around Jinja's (a twelfth of its rendering time at 500 posts).
        if current.records_pages():
            outputs.watch_environment(env)
    if callable(getattr(generator, "get_files", None)):
        # after the other plugins' generator_init (resonanz_core's guard wraps it first)
        speedups.remember_files(generator)


def _prefetch_once(generator, paths_setting: str, exclude_setting: str) -> None:
    # the preread signal comes before every file; the first one starts the prefetch,
    # after every plugin has had its init signals (one may add Markdown extensions)
    current = session.running()
    if current is None or id(generator) in current.prefetched:
        return
    current.prefetched.add(id(generator))
    # the plugins' work that needs no post (hooks.read_ahead), with the posts' reading
    works = hooks.read_ahead_works(generator) if isinstance(generator, ArticlesGenerator) else []
    parallel.prefetch(generator, paths_setting, exclude_setting,
                      while_reading=(templates.compile_theme, templates.install_compiled),
                      ahead=(lambda number: hooks.do_read_ahead(generator, works[number]),
                             lambda results: hooks.use_read_ahead(generator, works, results),
                             len(works)))


def on_article_preread(generator) -> None:
    if isinstance(generator, ArticlesGenerator):
        _prefetch_once(generator, "ARTICLE_PATHS", "ARTICLE_EXCLUDES")


def on_page_preread(generator) -> None:
    if isinstance(generator, PagesGenerator):
        _prefetch_once(generator, "PAGE_PATHS", "PAGE_EXCLUDES")


def _flush(writer) -> None:
    if isinstance(writer, ParallelWriter):
        writer.flush()


def on_all_generators_finalized(generators) -> None:
    current = session.running()
    if current is None:
        return
    # Pelican writes pages before it copies static files: the deferred pages too
    compat.before_static_output(generators, _flush)
    current.generators = list(generators)
    for generator in current.generators:
        speedups.forget_files(generator)
    current.to_freeze = [item for generator in generators
                         for item in compat.all_contents(generator)]


def on_get_writer(pelican):
    current = session.of(pelican)
    if current is None:
        return None
    # Sent after every plugin's all_generators_finalized: URLs are final from here on.
    compat.freeze_urls(current.to_freeze)
    if current.plan is not None:
        current.plan.know(current.to_freeze)
        current.plan.know_context(current.generators)
    current.to_freeze = []
    return writer_class(current)


def on_finalized(pelican) -> None:
    """finalized, first receiver: render what the writer deferred."""
    current = session.of(pelican)
    if current is None:
        return
    hooks.set_alongside(None)  # from here on at once
    if current.writer is None:  # another plugin's writer: the jobs are done here
        for job, done in current.alongside:
            done(job())
        current.alongside.clear()
    else:
        current.writer.flush()
        if current.plan is not None:
            _remove_stale(current.plan, current.writer, current.generators)
            current.plan.carry_partials()
    session.begin(None)


def _remove_stale(plan: outputs.Plan, writer, generators) -> None:
    """A page, feed or static file the last build wrote or copied and this one did not
    (a deleted post, a tag no post has any more, a deleted image, a file {attach} moved
    beside its post) goes: a cold build would not have it."""
    output = os.path.abspath(writer.output_path)
    made = {os.path.abspath(p) for p in writer.written_files} | hooks.made_files()
    for path in plan.stale_files(made | compat.static_outputs(generators)):
        os.unlink(path)
        logger.info("resonanz_fastbuild: removed %s (no longer written)", path)
        folder = os.path.dirname(path)
        while folder != output and folder.startswith(output) and not os.listdir(folder):
            os.rmdir(folder)
            folder = os.path.dirname(folder)


def register() -> None:
    if not compat.supported():  # logged; Pelican's own code paths build the site
        return
    signals.initialized.connect(on_initialized)
    signals.get_generators.connect(on_get_generators)
    signals.readers_init.connect(on_readers_init)
    signals.generator_init.connect(on_generator_init)
    signals.article_generator_preread.connect(on_article_preread)
    signals.page_generator_preread.connect(on_page_preread)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
    signals.get_writer.connect(on_get_writer)
    signals.finalized.connect(on_finalized)
