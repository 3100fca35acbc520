"""Checks of metadata and internal links; each problem is one log line naming file and field."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote

from resonanz_fastbuild.compat import raw_content

from .paths import PathOutsideContent, resolve_inside
from .settings import ENUMS, KNOWN_METADATA

logger = logging.getLogger(__name__)

# {filename}, {static} and {attach} links in src/href attributes of the raw content.
INTERNAL_LINK = re.compile(
    r"""(?:href|src)\s*=\s*(["'])\{(filename|static|attach)\}([^"'#?]*)(?:[#?][^"']*)?\1"""
)


def relative_source(source_path: str, content_root: str) -> str:
    try:
        return os.path.relpath(source_path, content_root)
    except ValueError:
        return source_path


def check_metadata(
    source: str, metadata: dict, extra_fields: Iterable[str] = ()
) -> list[tuple[str, object, str]]:
    """Problems in one file's metadata as (field, value, expected)."""
    known = KNOWN_METADATA | set(extra_fields)
    problems: list[tuple[str, object, str]] = []
    for field, value in metadata.items():
        if field not in known:
            problems.append((field, value, "an unknown field (typo?); see docs/redaktion.md, 'Einen Beitrag schreiben'"))
    for field, allowed in ENUMS.items():
        value = metadata.get(field)
        if value is not None and str(value).strip().lower() not in allowed:
            problems.append((field, value, "one of " + ", ".join(allowed)))
    return problems


def broken_links(source_path: str, raw_content: str, content_root: str) -> list[tuple[str, str]]:
    """Internal links in raw_content that do not resolve to a file in content/."""
    broken = []
    base_dir = os.path.dirname(source_path)
    for _quote, kind, target in INTERNAL_LINK.findall(raw_content or ""):
        if not target:
            continue
        link = "{" + kind + "}" + target
        target = unquote(target)  # Pelican decodes %20 and friends before looking
        try:
            resolved = resolve_inside(content_root, base_dir, target)
        except PathOutsideContent:
            broken.append((link, "leaves content/"))
            continue
        if not Path(resolved).is_file():
            broken.append((link, "no such file in content/"))
    return broken


def report_metadata(content, content_root: str, extra_fields: Iterable[str]) -> None:
    source = relative_source(content.source_path, content_root)
    for field, value, expected in check_metadata(source, content.metadata, extra_fields):
        logger.warning("resonanz_core: %s: %s = %r: expected %s", source, field, value, expected)


def report_links(content, content_root: str) -> None:
    source = relative_source(content.source_path, content_root)
    for link, why in broken_links(content.source_path, raw_content(content), content_root):
        logger.warning("resonanz_core: %s: link %s: %s", source, link, why)
