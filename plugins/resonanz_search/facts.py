"""What the last index knew of every page, so that a build reads only the pages it wrote.

Finding the pages to index takes each HTML page's sha256 (page_facts). The pages a
build writes are read as they are written; the others (replayed by the dependency
record, or not written at all by a build that wrote edited posts alone) are what the
last index saw when their size and modification time are the same, and their facts are
taken from here instead of reading thousands of files again (a quarter of a second at
2,000 posts). Kept beside the index record, per output folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

NAME = "search-pages.json"


def _file(record: Path) -> Path:
    return record.with_name(NAME)


def _stored(record: Path) -> dict:
    try:
        stored = json.loads(_file(record).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stored if isinstance(stored, dict) else {}


def load(record: Path, site: Path) -> dict[str, tuple]:
    """page_facts() by absolute path, as the last index of `site` saw the pages."""
    pages = _stored(record).get(str(site.resolve()))
    if not isinstance(pages, dict):
        return {}
    root = os.path.abspath(site)
    return {os.path.join(root, *relative.split("/")): tuple(facts)
            for relative, facts in pages.items()
            if isinstance(facts, list) and len(facts) == 3}


def save(record: Path, site: Path, pages: dict[str, tuple]) -> None:
    """Keep page_facts() by "/"-separated relative path for the next build."""
    stored = _stored(record)
    stored[str(site.resolve())] = {relative: list(facts) for relative, facts in pages.items()}
    target = _file(record)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{NAME}.{os.getpid()}.part")
    partial.write_text(json.dumps(stored), encoding="utf-8")
    os.replace(partial, target)


def unchanged(known: dict[str, tuple], path: str) -> tuple | None:
    """The recorded facts of a page whose size and modification time are the same."""
    facts = known.get(path)
    if facts is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return facts if (stat.st_size, stat.st_mtime_ns) == tuple(facts[:2]) else None
