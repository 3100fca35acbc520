"""One page or feed that cannot be written is left out with a message naming its source
file; the rest of the site is still written."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from jinja2 import TemplateError
from pelican.writers import FileOverwriteFailedError, Writer

from .problems import explain

logger = logging.getLogger(__name__)

SOURCES = ("article", "page", "episode")
# What content can make a template or a feed raise; anything else (a full disk, a bug)
# stops the build as before.
CONTENT_ERRORS = (TemplateError, TypeError, ValueError, AttributeError, LookupError)


def _source(context: dict, kwargs: dict, settings: dict) -> str | None:
    for key in SOURCES:
        item = kwargs.get(key) or context.get(key)
        path = getattr(item, "source_path", None)
        if path:
            try:
                return os.path.relpath(path, settings.get("PATH") or "")
            except ValueError:
                return str(path)
    return None


def write(method: Callable[..., Any], kind: str, args: tuple, kwargs: dict,
          settings: dict) -> Any:
    """Call the writer's write_file (kind 'page') or write_feed ('feed')."""
    try:
        return method(*args, **kwargs)
    except FileOverwriteFailedError:
        raise  # two outputs with one name: a bug for the collision check (guard.py)
    except CONTENT_ERRORS as exc:
        if kind == "page":
            name = args[0] if args else kwargs.get("name")
            context = args[2] if len(args) > 2 and isinstance(args[2], dict) else {}
        else:
            name = args[2] if len(args) > 2 else kwargs.get("path")
            context = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
        source = _source(context, kwargs, settings) or name
        logger.error("resonanz_core: %s: %s = %r: could not be written (%s); left out, "
                     "the rest of the site is written", source, kind, name, explain(exc))
        return None


class ContainedWriter(Writer):
    """Pelican's writer, each page and feed through `write` (used when the fast build is
    off; the fast build's writer calls `write` itself, see hooks.set_write_guard)."""

    def write_file(self, name, template, context, *args, **kwargs):
        return write(super().write_file, "page", (name, template, context, *args), kwargs,
                     self.settings)

    def write_feed(self, elements, context, *args, **kwargs):
        return write(super().write_feed, "feed", (elements, context, *args), kwargs,
                     self.settings)
