"""Blogger Atom exports (the classic kind#post format and the 2018 Takeout format)."""

from __future__ import annotations

import html
import posixpath
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from . import dates
from .model import Entry, Export, ImportInputError, Response
from .source import read_xml

ATOM = "{http://www.w3.org/2005/Atom}"
BLOGGER = "{http://schemas.google.com/blogger/2018}"
APP = "{http://purl.org/atom/app#}"
THREAD = "{http://purl.org/syndication/thread/1.0}"
KIND_SCHEME = "http://schemas.google.com/g/2005#kind"
LABEL_SCHEME = "http://www.blogger.com/atom/ns#"
KINDS = {"post": "POST", "page": "PAGE", "comment": "COMMENT", "settings": "SETTINGS",
         "template": "TEMPLATE", "layout": "LAYOUT"}
ENTRY_STATUSES = {"LIVE": "published", "DRAFT": "draft", "SCHEDULED": "draft"}
COMMENT_STATUSES = {"LIVE": "approved", "PENDING": "pending", "SPAM": "spam"}


def _text(element: ET.Element, path: str) -> str:
    return (element.findtext(path) or "").strip()


def _kind(entry: ET.Element) -> str:
    kind = _text(entry, BLOGGER + "type")
    if kind:
        return kind.upper()
    for category in entry.findall(ATOM + "category"):
        if category.get("scheme") == KIND_SCHEME:
            return KINDS.get(category.get("term", "").rsplit("#", 1)[-1], "UNKNOWN")
    return "UNKNOWN"


def _number(entry_id: str) -> str:
    # tag:blogger.com,1999:blog-123.post-456 -> 456 (comments are "posts" too)
    match = re.search(r"\.(?:post|page)-(\d+)$", entry_id)
    return match.group(1) if match else entry_id


def _alternate(entry: ET.Element) -> str:
    for link in entry.findall(ATOM + "link"):
        if link.get("rel") == "alternate":
            return link.get("href", "")
    return ""


def parse(path: Path, zone: ZoneInfo, encoding: str | None = None) -> Export:
    """Posts, pages and comments of a Blogger export; ImportInputError if it is not one."""
    notes: list[str] = []
    root = read_xml(path, encoding, notes)
    if root.tag != ATOM + "feed" or "blogger" not in _text(root, ATOM + "id") + "".join(
        e.findtext(ATOM + "id") or "" for e in root.findall(ATOM + "entry")[:3]
    ):
        raise ImportInputError(
            f"{path}: not a Blogger export (expected an Atom <feed> with tag:blogger.com ids); "
            "export again with Settings > Manage blog > Back up content"
        )
    export = Export(source="blogger", path=path, site_url=_alternate(root), notes=notes)
    entries: dict[str, Entry] = {}
    comments: list[ET.Element] = []
    for element in root.findall(ATOM + "entry"):
        kind = _kind(element)
        entry_id = _text(element, ATOM + "id")
        title = html.unescape(_text(element, ATOM + "title"))
        label = f"entry {_number(entry_id)} {title!r}" if title else f"entry {entry_id}"
        if kind == "COMMENT":
            comments.append(element)
        elif kind in ("POST", "PAGE"):
            entry = _entry(element, kind, label, export, zone)
            if entry:
                entries[entry_id] = entry
                export.entries.append(entry)
        elif kind not in ("SETTINGS", "TEMPLATE", "LAYOUT"):
            export.skip(label, f"entry type {kind!r}: not a post, page or comment")
    numbers = {_number(_text(c, ATOM + "id")): _text(c, ATOM + "id") for c in comments}
    for element in comments:
        _comment(element, entries, numbers, export, zone)
    if not export.site_url:
        for entry in entries.values():
            if entry.old_url.startswith("http"):
                parts = urlsplit(entry.old_url)
                export.site_url = f"{parts.scheme}://{parts.netloc}/"
                break
    return export


def _entry(element: ET.Element, kind: str, label: str, export: Export,
           zone: ZoneInfo) -> Entry | None:
    status_text = _text(element, BLOGGER + "status").upper()
    trashed = _text(element, BLOGGER + "trashed")
    if status_text in ("DELETED", "SOFT_TRASHED") or trashed:
        export.skip(label, "deleted on Blogger")
        return None
    draft = _text(element, f"{APP}control/{APP}draft").lower() == "yes"
    status = "draft" if draft else ENTRY_STATUSES.get(status_text or "LIVE")
    if status is None:
        export.skip(label, f"unknown status {status_text!r}")
        return None
    date = dates.iso(_text(element, ATOM + "published"), zone)
    if date is None:
        export.skip(label, f"published = {_text(element, ATOM + 'published')!r}: no date")
        return None
    filename = _text(element, BLOGGER + "filename")
    permalink = _alternate(element)
    path = filename or urlsplit(permalink).path
    slug = posixpath.splitext(posixpath.basename(path))[0] if path else ""
    old_url = (permalink or filename) if status == "published" else ""
    tags = [c.get("term", "") for c in element.findall(ATOM + "category")
            if c.get("scheme") != KIND_SCHEME and c.get("term")]
    return Entry(
        kind="page" if kind == "PAGE" else "post",
        source_id="blogger:" + _number(_text(element, ATOM + "id")),
        title=html.unescape(_text(element, ATOM + "title")),
        slug=slug,
        date=date,
        modified=dates.iso(_text(element, ATOM + "updated"), zone),
        status=status,
        body=element.findtext(ATOM + "content") or "",
        author=_text(element, f"{ATOM}author/{ATOM}name"),
        tags=tags,
        summary=_text(element, BLOGGER + "metaDescription"),
        old_url=old_url,
    )


def _comment(element: ET.Element, entries: dict[str, Entry], numbers: dict[str, str],
             export: Export, zone: ZoneInfo) -> None:
    comment_id = _text(element, ATOM + "id")
    number = _number(comment_id)
    where = f"comment {number}"
    parent = _text(element, BLOGGER + "parent")
    reply_to = _text(element, BLOGGER + "inReplyTo")
    in_reply = element.find(THREAD + "in-reply-to")
    if not parent and in_reply is not None:
        parent = in_reply.get("ref", "")
    if not reply_to:
        for link in element.findall(ATOM + "link"):
            # Classic exports name the parent comment by its feed URL: .../comments/default/789
            if link.get("rel") == "related":
                reply_to = numbers.get(link.get("href", "").rstrip("/").rsplit("/", 1)[-1], "")
    status_text = _text(element, BLOGGER + "status").upper() or "LIVE"
    if status_text in ("DELETED", "SOFT_TRASHED") or _text(element, BLOGGER + "trashed"):
        export.skip(where, "deleted on Blogger")
        return
    status = COMMENT_STATUSES.get(status_text)
    if status is None:
        export.skip(where, f"unknown comment status {status_text!r}")
        return
    entry = entries.get(parent)
    if entry is None:
        export.skip(where, f"belongs to post {parent!r}, which is not in the export "
                           "(or was not imported)")
        return
    published = dates.iso(_text(element, ATOM + "published"), zone)
    if published is None:
        export.skip(where, f"published = {_text(element, ATOM + 'published')!r}: no date")
        return
    author_url = _text(element, f"{ATOM}author/{ATOM}uri")
    export.responses.append(Response(
        id=f"blogger-comment-{number}",
        type="comment",
        status=status,
        published=published,
        entry_ref=entry.source_id,
        author=_text(element, f"{ATOM}author/{ATOM}name") or "Anonym",
        author_url=author_url,
        content=element.findtext(ATOM + "content") or "",
        in_reply_to=f"blogger-comment-{_number(reply_to)}" if reply_to else "",
    ))
