"""Values Pelican recomputes on every template access, computed once per build instead.

`Content.url` formats the URL pattern (dates, slugs, relative source path) each time it
is read; a listing page reads it for every teaser, so at 2000 posts this alone costs
seconds. Once every generator has finished its context, URLs no longer change, and the
core plugin freezes them right before the pages are written.

Tags, categories and authors are new objects in every post that names them, and each
slugifies its name again (Unicode normalisation, transliteration, the substitutions):
a pure function of its arguments, remembered here.

Pelican's generators ask their own content cache for every file even when caching is
done at the reader level (the default): each ask and each store hashes the file, twice
per file for a cache that holds nothing and is never saved. Such a generator gets an
empty stamp instead.
"""

from __future__ import annotations

from collections.abc import Iterable

import pelican.urlwrappers
from pelican.contents import Content
from pelican.generators import CachingGenerator
from pelican.utils import slugify

# attribute -> (Pelican's property, where the frozen value is kept)
_FROZEN = {
    "url": (Content.url, "_resonanz_url"),
    # formatted from the same pattern fields; Pelican and the podcast plugin read it again
    # when writing
    "save_as": (Content.save_as, "_resonanz_save_as"),
}


def _frozen_property(name: str) -> property:
    uncached, slot = _FROZEN[name]

    def get(self) -> str:
        frozen = self.__dict__.get(slot)
        if frozen is not None:
            return frozen
        return uncached.fget(self)

    return property(get, doc=f"Content.{name}, frozen for the write phase of a build")


_SLUGS: dict = {}
_SLUGS_MAX = 100_000


def remembered_slugify(value, regex_subs=(), preserve_case=False, use_unicode=False):
    """pelican.utils.slugify, remembered by its arguments."""
    try:
        key = (value.__class__, value, tuple(map(tuple, regex_subs)), preserve_case,
               use_unicode)
        return _SLUGS[key]
    except KeyError:
        pass
    except TypeError:  # an argument that is not hashable: not remembered
        return slugify(value, regex_subs=regex_subs, preserve_case=preserve_case,
                       use_unicode=use_unicode)
    if len(_SLUGS) >= _SLUGS_MAX:
        _SLUGS.clear()
    slug = _SLUGS[key] = slugify(value, regex_subs=regex_subs, preserve_case=preserve_case,
                                 use_unicode=use_unicode)
    return slug


_GENERATOR_STAMP = CachingGenerator._get_file_stamp


def _generator_stamp(self, filename):
    # neither stored (caching off at this level) nor compared (nothing loaded)
    if not getattr(self, "_cache_data_policy", True) and not getattr(self, "_cache", True):
        return b""
    return _GENERATOR_STAMP(self, filename)


def install() -> None:
    """Let Content.url and Content.save_as answer from the frozen values when there are,
    the names of tags, categories and authors be slugified once, and generators without
    a cache of their own not hash every file for it."""
    for name in _FROZEN:
        setattr(Content, name, _frozen_property(name))
    pelican.urlwrappers.slugify = remembered_slugify
    CachingGenerator._get_file_stamp = _generator_stamp


def freeze_urls(items: Iterable) -> int:
    """Freeze url and save_as of every content object."""
    count = 0
    for item in items:
        if isinstance(item, Content):
            for uncached, slot in _FROZEN.values():
                item.__dict__.pop(slot, None)
                setattr(item, slot, uncached.fget(item))
            count += 1
    return count
