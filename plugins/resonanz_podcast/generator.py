"""EpisodesGenerator: the podcast plugin's pipeline, run by Pelican as a generator.

discovery (files by episode) -> facts (audio) -> assembly (Episode objects) -> covers
(artwork) -> output (pages, media, feeds). Settings are read once, into the
PodcastBuild every step gets (context.py).
"""

from __future__ import annotations

import logging
from typing import Any

from pelican.generators import Generator

from . import numbering
from .assembly import build_episode, drop_duplicates
from .context import PodcastBuild
from .covers import episode_artwork, show_artwork
from .discovery import AHEAD, ShowNotesReader, group_files, prefetch
from .episode import Artwork, Episode
from .feed import feed_guid
from .feed_output import write_feeds
from .jsonld import episode_jsonld
from .output import show_context, write_media, write_pages
from .player import register_translations

logger = logging.getLogger(__name__)

register_translations()


class EpisodesGenerator(Generator):
    """Duck-typed Pelican generator for episodes (see pelican.generators.Generator)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.build = PodcastBuild.from_settings(self.settings, self.path, self.output_path)
        self.episodes: list[Episode] = []
        self.show_artwork: Artwork | None = None
        if "_" not in self.env.globals:
            # resonanz_core adds the translating `_`; without it pages stay German.
            self.env.globals["_"] = lambda text: text

    def generate_context(self) -> None:
        build = self.build
        groups = group_files(build)
        ahead = self.context.pop(AHEAD, None)  # read while the posts were read (plugin.py)
        episodes = []
        if groups:
            # A site without episodes needs no show artwork, so it is not checked then.
            self.show_artwork = show_artwork(build)
            notes = ShowNotesReader(self.readers)
            prefetch(build, groups, notes, ahead)
            for stem in sorted(groups):
                assembled = build_episode(build, stem, groups[stem], notes, self.context)
                if assembled is not None:
                    assembled.episode.artwork = episode_artwork(build, *assembled,
                                                                self.show_artwork)
                    episodes.append(assembled.episode)
        self.episodes = drop_duplicates(build, episodes)
        if self.episodes and not build.podcast["PODCAST_GUID"]:
            logger.warning(
                "podcast: pelicanconf.py: PODCAST_GUID = '': episode GUIDs then hang on the show "
                "title; set PODCAST_GUID = %r once and never change it",
                feed_guid(build.url(build.main_feed_path)),
            )
        self.episodes.sort(key=lambda e: (e.date, e.number or 0), reverse=True)
        for episode in self.episodes:
            episode.jsonld = episode_jsonld(build, episode)
        if build.cache.hits or build.cache.misses:
            logger.info(
                "podcast: cache: %d hits, %d misses (%s); audio files read: %d",
                build.cache.hits, build.cache.misses, build.cache.directory,
                build.audio_files_read,
            )
        home = self.episodes[: build.podcast["PODCAST_HOME_COUNT"]]
        self.context["episodes"] = self.episodes
        self.context["episodes_on_home"] = home if build.podcast["PODCAST_ON_HOME"] else []
        self.context["podcast"] = show_context(build, self.episodes, self.show_artwork)

    def generate_output(self, writer: Any) -> None:
        if not self.episodes:
            return  # a site without a podcast gets no empty episode index or feeds
        build = self.build
        write_media(build)
        write_pages(build, self.episodes, writer, self.get_template, self.context)
        write_feeds(build, self.episodes, self.show_artwork, writer, self.context)
        numbering.remember(build.cache.directory, build.output_path / build.main_feed_path)
