"""Signal wiring of the podcast plugin: register() only connects module-level receivers."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pelican import signals

from . import discovery
from .context import PodcastBuild
from .covers import show_artwork_ahead
from .dating import history_stamp
from .feed_output import add_to_reader_feeds, reader_feed_inputs
from .generator import EpisodesGenerator
from .settings import DEFAULTS

logger = logging.getLogger(__name__)


def episodes_path(settings: dict[str, Any]) -> str:
    """PODCAST_PATH, all these hooks need: the other settings are checked (and their
    problems logged) once per build, by the generator (context.PodcastBuild)."""
    return settings.get("PODCAST_PATH", DEFAULTS["PODCAST_PATH"])


def get_generators(pelican: Any) -> type[EpisodesGenerator]:
    return EpisodesGenerator


def exclude_episodes_from_articles(pelican: Any) -> None:
    """Keep show notes out of the article and page readers; they belong to episodes only."""
    path = episodes_path(pelican.settings)
    for key in ("ARTICLE_EXCLUDES", "PAGE_EXCLUDES"):
        excludes = list(pelican.settings.get(key, []))
        if path not in excludes:
            # A new list: the user's settings object is not mutated in place.
            pelican.settings[key] = [*excludes, path]


_RECEIVERS = (
    (signals.initialized, exclude_episodes_from_articles),
    (signals.get_generators, get_generators),
    (signals.feed_generated, add_to_reader_feeds),
)


def dating_commits(settings: dict[str, Any]) -> str:
    """hooks.build_inputs: the commits that date episodes, for the unchanged-build check."""
    folder = Path(settings["PATH"]) / episodes_path(settings)
    return history_stamp(folder)


def artwork_ahead(generator: Any) -> None:
    """resonanz_fastbuild's read_ahead, while the posts are read: the show artwork
    rendered into the cache (the generator finds it there; a cold build's 0.05 s)."""
    build = PodcastBuild.from_settings(generator.settings, generator.path,
                                       generator.output_path)
    if build.episodes_dir.is_dir():  # a site without episodes needs no show artwork
        show_artwork_ahead(build)


def episodes_ahead(generator: Any) -> dict:
    """resonanz_fastbuild's read_ahead, while the posts are read: the show notes and
    the audio files the cache does not know (the generator's own reading would start
    worker processes again, while the other cores wait)."""
    build = PodcastBuild.from_settings(generator.settings, generator.path,
                                       generator.output_path)
    from resonanz_fastbuild import hooks

    return discovery.read_ahead(build, generator.readers, hooks.captured_logs)


def _take_episodes(generator: Any, found: dict) -> None:
    generator.context[discovery.AHEAD] = found


def register() -> None:
    for signal, receiver in _RECEIVERS:
        signal.connect(receiver)
    try:  # it adds entries of its own and leaves Pelican's as they are
        from resonanz_fastbuild import hooks
    except ImportError:  # the plugin also works without resonanz_fastbuild
        return
    hooks.declare(add_to_reader_feeds)
    hooks.declare_feed_inputs(add_to_reader_feeds, reader_feed_inputs)
    hooks.build_inputs.connect(dating_commits)
    hooks.read_ahead(artwork_ahead)  # into the podcast cache, where show_artwork looks
    hooks.read_ahead(episodes_ahead, _take_episodes)


def unregister() -> None:
    """Disconnect again: Pelican's signals are process-wide, tests build other sites after us."""
    for signal, receiver in _RECEIVERS:
        signal.disconnect(receiver)
    try:
        from resonanz_fastbuild import hooks
    except ImportError:
        return
    hooks.build_inputs.disconnect(dating_commits)
