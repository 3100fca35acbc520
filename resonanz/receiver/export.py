"""Append approved mentions to content/responses/<slug>.yaml without touching existing entries."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from resonanz import responses_format
from resonanz.responses_format import entry_record

from .store import Mention, Store
from .targets import TargetError, article_slug

logger = logging.getLogger(__name__)


class ExportError(ValueError):
    """A responses file the export must not append to; names the file and the problem."""


@dataclass
class ExportReport:
    written: dict[str, list[str]] = field(default_factory=dict)  # file -> new ids
    skipped: list[str] = field(default_factory=list)  # messages


def response_entry(mention: Mention) -> dict[str, str]:
    """One entry in the responses format (resonanz.responses_format)."""
    return entry_record({
        "id": mention.response_id,
        "type": mention.type if mention.type in ("like", "repost") else mention.kind,
        "status": "approved",
        "author": mention.author,
        "author_url": mention.author_url,
        # a form comment has no source page: its urn: stays in the database
        "url": "" if mention.kind == "comment" else mention.source,
        "title": mention.title,
        "content": mention.content,
        # the source's own date if it gave one, else when we received the mention
        "published": mention.published or mention.received,
        "in_reply_to": mention.in_reply_to,
    })


def _dump(entries: list[dict]) -> str:
    return yaml.safe_dump(
        entries, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False
    )


def append_entries(path: Path, entries: list[dict[str, str]]) -> list[str]:
    """Append entries whose id is new; existing text stays byte for byte. Returns new ids."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    try:
        old = responses_format.existing_entries(text)
        ids = responses_format.known_ids(old)
        new = [entry for entry in entries if entry["id"] not in ids]
        if not new:
            return []
        combined = responses_format.append_text(text, old, new, _dump)
    except responses_format.FormatError as exc:
        raise ExportError(f"{path}: {exc}; fix the file by hand first") from None
    responses_format.write_atomically(path, combined)
    return [entry["id"] for entry in new]


def remove_entries(path: Path, ids: set[str]) -> list[str]:
    """Take the entries with these ids out of a responses file; every other line stays."""
    if not path.exists():
        return []
    try:
        text, removed = responses_format.remove_entries_text(
            path.read_text(encoding="utf-8"), ids)
    except responses_format.FormatError as exc:
        raise ExportError(f"{path}: {exc}; edit it by hand") from None
    if removed:
        responses_format.write_atomically(path, text)
    return removed


def export_approved(
    store: Store, content: Path, site_url: str, everything: bool = False
) -> ExportReport:
    """Write approved mentions not exported before (all approved with `everything`)."""
    report = ExportReport()
    by_slug: dict[str, list[Mention]] = defaultdict(list)
    for mention in store.list("approved"):
        if mention.exported and not everything:
            continue
        try:
            slug = article_slug(mention.target, site_url)
        except TargetError as exc:
            report.skipped.append(f"mention {mention.id}: {exc}")
            continue
        by_slug[slug].append(mention)
    for slug, mentions in sorted(by_slug.items()):
        path = content / "responses" / f"{slug}.yaml"
        try:
            new_ids = append_entries(path, [response_entry(m) for m in mentions])
        except ExportError as exc:
            report.skipped.append(str(exc))
            continue
        store.mark_exported([m.id for m in mentions])
        if new_ids:
            report.written[str(path)] = new_ids
    return report
