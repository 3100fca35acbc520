"""Checks of metadata and internal links; each problem is one log line naming file and field."""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote

from resonanz_fastbuild.compat import raw_content

from .i18n import LANGUAGES
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
    """Problems in one file's metadata as (field, value, what is wrong and the fix)."""
    known = KNOWN_METADATA | set(extra_fields)
    problems: list[tuple[str, object, str]] = []
    for field, value in metadata.items():
        if field not in known:
            problems.append((field, value, _unknown_field(field, known)))
    for field, allowed in ENUMS.items():
        value = metadata.get(field)
        if value is not None and str(value).strip().lower() not in allowed:
            problems.append((field, value, "expected one of " + ", ".join(allowed)))
    lang = metadata.get("lang")
    if lang is not None and str(lang).split("-")[0].lower() not in LANGUAGES:
        problems.append(("lang", lang, "expected one of " + ", ".join(LANGUAGES)))
    return problems


def _unknown_field(field: str, known: Iterable[str]) -> str:
    # Name the field the editor most likely meant: the fix is then a one-word edit.
    close = difflib.get_close_matches(field, sorted(known), n=1)
    hint = f"typo? did you mean '{close[0]}'?" if close else "typo?"
    return f"unknown field ({hint}); see docs/redaktion.md, 'Einen Beitrag schreiben'"


def missing_image(metadata: dict, content_root: str) -> tuple[object, str] | None:
    """The teaser `image` (a path in the site, the same under content/) when it is not there."""
    value = metadata.get("image")
    if not value or not isinstance(value, str) or "://" in value:
        return None
    target = re.sub(r"^\{(static|attach|filename)\}", "", value).lstrip("/")
    try:
        resolved = resolve_inside(content_root, content_root, unquote(target))
    except PathOutsideContent:
        return value, "leaves content/"
    if not resolved.is_file():
        return value, "no such file in content/; add it or remove the field"
    return None


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
    for field, value, problem in check_metadata(source, content.metadata, extra_fields):
        logger.warning("resonanz_core: %s: %s = %r: %s", source, field, value, problem)
    for note in content.metadata.get("resonanz_notes", ()):
        logger.warning("resonanz_core: %s: %s", source, note)
    image = missing_image(content.metadata, content_root)
    if image is not None:
        logger.warning("resonanz_core: %s: image = %r: %s", source, *image)


def report_links(content, content_root: str) -> None:
    source = relative_source(content.source_path, content_root)
    for link, why in broken_links(content.source_path, raw_content(content), content_root):
        logger.warning("resonanz_core: %s: link %s: %s", source, link, why)


THEME_LINK = re.compile(r"\{\{\s*THEME_STATIC_DIR\s*\}\}/([\w./-]+\.\w+)")


def missing_theme_files(theme: str, stylesheets: Iterable[str],
                        scripts: Iterable[str]) -> list[tuple[str, str, str]]:
    """Theme files that pages link to but theme/static/ does not have, as
    (where, what, path below theme/static/)."""
    static = Path(theme) / "static"
    wanted: list[tuple[str, str, str]] = []
    wanted += [("pelicanconf.py", "RESONANZ_STYLESHEETS", f"css/{name}") for name in stylesheets]
    wanted += [("pelicanconf.py", "RESONANZ_SCRIPTS", f"js/{name}") for name in scripts]
    templates = Path(theme) / "templates"
    for template in sorted(templates.rglob("*.html")) if templates.is_dir() else []:
        text = template.read_text(encoding="utf-8", errors="replace")
        where = "theme/" + template.relative_to(theme).as_posix()
        wanted += [(where, "link", path) for path in THEME_LINK.findall(text)]
    return [(where, what, path) for where, what, path in wanted
            if not (static / path).is_file()]


def report_theme_files(settings: dict) -> None:
    theme = settings.get("THEME") or ""
    if not os.path.isdir(theme):
        return
    stylesheets = settings.get("RESONANZ_STYLESHEETS") or []
    scripts = settings.get("RESONANZ_SCRIPTS") or []
    for where, what, path in missing_theme_files(theme, stylesheets, scripts):
        logger.warning("resonanz_core: %s: %s = %r: no such file in theme/static/; restore "
                       "it or remove the link (pages would link to a missing file)",
                       where, what, path)


def report_future_responses(items: Iterable, now: dt.datetime) -> None:
    """A comment or linkback dated after the build (a typo in the year, a wrong clock)
    would sit at the end of the thread for years."""
    for content in items:
        responses = getattr(content, "responses", None)
        shown = getattr(responses, "all_shown", None)
        if not callable(shown):
            continue
        for response in shown():
            published = getattr(response, "published", None)
            if not isinstance(published, dt.datetime):
                continue
            moment = published if published.tzinfo else published.replace(tzinfo=dt.UTC)
            if moment > now + dt.timedelta(days=1):
                slug = getattr(content, "slug", "")
                logger.warning("resonanz_core: responses/%s.yaml: published = %r: in the future "
                               "(id %s); correct the date", slug, published.isoformat(),
                               getattr(response, "id", "?"))
