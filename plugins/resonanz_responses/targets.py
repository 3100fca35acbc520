"""The list of pages that accept responses, published with the site for the receiver.

The receiver accepts a comment, Webmention, Pingback or TrackBack only for a page on this
list, so it never has to guess from a URL whether a page is an article. Any content object
that carries `.responses` (posts today; episodes, case studies and pages once their
generators attach responses) is listed when its comments are open or it takes linkbacks.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
# generator attributes that hold content objects; a generator without one is skipped
CONTENT_ATTRIBUTES = ("articles", "translations", "pages", "hidden_pages", "episodes")


def content_objects(generators: Iterable[object]) -> list[tuple[str, object]]:
    """(kind, object) for every content object of every generator, each object once."""
    seen: set[int] = set()
    found: list[tuple[str, object]] = []
    for generator in generators:
        for attribute in CONTENT_ATTRIBUTES:
            for item in getattr(generator, attribute, None) or []:
                if id(item) in seen or not hasattr(item, "url"):
                    continue
                seen.add(id(item))
                kind = {"translations": "articles", "hidden_pages": "pages"}.get(
                    attribute, attribute
                )
                found.append((kind.removesuffix("s"), item))
    return found


def target_entry(kind: str, item: object, site_url: str, responses_path: str) -> dict | None:
    """The list entry of one page, or None when it takes neither comments nor linkbacks."""
    responses = getattr(item, "responses", None)
    if responses is None or getattr(responses, "state", "hidden") == "hidden":
        return None
    comments = responses.state == "open"
    pings = comments and str(getattr(item, "linkbacks", "on")).strip().lower() != "off"
    if not (comments or pings):
        return None
    # the file the build reads this page's responses from (a page may name its own)
    key = getattr(responses, "key", "") or item.slug
    file = f"{responses_path}/{key}.yaml"
    return {
        "path": "/" + item.url.lstrip("/"),
        "url": f"{site_url.rstrip('/')}/{item.url.lstrip('/')}",
        "kind": kind,
        "slug": item.slug,
        # what the TrackBack URL names: the slug, or pages/<slug>, episodes/<slug>
        "key": key,
        "responses": file,
        "comments": comments,
        "pings": pings,
    }


def targets_document(entries: list[dict], site_url: str, receiver_url: str = "") -> bytes:
    """The JSON text, sorted so that the same site gives the same bytes."""
    document = {
        "version": FORMAT_VERSION,
        "site_url": site_url.rstrip("/") + "/",
        # the receiver the pages post comments to: first party for `resonanz check`
        "receiver": receiver_url,
        "targets": sorted(entries, key=lambda e: e["url"]),
    }
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def collect(generators: Iterable[object], settings: dict, options: dict) -> list[dict]:
    site_url = settings.get("CANONICAL_SITEURL") or settings.get("SITEURL") or ""
    entries = []
    for kind, item in content_objects(generators):
        entry = target_entry(kind, item, site_url, options["RESPONSES_PATH"])
        if entry is not None:
            entries.append(entry)
    return entries


def write(output: Path, save_as: str, data: bytes) -> None:
    """Write below the output folder, unchanged files untouched (same bytes, same mtime)."""
    target = (output / save_as).resolve()
    if output.resolve() not in target.parents:
        logger.error(
            "responses: pelicanconf.py: RESPONSES_TARGETS_SAVE_AS = %r: must stay inside the "
            "output folder",
            save_as,
        )
        return
    if target.is_file() and target.read_bytes() == data:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    # in place by a rename: a receiver reading the output folder never sees half a list
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    partial.write_bytes(data)
    os.replace(partial, target)
