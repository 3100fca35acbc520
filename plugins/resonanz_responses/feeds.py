"""Atom feeds of comments and linkbacks, per article and site-wide, built with feedgen."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from feedgen.feed import FeedGenerator

from .model import Response


@dataclasses.dataclass(frozen=True)
class FeedItem:
    """A response with the article it belongs to."""

    response: Response
    article_title: str
    article_url: str


def _entry_title(item: FeedItem, lang: str) -> str:
    who = item.response.author or item.response.site or item.response.type
    if lang == "en":
        return f"{who} on “{item.article_title}”"
    return f"{who} zu „{item.article_title}“"


def comments_feed(
    *,
    title: str,
    feed_url: str,
    home_url: str,
    items: Iterable[FeedItem],
    updated: dt.datetime,
    lang: str = "de",
    max_items: int = 0,
) -> bytes:
    """The Atom document for the given responses, newest first (sanitised HTML content).

    updated is used when there are no items, so the bytes depend only on the content.
    """
    ordered = sorted(items, key=lambda i: (i.response.published, i.response.id), reverse=True)
    if max_items:
        ordered = ordered[:max_items]
    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(title)
    feed.link(href=home_url, rel="alternate", type="text/html")
    feed.link(href=feed_url, rel="self", type="application/atom+xml")
    feed.language(lang)
    feed.updated(ordered[0].response.published if ordered else updated)
    for item in ordered:
        response = item.response
        entry = feed.add_entry(order="append")
        link = f"{item.article_url}#{response.anchor}"
        entry.id(link)
        entry.title(_entry_title(item, lang))
        # One link only: feedgen 1.0.0 drops rel= on entry links, so a second link
        # (the source) would compete with this one as the entry's alternate link.
        entry.link(href=link)
        author = {"name": response.author or response.site or "?"}
        if response.author_url:
            author["uri"] = response.author_url
        entry.author(author)
        entry.published(response.published)
        entry.updated(response.published)
        body = response.html or (f"<p>{response.excerpt}</p>" if response.excerpt else "")
        if body:
            entry.content(body, type="html")
    return feed.atom_str(pretty=True, encoding="UTF-8")
