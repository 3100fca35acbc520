"""Popular posts: counts from a data file, or else the number of approved comments."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import yaml

# libyaml's safe loader when PyYAML has it (much faster on big response archives)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PopularEntry:
    """One popular article, its count and where the count came from ("data" or "comments")."""

    article: object
    count: int
    source: str


def read_counts(path: Path, label: str) -> list[tuple[str, int]] | None:
    """(slug, count) pairs from a popular.yaml; None when the file does not exist.

    Bad entries are logged (one line each, naming file, field and value) and skipped.
    """
    if not path.is_file():
        return None
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        logger.warning(
            "related: %s: file = %r: expected a YAML list of {slug, count} (%s)",
            label,
            path.name,
            " ".join(str(exc).split()),
        )
        return []
    if data is None:
        return []
    if not isinstance(data, list):
        logger.warning(
            "related: %s: top level = %r: expected a YAML list of {slug, count}",
            label,
            type(data).__name__,
        )
        return []
    counts = []
    for number, entry in enumerate(data, 1):
        if not isinstance(entry, dict):
            logger.warning(
                "related: %s: entry %d = %r: expected a mapping with slug and count",
                label,
                number,
                entry,
            )
            continue
        slug, count = entry.get("slug"), entry.get("count")
        if not isinstance(slug, str) or not slug.strip():
            logger.warning(
                "related: %s: slug = %r: expected the slug of a post (entry %d)",
                label,
                slug,
                number,
            )
            continue
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            logger.warning(
                "related: %s: count = %r: expected a whole number >= 0 (entry %d, slug %r)",
                label,
                count,
                number,
                slug,
            )
            continue
        counts.append((slug.strip(), count))
    return counts


def count_comments(responses_dir: Path) -> dict[str, int]:
    """Approved comments per article slug in content/responses/<slug>.yaml.

    The responses plugin validates these files and reports problems; here a file or
    entry that cannot be read simply counts nothing.
    """
    counts: dict[str, int] = {}
    if not responses_dir.is_dir():
        return counts
    for path in sorted(responses_dir.glob("*.yaml")):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        if not isinstance(data, list):
            continue
        comments = sum(
            1
            for entry in data
            if isinstance(entry, dict)
            and entry.get("type") == "comment"
            and entry.get("status") == "approved"
        )
        if comments:
            counts[path.stem] = comments
    return counts


def rank(
    counts: list[tuple[str, int]] | dict[str, int],
    by_slug: dict,
    limit: int,
    source: str,
) -> list[PopularEntry]:
    """Known slugs by count (highest first), ties by newer date, then slug."""
    pairs = counts.items() if isinstance(counts, dict) else counts
    best: dict[str, int] = {}
    for slug, count in pairs:
        if slug in by_slug:
            best[slug] = max(count, best.get(slug, 0))
    ordered = sorted(best, key=lambda s: (-best[s], -by_slug[s].date.timestamp(), s))
    return [PopularEntry(by_slug[s], best[s], source) for s in ordered[:limit] if best[s] > 0]
