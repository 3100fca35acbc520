"""schema.org data (JSON-LD) for the episode index (PodcastSeries) and episode pages."""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from .context import PodcastBuild
from .episode import Artwork, Episode, iso_duration


def _jsonld(data: dict[str, Any]) -> str:
    # `<` escaped so no value can close the script element.
    return Markup(json.dumps(data, ensure_ascii=False, indent=1).replace("<", "\\u003c"))


def _series(build: PodcastBuild) -> dict[str, Any]:
    return {
        "@type": "PodcastSeries",
        "name": build.show_title,
        "url": build.url(build.podcast["PODCAST_INDEX_URL"]),
    }


def series_jsonld(build: PodcastBuild, feed_url: str, artwork: Artwork | None) -> str:
    data: dict[str, Any] = {"@context": "https://schema.org", **_series(build)}
    if build.podcast["PODCAST_DESCRIPTION"]:
        data["description"] = build.podcast["PODCAST_DESCRIPTION"]
    if feed_url:
        data["webFeed"] = feed_url
    if artwork:
        data["image"] = build.url(artwork.largest)
    if build.podcast["PODCAST_AUTHOR"]:
        data["author"] = {"@type": "Person", "name": build.podcast["PODCAST_AUTHOR"]}
    return _jsonld(data)


def episode_jsonld(build: PodcastBuild, episode: Episode) -> str:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "PodcastEpisode",
        "name": episode.title,
        "url": build.url(episode.url),
        "datePublished": episode.date.isoformat(),
        "timeRequired": iso_duration(episode.duration),
        "identifier": episode.guid,
        "associatedMedia": [
            {
                "@type": "AudioObject",
                "contentUrl": m.url,
                "encodingFormat": m.facts.mime_type,
                "contentSize": str(m.facts.size),
                "duration": iso_duration(m.facts.duration),
            }
            for m in episode.media
        ],
        "partOfSeries": _series(build),
    }
    if episode.number is not None:
        data["episodeNumber"] = episode.number
    if episode.artwork:
        data["image"] = build.url(episode.artwork.largest)
    if episode.guests:
        data["actor"] = [
            {"@type": "Person", "name": g.name, **({"url": g.href} if g.href else {})}
            for g in episode.guests
        ]
    return _jsonld(data)
