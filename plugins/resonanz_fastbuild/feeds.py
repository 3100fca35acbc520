"""Reader feed entries made once per build and process, not once per feed.

A post is an entry in the all-posts feeds and in the feeds of its category, its tags
and its authors, as Atom and as RSS: a dozen times, each with its full content. Pelican
builds the entry (title without tags, link, tag URI, content with links resolved) and
the feed generator escapes and writes it anew for each feed. Here the first feed of a
kind (Atom or RSS) that lists a post keeps the entry and its XML, and the next ones
reuse both. The XML is what the feed generator writes for the entry, to the byte
(tests/test_build_speed.py compares every feed of a site built both ways).

An entry is reused only when what Pelican puts into it is the same: the same post,
feed kind, site URL, the page URL Pelican renders summaries against
(`localsiteurl`), and the settings the writer reads. Entries are not shared when a
plugin listens for `feed_generated` or `feed_written` without having declared that it
leaves Pelican's entries alone (hooks.declare; the podcast plugin only adds entries of
its own there).
"""

from __future__ import annotations

import io

from feedgenerator import Atom1Feed, Rss201rev2Feed
from feedgenerator.django.utils.xmlutils import SimplerXMLGenerator
from pelican import signals

from . import compat, hooks

_XML = "_resonanz_xml"


class _Entries:
    """Writes each entry from the XML kept with it, made the first time it is written."""

    entry_tag = ""

    def write_items(self, handler) -> None:
        for item in self.items:
            text = item.get(_XML)
            if text is None:
                buffer = io.StringIO()
                part = SimplerXMLGenerator(buffer, "utf-8", short_empty_elements=True)
                part.startElement(self.entry_tag, self.item_attributes(item))
                self.add_item_elements(part, item)
                part.endElement(self.entry_tag)
                text = buffer.getvalue()
                if item.get(_XML, False) is None:  # shared: keep the XML for the next feed
                    item[_XML] = text
            handler.ignorableWhitespace(text)  # written as it is, like the elements


class Atom(_Entries, Atom1Feed):
    entry_tag = "entry"


class Rss(_Entries, Rss201rev2Feed):
    entry_tag = "item"


_KINDS = {Atom1Feed: Atom, Rss201rev2Feed: Rss}


def _shareable() -> bool:
    return all(hooks.is_declared(receiver)
               for signal in (signals.feed_generated, signals.feed_written)
               for receiver in compat.live_receivers(signal))


def new_feed(feed):
    """The feed Pelican's writer made, as one that shares entries (or as it is)."""
    kind = _KINDS.get(type(feed))
    if kind is None or not _shareable():
        return feed
    compat.recast(feed, kind)
    return feed


def add_item(writer, feed, item, add) -> None:
    """Pelican's way of adding item to feed, `add(feed, item)`, once per post and feed
    kind; later feeds get the same entry (kept in writer.feed_entries)."""
    if not isinstance(feed, _Entries):
        add(feed, item)
        return
    settings = writer.settings
    context = compat.feed_item_context(item)
    key = (type(feed), id(item), writer.site_url, context.get("localsiteurl"),
           settings.get("FEED_APPEND_REF"), settings.get("RSS_FEED_SUMMARY_ONLY"),
           settings.get("TIMEZONE"))
    entries = writer.feed_entries
    known = entries.get(key)
    if known is not None:
        feed.items.append(known[1])
        return
    before = len(feed.items)
    add(feed, item)
    if len(feed.items) == before + 1:
        entry = feed.items[-1]
        entry[_XML] = None  # shared from now on; the XML is kept when first written
        entries[key] = (item, entry)  # the post is kept too: its id stays its own
