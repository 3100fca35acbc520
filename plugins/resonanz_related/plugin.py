"""Pelican glue of related: attaches related posts to articles and popular posts to the context."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

from pelican import signals
from resonanz_core import i18n
from resonanz_fastbuild import hooks

from .popular import count_comments, rank, read_counts
from .scoring import RelatedIndex, tag_rarity
from .settings import DEFAULTS

logger = logging.getLogger(__name__)

# context key: the comments counted while the posts were read (hooks.read_ahead)
COUNTS_AHEAD = "RELATED_COMMENT_COUNTS_AHEAD"

i18n.add_translations(
    {
        "Ähnliche Beiträge": "Related posts",
        "Beliebte Beiträge": "Popular posts",
        "Aufrufe": "views",
        "Aufruf": "view",
        "Teil {index} von {total}": "Part {index} of {total}",
        "Alle Teile der Serie": "All parts of the series",
        "Du liest gerade": "You are reading",
        "Vorheriger Teil": "Previous part",
        "Nächster Teil": "Next part",
    }
)


def options(settings: dict) -> dict:
    """The plugin's settings: defaults overridden by RELATED_* keys."""
    opts = {**DEFAULTS, **{k: v for k, v in settings.items() if k.startswith("RELATED_")}}
    for key in ("RELATED_COUNT", "RELATED_POPULAR_COUNT"):
        if isinstance(opts[key], bool) or not isinstance(opts[key], int) or opts[key] < 0:
            logger.error("related: setting %s = %r: expected a whole number >= 0", key, opts[key])
            opts[key] = DEFAULTS[key]
    for key in ("RELATED_TAG_WEIGHT", "RELATED_CATEGORY_WEIGHT"):
        if isinstance(opts[key], bool) or not isinstance(opts[key], (int, float)):
            logger.error("related: setting %s = %r: expected a number", key, opts[key])
            opts[key] = DEFAULTS[key]
    return opts


def attach_related(generator, opts: dict) -> None:
    # Published originals are the candidates; translations, drafts and hidden articles
    # get their box from the same pool so a preview shows what readers will see.
    candidates = sorted(generator.articles, key=lambda a: (-a.date.timestamp(), a.slug))
    rarity = tag_rarity(candidates)
    default_lang = generator.settings.get("DEFAULT_LANG")
    everything = list(generator.articles) + list(generator.translations)
    for name in ("drafts", "drafts_translations", "hidden_articles", "hidden_translations"):
        everything += list(getattr(generator, name, []))
    index = RelatedIndex(
        candidates, rarity, opts["RELATED_TAG_WEIGHT"], opts["RELATED_CATEGORY_WEIGHT"]
    )
    for article in everything:
        if article.lang != default_lang:
            article.related_posts = []
            continue
        article.related_posts = LazyRelated(
            index, article, opts["RELATED_COUNT"], opts["RELATED_SKIP_SAME_SERIES"]
        )


class LazyRelated(Sequence):
    """An article's related posts, scored when a template first asks: that is while its
    page is rendered, by whichever build process renders it (the index is built once,
    before the pages are shared out)."""

    def __init__(self, index: RelatedIndex, article, count: int, skip_same_series: bool):
        self._args: tuple | None = (index, article, count, skip_same_series)
        self._made_of = self._args
        self._items: list = []

    def _list(self) -> list:
        if self._args is not None:
            index, article, count, skip = self._args
            self._items = index.related(article, count, skip_same_series=skip)
            self._args = None
        return self._items

    def __getitem__(self, position):
        return self._list()[position]

    def __len__(self) -> int:
        return len(self._list())

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    def __repr__(self) -> str:
        return f"LazyRelated({self._list()!r})"

    def resonanz_digest(self) -> str:
        """For the fast build's dependency record, without scoring: what the list will be
        made of (the index's digest, this article, the options)."""
        index, article, count, skip = self._made_of
        return f"{index.resonanz_digest()}:{article.source_path}:{count}:{skip}"


def popular_articles(generator, opts: dict) -> list:
    """Popular posts from the data file, or the most-commented ones when it has none."""
    content_root = Path(generator.settings["PATH"])
    counted = generator.context.pop(COUNTS_AHEAD, None)  # while the posts were read
    by_slug = {a.slug: a for a in generator.articles}
    label = opts["RELATED_POPULAR_FILE"]
    data_file = content_root / label
    # a file linked from outside content/ is never read (resonanz_core reports it)
    inside = Path(os.path.realpath(data_file)).is_relative_to(content_root.resolve())
    counts = read_counts(data_file, label) if label and inside else None
    if counts:
        for slug, _count in counts:
            if slug not in by_slug:
                logger.warning(
                    "related: %s: slug = %r: expected the slug of a published post or case study",
                    label,
                    slug,
                )
        entries = rank(counts, by_slug, opts["RELATED_POPULAR_COUNT"], "data")
        if entries:
            return entries
    comments = counted
    if comments is None:  # not counted while the posts were read
        comments = count_comments(content_root / opts["RELATED_RESPONSES_PATH"])
    return rank(comments, by_slug, opts["RELATED_POPULAR_COUNT"], "comments")


def counts_ahead(generator) -> dict[str, int]:
    """resonanz_fastbuild's read_ahead: the comments are counted while the posts are read
    (200 files of responses: 40 ms the build process spent alone before rendering)."""
    opts = options(generator.settings)
    return count_comments(Path(generator.settings["PATH"]) / opts["RELATED_RESPONSES_PATH"])


def _take_counts(generator, counts: dict[str, int]) -> None:
    generator.context[COUNTS_AHEAD] = counts


def on_articles_finalized(generator) -> None:
    opts = options(generator.settings)
    attach_related(generator, opts)
    generator.context["popular_articles"] = popular_articles(generator, opts)


def register() -> None:
    signals.article_generator_finalized.connect(on_articles_finalized)
    hooks.read_ahead(counts_ahead, _take_counts)
