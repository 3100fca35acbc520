"""One post's text changed: re-read that file and render only what shows its text.

The dev server (resonanz/devserver.py) keeps the generators of its last build in memory
(`capture`) and asks `update_text` first for every changed post. The fast path applies
when nothing but the body changed: every field a listing, feed entry, related or series
box, sitemap or another plugin reads (title, date, summary, tags, category, authors,
series, status, URL, the first image, every attribute the readers set) is the same as
before. Then the post's object is updated in place (so every list, prev/next link and
related box that holds it sees the new text), its page is rendered again and so is
every feed that carries it. Anything else returns None: the caller runs a full build
in memory. tests/test_devserver_incremental.py compares the result with cold builds.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from pathlib import Path

from pelican import signals
from pelican.contents import Article, Content
from pelican.generators import ArticlesGenerator
from pelican.urlwrappers import URLWrapper
from pelican.writers import Writer

from . import compat, hooks

logger = logging.getLogger(__name__)

# fields that are the text itself or shared by every object
_TEXT_FIELDS = {"_content", "_context", "settings"}
# set by the generator after reading (the reader leaves them empty): compared through
# the fields they are made of (lang, translation, slug)
_SET_LATER = {"translations"}
_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)


class LoggedMessages(logging.Handler):
    """The messages logged at `level` or above while it is in use (`with`): what makes
    a one-post path give way to a full build (warnings), or the dev server's overlay
    (errors)."""

    def __init__(self, level: int = logging.WARNING) -> None:
        super().__init__(level=level)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self) -> LoggedMessages:
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        logging.getLogger().removeHandler(self)


class LastBuild:
    """The generators of the last build made with `settings` (another Pelican in the
    same process, a test's cold build, leaves them alone)."""

    def __init__(self, settings: dict) -> None:
        self.settings = settings
        self.generators: list = []
        signals.all_generators_finalized.connect(self._keep, weak=False)

    def _keep(self, generators) -> None:
        if generators and generators[0].settings is self.settings:
            self.generators = list(generators)

    def articles_generator(self) -> ArticlesGenerator | None:
        for generator in self.generators:
            if isinstance(generator, ArticlesGenerator):
                return generator
        return None


def capture(settings: dict) -> LastBuild:
    """Start keeping the generators of every following build with these settings."""
    return LastBuild(settings)


def _plain(value):
    """A value to compare: content objects by source, taxonomy by name and slug."""
    if isinstance(value, Content):
        return ("content", value.source_path)
    if isinstance(value, URLWrapper):
        return (type(value).__name__, value.name, value.slug)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if value is None or isinstance(value, (str, int, float, bool, dt.datetime, dt.date,
                                           dt.tzinfo)):
        return value
    return ("object", type(value).__name__, repr(value))


def outside_fields(article) -> dict:
    """What other outputs may show of a post: every attribute but the text, plus the
    summary (made from the text when the post has none) and the images in the text
    (the first one becomes the teaser)."""
    fields = {key: _plain(value) for key, value in vars(article).items()
              if key not in _TEXT_FIELDS | _SET_LATER}
    fields["summary"] = article.summary
    fields["images"] = _IMAGE.findall(compat.raw_content(article) or "")
    return fields


def _find(generator: ArticlesGenerator, source: str):
    for name in ("articles", "translations", "hidden_articles", "hidden_translations"):
        for article in getattr(generator, name):
            if article.source_path == source:
                return article
    return None


class _OnlyFeedsWith(Writer):
    """Pelican's writer, writing only the feeds whose items include one of `articles`."""

    def __init__(self, output_path, settings, articles: list) -> None:
        super().__init__(output_path, settings=settings)
        self.articles = {id(article) for article in articles}
        self.written: list[str] = []

    def write_feed(self, elements, context, path=None, *args, **kwargs):
        limit = self.settings.get("FEED_MAX_ITEMS") or len(elements)
        if path is None or not any(id(item) in self.articles for item in elements[:limit]):
            return None
        self.written.append(path)
        return super().write_feed(elements, context, path, *args, **kwargs)


def update_text(last: LastBuild, source: Path) -> list[str] | None:
    """Re-read one post and write its page and feeds when only its text changed.

    Returns the output paths written (relative to OUTPUT_PATH), or None when a full
    build is needed (another field changed, a new or unknown file, a read error).
    """
    generator = last.articles_generator()
    if generator is None:
        return None
    found = read_text_change(generator, source)
    if found is None:
        return None
    take_text(*found)
    return write_pages(generator, [found[0]])


def read_text_change(generator: ArticlesGenerator, source: Path) -> tuple | None:
    """(the post's object of the last build, the post as read now) when only its text
    changed; None otherwise (another field, a new or unknown file, a read error)."""
    old = _find(generator, str(source))
    if old is None:
        return None
    relative = os.path.relpath(source, generator.path)
    try:
        new = generator.readers.read_file(
            base_path=generator.path, path=relative, content_class=Article,
            context=generator.context,
            preread_signal=signals.article_generator_preread, preread_sender=generator,
            context_signal=signals.article_generator_context, context_sender=generator)
    except Exception:  # noqa: BLE001 - the full build reports it the usual way
        logger.debug("incremental: %s not read", source, exc_info=True)
        return None
    if not isinstance(new, Article) or not new.is_valid():
        return None
    # old also carries what plugins attached after reading; new has the readers' fields
    before, after = outside_fields(old), outside_fields(new)
    if any(key not in before or before[key] != value for key, value in after.items()):
        return None
    # a {static} or {attach} link added or dropped: files are copied, moved or left over
    if compat.static_links(old) != compat.static_links(new):
        return None
    # what other pages derive from the text (a brand page lists the posts naming it)
    if _facts(old, generator) != _facts(new, generator):
        return None
    hooks.post_reread.send(new, generator=generator)
    return old, new


def _facts(article, generator) -> list:
    answers = hooks.text_facts.send(article, generator=generator)
    return sorted((f"{r.__module__}.{r.__qualname__}", repr(v)) for r, v in answers)


def take_text(old: Article, new: Article) -> None:
    """The new text in the old object (every list, link and box holding it sees it)."""
    vars(old).update({key: value for key, value in vars(new).items() if key in
                      _TEXT_FIELDS})
    compat.forget_rendered(old)


def write_pages(generator: ArticlesGenerator, articles: list) -> list[str]:
    """Write the pages of these posts and every feed that carries one of them; the
    output paths written (relative to OUTPUT_PATH)."""
    writer = _OnlyFeedsWith(generator.output_path, generator.settings, articles)
    written = []
    for article in articles:
        signals.article_generator_write_article.send(generator, content=article)
        # Pelican.run hands the generators write_file with relative_urls bound like this
        writer.write_file(
            article.save_as, generator.get_template(article.template), generator.context,
            relative_urls=generator.settings["RELATIVE_URLS"], article=article,
            category=getattr(article, "category", None),
            override_output=hasattr(article, "override_save_as"), url=article.url,
            blog=True)
        written.append(article.save_as)
    generator.generate_feeds(writer)
    return [*written, *writer.written]
