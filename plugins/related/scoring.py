"""Related posts: score articles by shared tags (rarer tags weigh more) and category."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence


def tag_rarity(articles: Iterable) -> dict[str, float]:
    """Weight per tag slug: 1 + ln(N / articles with the tag); a tag on every post weighs 1."""
    articles = list(articles)
    frequency = Counter(tag.slug for a in articles for tag in set(getattr(a, "tags", []) or []))
    total = max(len(articles), 1)
    return {slug: 1.0 + math.log(total / count) for slug, count in frequency.items()}


def score(
    article,
    other,
    rarity: dict[str, float],
    tag_weight: float,
    category_weight: float,
) -> float:
    """How related `other` is to `article`; 0 when they share neither tag nor category."""
    own = {tag.slug for tag in getattr(article, "tags", []) or []}
    theirs = {tag.slug for tag in getattr(other, "tags", []) or []}
    total = sum(tag_weight * rarity.get(slug, 1.0) for slug in sorted(own & theirs))
    category = getattr(article, "category", None)
    if category is not None and category == getattr(other, "category", None):
        total += category_weight
    # Rounded so that float noise cannot reorder equal scores between runs or machines.
    return round(total, 6)


def _series(article) -> str | None:
    return (getattr(article, "metadata", {}) or {}).get("series")


def related_for(
    article,
    candidates: Sequence,
    rarity: dict[str, float],
    count: int,
    tag_weight: float = 2.0,
    category_weight: float = 1.0,
    skip_same_series: bool = True,
) -> list:
    """The `count` best-scoring candidates, ties broken by newer date, then slug."""
    if count <= 0:
        return []
    own_series = _series(article) if skip_same_series else None
    excluded = {id(article)} | {id(t) for t in getattr(article, "translations", []) or []}
    scored = []
    for other in candidates:
        if id(other) in excluded or other.slug == article.slug:
            continue
        if own_series and _series(other) == own_series:
            continue
        value = score(article, other, rarity, tag_weight, category_weight)
        if value > 0:
            scored.append((-value, -other.date.timestamp(), other.slug, other))
    scored.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in scored[:count]]
