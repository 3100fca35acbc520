"""Pipeline step 5, output (feeds): the podcast feeds, one per format with episodes, paged
when PODCAST_FEED_PAGE_SIZE says so, written through Pelican's writer; and the episodes
in Pelican's all-posts feeds when PODCAST_IN_READER_FEEDS asks for it."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from resonanz_fastbuild import compat

from .context import PodcastBuild, join_url
from .episode import Artwork, Episode, MediaFile
from .feed import Enclosure, FeedItem, Person, ShowInfo, feed_bytes, feed_guid, make_feed
from .output import feed_links
from .settings import DEFAULTS

logger = logging.getLogger(__name__)


def show_info(build: PodcastBuild, episodes: list[Episode], artwork: Artwork | None,
              self_url: str, alternates: list[tuple[str, str]]) -> ShowInfo:
    p = build.podcast
    return ShowInfo(
        title=build.show_title,
        link=build.url(p["PODCAST_INDEX_URL"]),
        description=p["PODCAST_DESCRIPTION"] or build.show_title,
        language=p["PODCAST_LANGUAGE"] or build.settings.get("DEFAULT_LANG", "de"),
        author=p["PODCAST_AUTHOR"] or build.settings.get("AUTHOR", ""),
        owner_name=p["PODCAST_OWNER_NAME"] or p["PODCAST_AUTHOR"],
        owner_email=p["PODCAST_OWNER_EMAIL"],
        image_url=build.url(artwork.largest) if artwork else "",
        self_url=self_url,
        guid=p["PODCAST_GUID"] or feed_guid(build.url(build.main_feed_path)),
        categories=[tuple(c) for c in p["PODCAST_CATEGORIES"]],
        explicit=p["PODCAST_EXPLICIT"],
        show_type=p["PODCAST_TYPE"],
        complete=bool(p["PODCAST_COMPLETE"]),
        block=bool(p["PODCAST_BLOCK"]),
        new_feed_url=p["PODCAST_NEW_FEED_URL"],
        locked=p["PODCAST_LOCKED"],
        locked_owner=p["PODCAST_LOCKED_OWNER"] or p["PODCAST_OWNER_EMAIL"],
        funding=[tuple(f) for f in p["PODCAST_FUNDING"]],
        license=p["PODCAST_LICENSE"],
        license_url=p["PODCAST_LICENSE_URL"],
        medium=p["PODCAST_MEDIUM"],
        persons=[Person(**{"role": "host", **person}) for person in p["PODCAST_PERSONS"]],
        copyright=p["PODCAST_COPYRIGHT"],
        subtitle=p["PODCAST_SUBTITLE"],
        alternates=alternates,
        last_build=max((e.date for e in episodes), default=None),
    )


def feed_item(build: PodcastBuild, episode: Episode, media: MediaFile) -> FeedItem:
    content_html = episode.get_content(build.siteurl)
    description = episode.metadata.get("summary") or content_html or episode.title
    return FeedItem(
        guid=episode.guid,
        title=episode.title,
        link=build.url(episode.url),
        pub_date=episode.date,
        description=str(description),
        content_html=content_html,
        enclosure=Enclosure(media.url, media.facts.size, media.facts.mime_type),
        duration=media.facts.duration,
        image_url=build.url(episode.artwork.largest) if episode.artwork else "",
        explicit=episode.explicit,
        number=episode.number,
        season=episode.season,
        episode_type=episode.episode_type,
        block=episode.block,
        chapters=episode.chapters,
        chapters_url=(build.media_url(PurePosixPath(episode.chapters_path).name)
                      if episode.chapters_path else ""),
        transcripts=[(build.media_url(PurePosixPath(path).name), mime)
                     for path, mime in episode.transcript_files],
        persons=episode.guests,
        soundbites=episode.soundbites,
        alternates=[
            Enclosure(m.url, m.facts.size, m.facts.mime_type, m.facts.bitrate, m.label)
            for m in episode.media
        ] if len(episode.media) > 1 else [],
        subtitle=episode.subtitle,
    )


def _page_paths(path: str, count: int) -> list[str]:
    return [path] + [f"{path.rsplit('.', 1)[0]}/page/{n}.xml" for n in range(2, count + 1)]


def write_feeds(build: PodcastBuild, episodes: list[Episode], artwork: Artwork | None,
                writer: Any, context: dict[str, Any]) -> None:
    """Every podcast feed (and its pages) through the writer."""
    if not build.siteurl:
        logger.warning(
            "podcast: pelicanconf.py: SITEURL = '': podcast feeds need absolute URLs; "
            "set SITEURL (publishconf.py) before publishing"
        )
    page_size = build.podcast["PODCAST_FEED_PAGE_SIZE"]
    feeds = feed_links(build, episodes)
    for feed in feeds:
        fmt = feed["format"]
        items = []
        for episode in episodes:
            chosen = next((m for m in episode.media if m.format == fmt), None)
            if chosen is None and fmt == build.main_format:
                chosen = episode.main_media  # the main feed carries every episode
            if chosen is not None:
                items.append(feed_item(build, episode, chosen))
        alternates = [(other["url"], f"{build.show_title} ({other['label']})")
                      for other in feeds if other["format"] != fmt]
        pages = ([items[i:i + page_size] for i in range(0, len(items), page_size)]
                 if page_size else [items])
        paths = _page_paths(feed["path"], len(pages))
        urls = [build.url(path) for path in paths]
        for index, page_items in enumerate(pages):
            show = show_info(build, episodes, artwork, urls[index], alternates)
            if len(pages) > 1:
                show.paging = {
                    "first": urls[0],
                    "last": urls[-1],
                    "prev": urls[index - 1] if index else "",
                    "next": urls[index + 1] if index + 1 < len(urls) else "",
                }
            document = make_feed(show, page_items)
            compat.write_feed_document(writer, paths[index],
                                       feed_bytes(document).decode("utf-8"), context, document)


def reader_feed_inputs(context: dict[str, Any], address: str) -> Any:
    """What add_to_reader_feeds puts into the feed at `address` (its URL, or its path
    when it has none) comes from, for the fast build's dependency record: the episodes
    and the settings it reads, for the all-posts feeds; nothing for the others."""
    wanted_here = context.get("PODCAST_IN_READER_FEEDS", DEFAULTS["PODCAST_IN_READER_FEEDS"])
    all_feeds = [context[key] for key in ("FEED_ALL_ATOM", "FEED_ALL_RSS") if context.get(key)]
    if not wanted_here or not any(str(address).endswith(name) for name in all_feeds):
        return None
    siteurl = (
        context.get("CANONICAL_SITEURL") or context.get("FEED_DOMAIN") or context.get("SITEURL", "")
    )
    episodes = list(context.get("episodes") or [])
    return {
        "episodes": episodes,
        # what add_to_reader_feeds writes of each (the text with its links resolved)
        "entries": [(episode.title, join_url(siteurl, episode.url), episode.guid,
                     episode.get_content(siteurl), episode.main_media.url,
                     str(episode.main_media.facts.size), episode.main_media.facts.mime_type)
                    for episode in episodes],
        "limit": context.get("FEED_MAX_ITEMS"),
    }


def add_to_reader_feeds(context: dict[str, Any], feed: Any) -> None:
    """feed_generated receiver: put episodes into Pelican's all-posts feeds when asked to."""
    wanted_here = context.get("PODCAST_IN_READER_FEEDS", DEFAULTS["PODCAST_IN_READER_FEEDS"])
    episodes = context.get("episodes") or []
    if not wanted_here or not episodes:
        return
    siteurl = (
        context.get("CANONICAL_SITEURL") or context.get("FEED_DOMAIN") or context.get("SITEURL", "")
    )
    feed_url = str(feed.feed.get("feed_url") or "")
    all_feeds = [context[key] for key in ("FEED_ALL_ATOM", "FEED_ALL_RSS") if context.get(key)]
    if not any(feed_url.endswith(path) for path in all_feeds):
        return
    from feedgenerator import Enclosure as ReaderEnclosure

    for episode in episodes:
        media = episode.main_media
        feed.add_item(
            title=episode.title,
            link=join_url(siteurl, episode.url),
            unique_id=episode.guid,
            description=episode.get_content(siteurl),
            pubdate=episode.date,
            enclosures=[ReaderEnclosure(media.url, str(media.facts.size), media.facts.mime_type)],
        )
    # Newest first, and no longer than the feed was meant to be.
    fallback = datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))
    feed.items.sort(key=lambda item: item.get("pubdate") or fallback, reverse=True)
    limit = context.get("FEED_MAX_ITEMS")
    if limit:
        del feed.items[limit:]
