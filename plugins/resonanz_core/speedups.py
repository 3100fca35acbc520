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


def _url(self) -> str:
    frozen = self.__dict__.get("_resonanz_url")
    if frozen is not None:
        return frozen
    return _UNCACHED_URL.fget(self)


_CACHED_URL = property(_url, doc="Content.url, frozen for the write phase of a build")


def install() -> None:
    """Let Content.url answer from the frozen value when there is one."""
    Content.url = _CACHED_URL


def freeze_urls(items: Iterable) -> int:
    count = 0
    for item in items:
        if isinstance(item, Content):
            item.__dict__.pop("_resonanz_url", None)
            item._resonanz_url = _UNCACHED_URL.fget(item)
            count += 1
    return count
