"""Values Pelican recomputes on every template access, computed once per build instead.

`Content.url` formats the URL pattern (dates, slugs, relative source path) each time it
is read; a listing page reads it for every teaser, so at 2000 posts this alone costs
seconds. Once every generator has finished its context, URLs no longer change, and the
fast build freezes them right before the pages are written (compat.freeze_urls).

Tags, categories and authors are new objects in every post that names them, and each
slugifies its name again (Unicode normalisation, transliteration, the substitutions):
a pure function of its arguments, remembered here.

Pelican formats dates with a strftime of its own (zero stripping, locale), in Python,
once per date in every URL pattern, date line and archive: some 40,000 calls at 2,000
posts. Its result depends on the date (wall time, time zone), the format and the locale
of the moment (a language's DATE_FORMATS may set another), and is remembered by these.

Pelican's tag, category and author pages pick their posts out of all posts with
`post in posts` over a list: quadratic, a tenth of a second at 2,000 posts. While those
steps run, the lists answer it from a set (compat.quick_listings).

The path of a post relative to the content folder goes into every URL pattern; it is
computed once per path (compat.remember_relative_source_paths).

Pelican's generators ask their own content cache for every file even when caching is
done at the reader level (the default): such a generator gets an empty stamp instead
(compat.skip_unused_generator_stamps). A content cache nothing was stored into since it was
loaded is not written again (compat.skip_unchanged_cache_saves).

Pelican's generators walk their content folders several times while they read: the
articles generator once for its posts and once more for files of readers that are
switched off (with none switched off, that walk cannot find anything), the prefetch once
more, every other generator the same. While a generator reads its files, its file list
is walked once per set of arguments (remember_files), and a walk for no extension at all
is not made.
"""

from __future__ import annotations

import locale

from pelican.utils import slugify

from . import compat

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


_DATES: dict = {}
_DATES_MAX = 200_000


def remembered_strftime(date, date_format):
    """pelican.utils.strftime, remembered by the date's wall time, zone (and its name)
    and kind, the format and the time locale."""
    try:
        # (fixed-offset zones compare by offset alone: their name is asked for %Z)
        key = (date_format, date.__class__, date, date.tzinfo, date.tzname(), date.day,
               date.hour, date.minute, getattr(date, "fold", 0),
               locale.setlocale(locale.LC_TIME))
        return _DATES[key]
    except KeyError:
        pass
    except (TypeError, AttributeError, locale.Error):  # not a date as Pelican's are
        return compat.plain_strftime(date, date_format)
    if len(_DATES) >= _DATES_MAX:
        _DATES.clear()
    text = _DATES[key] = compat.plain_strftime(date, date_format)
    return text


def _key(value):
    if value is None or value is False:
        return value
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def remember_files(generator) -> None:
    """Answer the generator's get_files() from the first walk with the same arguments,
    until forget_files(); get_files() for an empty set of extensions (Pelican's check
    for switched-off readers when none is switched off) finds nothing, so it walks
    nothing."""
    walk = generator.get_files
    known: dict = {}

    def get_files(paths, exclude=None, extensions=None):
        if extensions is not None and extensions is not False:
            extensions = tuple(extensions)  # asked of once more per file (an iterator too)
            if not extensions:
                return set()
        try:
            key = (_key(paths), _key(exclude or ()), _key(extensions))
            found = known.get(key)
        except TypeError:  # an argument that cannot be a key: walked as asked
            return walk(paths, exclude=exclude, extensions=extensions)
        if found is None:
            found = known[key] = frozenset(walk(paths, exclude=exclude, extensions=extensions))
        return set(found)

    get_files.resonanz_walk = walk
    generator.get_files = get_files


def forget_files(generator) -> None:
    """The generator's get_files() walks again (its reading is over)."""
    walk = getattr(generator.get_files, "resonanz_walk", None)
    if walk is not None:
        generator.get_files = walk


def install() -> None:
    """Let Content.url and Content.save_as answer from the frozen values when there are,
    the names of tags, categories and authors be slugified once, dates be formatted
    once, the tag, category and author pages find their posts in a set, generators
    without a cache of their own not hash every file for it, and a post's path relative
    to the content folder be computed once."""
    compat.install_frozen_urls()
    compat.use_slugify(remembered_slugify)
    compat.use_strftime(remembered_strftime)
    compat.quick_listings()
    compat.skip_unused_generator_stamps()
    compat.remember_relative_source_paths()
    compat.skip_unchanged_cache_saves()
