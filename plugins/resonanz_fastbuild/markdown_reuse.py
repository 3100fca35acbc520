"""One Markdown converter per reader instead of one per file.

Pelican's MarkdownReader builds a new `markdown.Markdown` for every file it reads; with
the extensions a site uses (extra, toc, codehilite) building one costs about as much as
converting a post, a second per thousand posts. The readers set up here build two
converters once and `reset()` them before every file, as Python-Markdown intends and as
Pelican itself does for the summary:

- the body converter, with the settings' extensions (including `meta`), for the text;
- the fields converter, the same without `meta`, for the formatted metadata fields
  (`summary`). Pelican's `_parse_metadata` takes the `meta` preprocessor out of the
  converter it is given, so that "Key: value" lines of a summary stay text; the fields
  converter gets a stand-in under that name before each call, and the body converter
  keeps its own. (What the reader holds for `_parse_metadata` is set through
  compat.ReaderState.)

What Pelican's metadata parsing does (duplicate warnings, list fields, dates) is not
touched: `_parse_metadata` is Pelican's own, run on the fields converter.

An extension that keeps state between documents must clear it in `reset()` (footnotes,
abbreviations and the table of contents do); the pelican-yaml-metadata plugin already
reuses one converter for every file it reads. Footnotes with `UNIQUE_IDS` number their
ids by converter resets, so with them every file gets a new converter, as in Pelican.
"""

from __future__ import annotations

import copy
import functools

from markdown import Markdown
from markdown.preprocessors import Preprocessor
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open

from .compat import ReaderState

_META = "markdown.extensions.meta"


class _StandIn(Preprocessor):
    """Registered as "meta" in the fields converter for `_parse_metadata` to take out."""

    def run(self, lines: list[str]) -> list[str]:
        return lines


def _without_meta(settings: dict) -> dict:
    fields = copy.deepcopy(settings)
    fields["extensions"] = [
        ext for ext in fields.get("extensions", []) if ext not in (_META, "meta")
    ]
    fields.get("extension_configs", {}).pop(_META, None)
    return fields


class ReusingMarkdownReader(MarkdownReader):
    """MarkdownReader.read with two converters kept for the reader's lifetime."""

    _resonanz_converters: tuple[Markdown, Markdown] | None = None

    def _converters(self) -> tuple[Markdown, Markdown]:
        if self._resonanz_converters is None:
            # copies: extension objects in the settings would otherwise be shared by the
            # converters of every reader (an extension keeps the last converter it was
            # added to)
            settings = self.settings["MARKDOWN"]
            converters = (Markdown(**copy.deepcopy(settings)),
                          Markdown(**_without_meta(settings)))
            if _numbered_by_resets(converters[0]):
                return converters  # used for this file only
            self._resonanz_converters = converters
        else:
            self._resonanz_converters[0].reset()  # a new converter comes reset
        return self._resonanz_converters

    def read(self, source_path):
        body, fields = self._converters()
        ReaderState.set_source(self, source_path)
        with pelican_open(source_path) as text:
            content = body.convert(text)
        if not hasattr(body, "Meta"):  # `meta` not among the extensions
            return content, {}
        # the YAML reader keeps its own converter: as found before our first read
        if "_resonanz_own" not in self.__dict__:
            self._resonanz_own = ReaderState.converter(self)
        own = self._resonanz_own
        fields.preprocessors.register(_StandIn(fields), "meta", 0)
        try:
            # left as Pelican's reader leaves it: the YAML reader's own, else the body's
            metadata = ReaderState.parse_metadata(self, fields, body.Meta,
                                                  own if own is not None else body)
        finally:
            if "meta" in fields.preprocessors:
                fields.preprocessors.deregister("meta")
        return content, metadata


def _numbered_by_resets(converter: Markdown) -> bool:
    """Footnotes with UNIQUE_IDS count the converter's resets into their ids."""
    return any(type(ext).__name__ == "FootnoteExtension" and ext.getConfig("UNIQUE_IDS")
               for ext in converter.registeredExtensions)


@functools.cache  # one class per reader class, not a new one per build
def reusing(reader_class: type) -> type:
    """The reader class to use instead of `reader_class` (itself if not Markdown's)."""
    if not isinstance(reader_class, type) or not issubclass(reader_class, MarkdownReader):
        return reader_class
    if issubclass(reader_class, ReusingMarkdownReader):
        return reader_class
    if reader_class is MarkdownReader:
        return ReusingMarkdownReader
    # A subclass (pelican-yaml-metadata's reader falls back to MarkdownReader.read for
    # files without a YAML header): put our read between it and MarkdownReader.
    return type(reader_class.__name__, (reader_class, ReusingMarkdownReader),
                {"__module__": reader_class.__module__, "__doc__": reader_class.__doc__})


def use_reusing_readers(readers) -> None:
    """Replace each Markdown reader class of a Readers object by its reusing one."""
    for extension, reader_class in list(readers.reader_classes.items()):
        readers.reader_classes[extension] = reusing(reader_class)
