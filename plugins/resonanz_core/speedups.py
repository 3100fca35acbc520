"""Values Pelican recomputes on every template access, computed once per build instead.

`Content.url` formats the URL pattern (dates, slugs, relative source path) each time it
is read; a listing page reads it for every teaser, so at 2000 posts this alone costs
seconds. Once every generator has finished its context, URLs no longer change, and the
core plugin freezes them right before the pages are written.
"""

from __future__ import annotations

from collections.abc import Iterable

from pelican.contents import Content

_UNCACHED_URL = Content.url
_UNCACHED_SAVE_AS = Content.save_as


def _url(self) -> str:
    frozen = self.__dict__.get("_resonanz_url")
    if frozen is not None:
        return frozen
    return _UNCACHED_URL.fget(self)


def _save_as(self) -> str:
    frozen = self.__dict__.get("_resonanz_save_as")
    if frozen is not None:
        return frozen
    return _UNCACHED_SAVE_AS.fget(self)


_CACHED_URL = property(_url, doc="Content.url, frozen for the write phase of a build")
_CACHED_SAVE_AS = property(_save_as, doc="Content.save_as, frozen like Content.url")


def install() -> None:
    """Let Content.url and Content.save_as answer from the frozen values when there are."""
    Content.url = _CACHED_URL
    Content.save_as = _CACHED_SAVE_AS


def freeze_urls(items: Iterable) -> int:
    """Freeze url and save_as of every content object (save_as is formatted from the
    same pattern fields; Pelican and the podcast plugin read it again when writing)."""
    count = 0
    for item in items:
        if isinstance(item, Content):
            item.__dict__.pop("_resonanz_url", None)
            item.__dict__.pop("_resonanz_save_as", None)
            item._resonanz_url = _UNCACHED_URL.fget(item)
            item._resonanz_save_as = _UNCACHED_SAVE_AS.fget(item)
            count += 1
    return count
