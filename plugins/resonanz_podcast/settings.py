"""Default values of every PODCAST_* setting; pelicanconf.py overrides any of them."""

from __future__ import annotations

import logging
from typing import Any

from .audio import FORMATS

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    # Where episodes live, relative to PATH (content/). Each episode = files sharing a stem.
    "PODCAST_PATH": "episodes",
    # Show (channel) data. Empty title/language fall back to SITENAME/DEFAULT_LANG.
    "PODCAST_TITLE": "",
    "PODCAST_SUBTITLE": "",
    "PODCAST_DESCRIPTION": "",
    "PODCAST_AUTHOR": "",
    "PODCAST_OWNER_NAME": "",
    "PODCAST_OWNER_EMAIL": "",
    "PODCAST_LANGUAGE": "",
    "PODCAST_COPYRIGHT": "",
    # Show cover, relative to PATH; must be square JPEG/PNG, 1400-3000 px, RGB.
    "PODCAST_IMAGE": "images/podcast/cover.jpg",
    # Apple categories as (category, subcategory-or-empty) pairs, English names from Apple's list.
    "PODCAST_CATEGORIES": [("Business", "Marketing")],
    "PODCAST_EXPLICIT": False,
    "PODCAST_TYPE": "episodic",  # episodic | serial
    "PODCAST_BLOCK": False,
    "PODCAST_COMPLETE": False,
    "PODCAST_NEW_FEED_URL": "",
    # The show's podcast:guid. Set it once and keep it: episode GUIDs are derived from it.
    "PODCAST_GUID": "",
    "PODCAST_LOCKED": True,
    "PODCAST_LOCKED_OWNER": "",  # defaults to PODCAST_OWNER_EMAIL
    "PODCAST_FUNDING": [],  # [(url, text), ...]
    "PODCAST_LICENSE": "",  # e.g. "cc-by-4.0"
    "PODCAST_LICENSE_URL": "",
    "PODCAST_MEDIUM": "podcast",
    "PODCAST_PERSONS": [],  # hosts: [{"name":..., "role": "host", "href":..., "img":...}]
    # Pages.
    "PODCAST_EPISODE_URL": "episoden/{slug}/",
    "PODCAST_EPISODE_SAVE_AS": "episoden/{slug}/index.html",
    "PODCAST_INDEX_URL": "episoden/",
    "PODCAST_INDEX_SAVE_AS": "episoden/index.html",
    # Feeds: audio format -> output path. The first one is the main feed.
    "PODCAST_FEEDS": {
        "mp3": "feeds/podcast.xml",
        "m4a": "feeds/podcast-m4a.xml",
        "opus": "feeds/podcast-opus.xml",
    },
    # More episodes than this -> RFC 5005 paged feeds (feeds/podcast/page/2.xml ...); 0 = never.
    "PODCAST_FEED_PAGE_SIZE": 300,
    # Media: where audio/artwork/chapters/transcripts go in output, and an optional other host.
    "PODCAST_MEDIA_PATH": "podcast",
    "PODCAST_MEDIA_URL": "",  # e.g. "https://cdn.example.org/podcast"; empty = SITEURL/MEDIA_PATH
    "PODCAST_MEDIA_COPY": True,  # False when the media host is filled by other means
    "PODCAST_MEDIA_LINK": True,  # hard-link audio into output instead of copying when possible
    "PODCAST_ARTWORK_SIZES": [3000, 1400, 600, 300],
    "PODCAST_MAX_IMAGE_PIXELS": 50_000_000,
    # Cache for audio facts and artwork variants; relative = to the project root (PATH's parent).
    "PODCAST_CACHE_PATH": ".cache/podcast",
    # Listing episodes elsewhere.
    "PODCAST_ON_HOME": True,  # index template gets `episodes_on_home`
    "PODCAST_HOME_COUNT": 3,
    "PODCAST_IN_READER_FEEDS": False,  # add episodes to Pelican's all-posts feeds
    # The show in directories: [(label, url), ...], e.g. ("Apple Podcasts", "https://podcasts.apple.com/...")
    # (the Apple button then opens that page), ("Spotify", ...), ("Podcast Index", ...).
    "PODCAST_SUBSCRIBE_LINKS": [],
}


def podcast_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """DEFAULTS merged with the PODCAST_* settings of this run, checked once; bad values reset."""
    merged = {**DEFAULTS, **{k: v for k, v in settings.items() if k.startswith("PODCAST_")}}
    checks = {
        "PODCAST_TYPE": (lambda v: v in ("episodic", "serial"), "use 'episodic' or 'serial'"),
        "PODCAST_EXPLICIT": (lambda v: isinstance(v, bool), "use True or False"),
        "PODCAST_LOCKED": (lambda v: isinstance(v, bool), "use True or False"),
        "PODCAST_FEEDS": (
            lambda v: isinstance(v, dict) and v and all(k in FORMATS for k in v),
            f"a dict format -> path; formats: {', '.join(FORMATS)}",
        ),
        "PODCAST_FEED_PAGE_SIZE": (
            lambda v: isinstance(v, int) and v >= 0,
            "a whole number, 0 = no paging",
        ),
        "PODCAST_CATEGORIES": (
            lambda v: (
                isinstance(v, list | tuple)
                and all(isinstance(c, list | tuple) and len(c) == 2 for c in v)
            ),
            "a list of (category, subcategory) pairs, subcategory may be ''",
        ),
        "PODCAST_ARTWORK_SIZES": (
            lambda v: isinstance(v, list | tuple) and all(isinstance(w, int) for w in v),
            "a list of widths in px",
        ),
    }
    for key, (is_valid, fix) in checks.items():
        if not is_valid(merged[key]):
            logger.error("podcast: pelicanconf.py: %s = %r: %s", key, merged[key], fix)
            merged[key] = DEFAULTS[key]
    return merged
