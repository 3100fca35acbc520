"""Subscribe buttons: each podcast app's own subscribe link, built from the feed URL.

The links are plain hrefs: nothing is loaded from an app or a directory before a click.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class SubscribeLink:
    """One button in the subscribe box: `kind` is "app" or "directory"."""

    label: str
    url: str
    kind: str


def _encoded(feed_url: str) -> str:
    return quote(feed_url, safe="")


def _bare(feed_url: str) -> str:
    # Apple, Pocket Casts, Podcast Addict and gPodder take the feed without its scheme.
    return feed_url.split("://", 1)[-1]


# App name -> subscribe link for a feed URL, in the order listeners see them.
APP_LINKS = {
    "Apple Podcasts": lambda feed: f"podcast://{_bare(feed)}",
    "AntennaPod": lambda feed: f"https://antennapod.org/deeplink/subscribe?url={_encoded(feed)}",
    "Pocket Casts": lambda feed: f"pktc://subscribe/{_bare(feed)}",
    "Overcast": lambda feed: f"overcast://x-callback-url/add?url={_encoded(feed)}",
    "Podcast Addict": lambda feed: f"podcastaddict://{_bare(feed)}",
    "gPodder": lambda feed: f"gpodder://{_bare(feed)}",
}


def subscribe_links(
    feed_url: str, directories: Iterable[tuple[str, str]] = ()
) -> list[SubscribeLink]:
    """App buttons for `feed_url`, then the show's directory pages (label, URL) from settings.

    When the show is listed in Apple Podcasts (a directory entry labelled so), the Apple
    button opens that page: it works on every device, the podcast:// scheme only on Apple's.
    """
    directories = [(str(label), str(url)) for label, url in directories]
    listed = {label.casefold(): url for label, url in directories}
    links = [
        SubscribeLink(app, listed.get(app.casefold()) or make(feed_url), "app")
        for app, make in APP_LINKS.items()
    ]
    links += [
        SubscribeLink(label, url, "directory")
        for label, url in directories
        if label.casefold() not in {app.casefold() for app in APP_LINKS}
    ]
    return links
