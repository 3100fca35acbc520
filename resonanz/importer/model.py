"""What every export parser produces: entries, responses, media and the items it skipped."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from resonanz import responses_format


class ImportInputError(Exception):
    """The export cannot be read at all (missing, truncated, wrong encoding, wrong format)."""


@dataclasses.dataclass
class Entry:
    """One post or page of the old blog, body still in the export's markup."""

    kind: str  # "post" or "page"
    source_id: str  # e.g. "wordpress:123", unique within the export
    title: str
    slug: str  # the old slug; may be empty (drafts), then derived from the title
    date: dt.datetime | None
    status: str  # "published" or "draft"
    body: str
    body_format: str = "html"  # "html", "autop" (blank lines are paragraphs) or "markdown"
    modified: dt.datetime | None = None
    author: str = ""
    categories: list[str] = dataclasses.field(default_factory=list)
    tags: list[str] = dataclasses.field(default_factory=list)
    summary: str = ""  # HTML (or text) of an explicit excerpt
    old_url: str = ""
    comments: str = ""  # "closed" when the old blog closed them
    linkbacks: str = ""  # "off" when the old blog did not accept pings


@dataclasses.dataclass
class Response(responses_format.Response):
    """One comment, trackback, pingback or webmention, in the responses format."""

    entry_ref: str = ""  # source_id of the entry it belongs to (not written)


@dataclasses.dataclass
class Export:
    """Everything one export file holds, after parsing and before anything is written."""

    source: str  # wordpress, blogger, movabletype
    path: Path
    site_url: str = ""  # base URL of the old blog, if the export says it
    entries: list[Entry] = dataclasses.field(default_factory=list)
    responses: list[Response] = dataclasses.field(default_factory=list)
    attachments: list[str] = dataclasses.field(default_factory=list)  # URLs of uploaded files
    skipped: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (item, why)
    notes: list[str] = dataclasses.field(default_factory=list)  # imported, but worth a look

    def skip(self, item: str, why: str) -> None:
        self.skipped.append((item, why))
