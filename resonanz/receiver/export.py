"""Append approved mentions to content/responses/<slug>.yaml without touching existing entries."""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

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
    """One entry in the shared responses format; empty optional fields are left out."""
    entry = {
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
    }
    return {key: value for key, value in entry.items() if value}


def existing_ids(path: Path) -> tuple[str, set[str]]:
    """The file's text and the ids in it; ExportError if it is not a list of mappings."""
    if not path.exists():
        return "", set()
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ExportError(f"{path}: not valid YAML ({exc}); fix it by hand first") from None
    if data is None:
        return text, set()
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ExportError(f"{path}: expected a YAML list of responses, found {type(data).__name__}")
    return text, {str(item.get("id")) for item in data if item.get("id") is not None}


def append_entries(path: Path, entries: list[dict[str, str]]) -> list[str]:
    """Append entries whose id is new; existing text stays byte for byte. Returns new ids."""
    text, ids = existing_ids(path)
    new = [entry for entry in entries if entry["id"] not in ids]
    if not new:
        return []
    addition = yaml.safe_dump(
        new, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False
    )
    stripped = "\n".join(
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ).strip()
    if stripped == "[]":
        # an empty flow list cannot be continued with block items; it holds no entries
        combined = "".join(line + "\n" for line in text.splitlines() if line.strip() != "[]")
        combined += addition
    else:
        combined = text + ("" if not text or text.endswith("\n") else "\n") + addition
    check = yaml.safe_load(combined)
    if not isinstance(check, list) or [e.get("id") for e in check[-len(new) :]] != [
        e["id"] for e in new
    ]:
        raise ExportError(f"{path}: appending would not give a valid list; fix the file by hand")
    # write to a temporary file and rename, so a crash never leaves half a file
    _write_atomically(path, combined)
    return [entry["id"] for entry in new]


def remove_entries(path: Path, ids: set[str]) -> list[str]:
    """Take the entries with these ids out of a responses file; every other line stays as
    it is (the file is cut at its top-level `- ` items, not dumped again)."""
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"^- ", text, re.MULTILINE)]
    if not starts:
        return []
    pieces = [text[: starts[0]]] + [
        text[start:end] for start, end in zip(starts, starts[1:] + [len(text)], strict=True)
    ]
    kept, removed = [pieces[0]], []
    for piece in pieces[1:]:
        try:
            item = yaml.safe_load(piece)
        except yaml.YAMLError:
            item = None
        if isinstance(item, list) and item and isinstance(item[0], dict):
            if str(item[0].get("id")) in ids:
                removed.append(str(item[0].get("id")))
                continue
        kept.append(piece)
    if not removed:
        return []
    combined = "".join(kept)
    check = yaml.safe_load(combined) if combined.strip() else []
    if check is not None and not isinstance(check, list):
        raise ExportError(f"{path}: removing entries would not leave a list; edit it by hand")
    _write_atomically(path, combined if check else "[]\n")
    return removed


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
