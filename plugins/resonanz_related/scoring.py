"""Related posts: score articles by shared tags (rarer tags weigh more) and category."""

from __future__ import annotations

import hashlib
import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence


def tag_rarity(articles: Iterable) -> dict[str, float]:
    """Weight per tag slug: 1 + ln(N / articles with the tag); a tag on every post weighs 1."""
    articles = list(articles)
    frequency = Counter(tag.slug for a in articles for tag in set(getattr(a, "tags", []) or []))
    total = max(len(articles), 1)
    return {slug: 1.0 + math.log(total / count) for slug, count in frequency.items()}


def _tag_slugs(article) -> list[str]:
    return sorted({tag.slug for tag in getattr(article, "tags", []) or []})


def _category_slug(article) -> str | None:
    category = getattr(article, "category", None)
    return category.slug if category is not None else None


def _series(article) -> str | None:
    return (getattr(article, "metadata", {}) or {}).get("series")


class RelatedIndex:
    """Candidates indexed by tag and category, so each article is scored only against the
    posts it shares something with (a pairwise loop is quadratic: minutes at 2000 posts).

    Slugs are computed once per article; Pelican recomputes them on every access.
    """

    def __init__(
        self,
        candidates: Sequence,
        rarity: dict[str, float],
        tag_weight: float = 2.0,
        category_weight: float = 1.0,
    ) -> None:
        self.candidates = list(candidates)
        self.rarity = rarity
        self.tag_weight = tag_weight
        self.category_weight = category_weight
        self.by_tag: dict[str, list[int]] = defaultdict(list)
        self.by_category: dict[str, list[int]] = defaultdict(list)
        self.facts = []
        for index, other in enumerate(self.candidates):
            for slug in _tag_slugs(other):
                self.by_tag[slug].append(index)
            category = _category_slug(other)
            if category is not None:
                self.by_category[category].append(index)
            self.facts.append((_series(other), -other.date.timestamp(), other.slug))
        # members of each category, newest first: the order of equal scores
        self.category_order = {
            slug: sorted(indices, key=lambda i: (self.facts[i][1], self.facts[i][2]))
            for slug, indices in self.by_category.items()
        }
        self.category_members = {slug: set(indices) for slug, indices in self.by_category.items()}
        self.position = {id(other): index for index, other in enumerate(self.candidates)}
        self._digest: str | None = None
        self.by_slug: dict[str, list[int]] = defaultdict(list)
        self.by_series: dict[str, list[int]] = defaultdict(list)
        for index, (series, _, slug) in enumerate(self.facts):
            self.by_slug[slug].append(index)
            if series:
                self.by_series[series].append(index)

    def resonanz_digest(self) -> str:
        """What the scores are made of, for the fast build's dependency record: a page
        showing related posts is rendered again when any of it changed."""
        if self._digest is None:
            facts = repr((
                [str(getattr(c, "source_path", "")) for c in self.candidates],
                sorted(self.rarity.items()), self.tag_weight, self.category_weight,
                sorted(self.by_tag.items()), sorted(self.by_category.items()), self.facts,
            ))
            self._digest = hashlib.blake2b(facts.encode(), digest_size=16).hexdigest()
        return self._digest

    def related(self, article, count: int, skip_same_series: bool = True) -> list:
        """The `count` best-scoring candidates, ties broken by newer date, then slug."""
        if count <= 0:
            return []
        totals: dict[int, float] = defaultdict(float)
        # Same order of additions as a sum over the sorted shared tags, then the category,
        # so the floats (and the order of equal scores) never depend on the index.
        for slug in _tag_slugs(article):
            weight = self.tag_weight * self.rarity.get(slug, 1.0)
            for index in self.by_tag.get(slug, ()):
                totals[index] += weight
        category = _category_slug(article)
        # When any shared tag outweighs the category, a post that shares only the
        # category ranks below every post sharing a tag, and those rank among each other
        # by date: they are needed only to fill up, taken in date order (the category
        # alone adds a few hundred candidates per article otherwise).
        fill = (self.tag_weight > self.category_weight and round(self.category_weight, 6) > 0
                and category is not None)
        if category is not None:
            if fill:
                for index in self.category_members.get(category, set()).intersection(totals):
                    totals[index] += self.category_weight
            else:
                for index in self.by_category.get(category, ()):
                    totals[index] += self.category_weight
        excluded = self._excluded(article, skip_same_series)
        for index in excluded:
            totals.pop(index, None)
        best = []
        if totals:
            # Only values that can reach the top `count` after rounding get a full sort
            # key: scoring every candidate costs more than the rest of the build's
            # related boxes together.
            floor = round(heapq.nlargest(count, totals.values())[-1], 6) - 1e-6
            scored = []
            for index, total in totals.items():
                if total < floor:
                    continue
                value = round(total, 6)  # float noise must not reorder equal scores
                if value > 0:
                    scored.append((-value, self.facts[index][1], self.facts[index][2], index))
            best = heapq.nsmallest(count, scored)
        if fill and len(best) < count:
            value = round(self.category_weight, 6)
            for index in self.category_order.get(category, ()):
                if len(best) >= count:
                    break
                if index not in totals and index not in excluded:
                    best.append((-value, self.facts[index][1], self.facts[index][2], index))
        return [self.candidates[entry[3]] for entry in best]

    def _excluded(self, article, skip_same_series: bool) -> set[int]:
        """Candidates never shown for `article`: itself, its translations, posts with its
        slug and (when asked) posts of its series."""
        excluded = set(self.by_slug.get(article.slug, ()))
        for other in [article, *(getattr(article, "translations", []) or [])]:
            if id(other) in self.position:
                excluded.add(self.position[id(other)])
        own_series = _series(article) if skip_same_series else None
        if own_series:
            excluded.update(self.by_series.get(own_series, ()))
        return excluded


def related_for(
    article,
    candidates: Sequence,
    rarity: dict[str, float],
    count: int,
    tag_weight: float = 2.0,
    category_weight: float = 1.0,
    skip_same_series: bool = True,
) -> list:
    """The `count` best-scoring candidates for one article (see RelatedIndex for many)."""
    index = RelatedIndex(candidates, rarity, tag_weight, category_weight)
    return index.related(article, count, skip_same_series)
