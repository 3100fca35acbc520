"""Pipeline step 5, output: the show's template context, the episode pages and the episode
index through Pelican's writer, and the media files and generated files (artwork, chapters)."""

from __future__ import annotations

import functools
import logging
import os
import shutil
from pathlib import Path
from typing import Any

from resonanz_fastbuild import hooks

from .audio import AUDIO_EXTENSIONS, FORMATS
from .context import PodcastBuild, problem
from .episode import Artwork, Episode
from .jsonld import series_jsonld
from .subscribe import subscribe_links

logger = logging.getLogger(__name__)


def feed_links(build: PodcastBuild, episodes: list[Episode]) -> list[dict[str, str]]:
    """One entry per format that has episodes: format, label, path, url."""
    return [
        {"format": fmt, "label": FORMATS[fmt][1], "path": path, "url": build.url(path)}
        for fmt, path in build.podcast["PODCAST_FEEDS"].items()
        if fmt == build.main_format or any(m.format == fmt for e in episodes for m in e.media)
    ]


def show_context(build: PodcastBuild, episodes: list[Episode], artwork: Artwork | None
                 ) -> dict[str, Any]:
    """The templates' `podcast`: title, feeds, subscribe links, artwork, JSON-LD."""
    feeds = feed_links(build, episodes)
    main = feeds[0]["url"] if feeds else ""
    subscribe = subscribe_links(main, build.podcast["PODCAST_SUBSCRIBE_LINKS"]) if main else []
    return {
        "title": build.show_title,
        "description": build.podcast["PODCAST_DESCRIPTION"],
        "feeds": feeds,
        "feed_url": main,
        "subscribe": subscribe,
        "artwork": artwork,
        "index_url": build.podcast["PODCAST_INDEX_URL"],
        "jsonld": series_jsonld(build, main, artwork),
    }


def write_pages(build: PodcastBuild, episodes: list[Episode], writer: Any, get_template,
                context: dict[str, Any]) -> None:
    """Each episode's page (unless a post or page has its output path) and the index."""
    relative_urls = build.settings["RELATIVE_URLS"]
    content = build.settings["PATH"]
    taken = {
        item.save_as: item.source_path
        for name in ("articles", "pages", "hidden_pages", "hidden_articles")
        for item in context.get(name) or ()
        if getattr(item, "save_as", None)
    }
    for episode in episodes:
        if episode.save_as in taken:
            # the other page is written, this episode page is not: say so
            other = os.path.relpath(taken[episode.save_as], content)
            problem(logging.ERROR, os.path.relpath(episode.source_path, content),
                    "save_as", episode.save_as,
                    f"also the output path of {other}; give the episode another slug")
            continue
        writer.write_file(episode.save_as, get_template(episode.template), context,
                          relative_urls=relative_urls, url=episode.url, episode=episode,
                          page_name=episode.slug)
    writer.write_file(build.podcast["PODCAST_INDEX_SAVE_AS"], get_template("episodes"),
                      context, relative_urls=relative_urls,
                      url=build.podcast["PODCAST_INDEX_URL"], page_name="episoden")


def output_file(build: PodcastBuild, relative: str) -> Path:
    """The path of `relative` in output; refuses a path leaving output."""
    target = (build.output_path / relative).resolve()
    if not target.is_relative_to(build.output_path.resolve()):
        raise ValueError(f"podcast: output path {relative!r} leaves the output directory")
    return target


def write_media(build: PodcastBuild) -> None:
    """Media files (audio only with PODCAST_MEDIA_COPY) and generated files into output;
    a file that is already there unchanged is left alone. The files are put there while
    the listings render (hooks.alongside): nothing rendered reads them."""
    copy_audio = build.podcast["PODCAST_MEDIA_COPY"]
    link = build.podcast["PODCAST_MEDIA_LINK"]
    for relative, source in sorted(build.media_files.items()):
        if not copy_audio and source.suffix.lower() in AUDIO_EXTENSIONS:
            continue
        target = output_file(build, relative)
        hooks.made(target)  # a later build without the episode removes it
        hooks.alongside(functools.partial(_place, source, target, link))
    for relative, data in sorted(build.blobs.items()):
        target = output_file(build, relative)
        hooks.made(target)
        hooks.alongside(functools.partial(_put_bytes, target, data))


def _put_bytes(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if not (target.is_file() and target.read_bytes() == data):
        target.write_bytes(data)


def _place(source: Path, target: Path, link: bool) -> None:
    """Put a file into output unchanged: skip if identical, else hard-link or copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    stat = source.stat()
    if target.exists():
        existing = target.stat()
        same_inode = existing.st_ino == stat.st_ino and existing.st_dev == stat.st_dev
        if same_inode or (
            existing.st_size == stat.st_size and existing.st_mtime_ns == stat.st_mtime_ns
        ):
            return
        target.unlink()
    if link:
        try:
            # A hard link costs no space or time; output files are never edited in place.
            os.link(source, target)
            return
        except OSError:
            pass
    shutil.copy2(source, target)
