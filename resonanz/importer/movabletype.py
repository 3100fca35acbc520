"""Movable Type / TypePad export files (the plain-text "MT import format")."""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from unidecode import unidecode

from . import dates
from .html2md import autop_html
from .model import Entry, Export, ImportInputError, Response
from .source import decode, read_bytes

ENTRY_END = "--------"
SECTION_END = "-----"
MULTILINE = ("BODY", "EXTENDED BODY", "EXCERPT", "KEYWORDS", "COMMENT", "PING")
STATUSES = {"publish": "published", "future": "published", "draft": "draft",
            "review": "draft"}
# CONVERT BREAKS: how the body was written; anything unknown is treated as HTML.
AUTOP = frozenset({"1", "__default__", "convert_breaks", "textile_2"})
MARKDOWN = frozenset({"markdown", "markdown_with_smartypants"})
_FIELD = re.compile(r"^([A-Z][A-Z ]*[A-Z]):\s?(.*)$")
DEFAULT_PERMALINK = "{year}/{month}/{basename}.html"
# Movable Type's default "basename length" (a blog setting; --mt-basename-limit changes it).
BASENAME_LIMIT = 30


def _split_tags(value: str) -> list[str]:
    # TAGS: "two words",single
    return [t.strip() for row in csv.reader([value], skipinitialspace=True) for t in row
            if t.strip()]


def _stable_id(kind: str, *parts: str) -> str:
    # The format has no ids; the same comment in a later export must get the same id.
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]
    return f"mt-{kind}-{digest}"


def dirify(title: str, limit: int = BASENAME_LIMIT) -> str:
    """The basename Movable Type gives an entry without one: from its title.

    As Movable Type does it: transliterate to ASCII, lowercase, drop tags and entities, drop
    what is neither a word character nor a space, spaces to underscores, at most limit
    characters, no trailing underscore.
    """
    text = unidecode(title).lower()
    text = re.sub(r"<[^>]*>", "", text)
    text = re.sub(r"&[^;\s]+;", "", text)
    text = re.sub(r"[^\w\s]", "", text, flags=re.ASCII)
    text = re.sub(r"\s+", "_", text.strip())
    return text[:limit].rstrip("_")


def parse(path: Path, zone: ZoneInfo, encoding: str | None = None,
          permalink: str = DEFAULT_PERMALINK, basename_limit: int = BASENAME_LIMIT) -> Export:
    """Entries, comments and pings of an MT export; ImportInputError if it is not one."""
    data = read_bytes(path)
    notes: list[str] = []
    text = decode(path, data, encoding or "utf-8",
                  "given with --encoding" if encoding else "Movable Type exports are UTF-8", notes)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not re.search(r"^(TITLE|AUTHOR|BASENAME|DATE):", text, re.MULTILINE) or ENTRY_END \
            not in text and SECTION_END not in text:
        raise ImportInputError(
            f"{path}: not a Movable Type export (expected fields like 'TITLE:' and entries "
            f"ending with a line '{ENTRY_END}'); export again with Tools > Export, or choose "
            "the right --from"
        )
    export = Export(source="movabletype", path=path, notes=notes)
    lines = text.split("\n")
    start = 0
    basenames = _Basenames(basename_limit)
    for number, line in enumerate(lines + [None]):
        if line is None or line.rstrip() == ENTRY_END:
            block = lines[start:number]
            if line is None:
                if any(item.strip() for item in block):
                    export.skip(f"entry at line {start + 1}",
                                f"does not end with a line '{ENTRY_END}': the file is probably "
                                "truncated; export again")
                break
            if any(item.strip() for item in block):
                _entry(block, start + 1, export, zone, permalink, basenames)
            start = number + 1
    if basenames.derived:
        export.notes.append(
            f"{basenames.derived} entr{'ies' if basenames.derived > 1 else 'y'} without BASENAME:"
            f" basename made from the title as Movable Type does (at most {basename_limit} "
            "characters); if the old URLs differ, set --mt-basename-limit to the blog's "
            "'basename length'")
    return export


class _Basenames:
    """Basenames of the export so far; derived ones are made unique as Movable Type does."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.taken: set[str] = set()
        self.derived = 0

    def given(self, basename: str) -> str:
        self.taken.add(basename)
        return basename

    def derive(self, title: str) -> str:
        base = dirify(title, self.limit) or "post"
        name, number = base, 0
        while name in self.taken:
            number += 1
            name = f"{base}_{number}"
        self.taken.add(name)
        self.derived += 1
        return name


def _sections(block: list[str]) -> tuple[dict[str, list[str]], list[tuple[str, list[str]]]]:
    chunks: list[list[str]] = [[]]
    for line in block:
        if line.rstrip() == SECTION_END:
            chunks.append([])
        else:
            chunks[-1].append(line)
    header: dict[str, list[str]] = {}
    for line in chunks[0]:
        match = _FIELD.match(line.strip())
        if match:
            header.setdefault(match.group(1), []).append(match.group(2).strip())
    sections = []
    for chunk in chunks[1:]:
        while chunk and not chunk[0].strip():
            chunk = chunk[1:]
        if not chunk:
            continue
        match = _FIELD.match(chunk[0].strip())
        name = match.group(1) if match else ""
        if name in MULTILINE:
            rest = [match.group(2)] if match.group(2).strip() else []
            sections.append((name, rest + chunk[1:]))
        else:
            sections.append(("", chunk))
    return header, sections


def _fields(lines: list[str], names: tuple[str, ...]) -> tuple[dict[str, str], str]:
    # A comment starts with "AUTHOR: ...", "URL: ..." lines; the text follows.
    values: dict[str, str] = {}
    index = 0
    while index < len(lines):
        match = _FIELD.match(lines[index].strip())
        if not match or match.group(1) not in names:
            break
        values[match.group(1)] = match.group(2).strip()
        index += 1
    return values, "\n".join(lines[index:]).strip()


def _entry(block: list[str], line: int, export: Export, zone: ZoneInfo, permalink: str,
           basenames: _Basenames) -> None:
    header, sections = _sections(block)

    def first(name: str) -> str:
        return header.get(name, [""])[0]

    title = first("TITLE")
    label = f"entry at line {line} {title!r}" if title else f"entry at line {line}"
    date = dates.movabletype(first("DATE"), zone)
    if date is None:
        export.skip(label, f"DATE = {first('DATE')!r}: expected MM/DD/YYYY hh:mm:ss AM|PM")
        return
    status_text = first("STATUS").lower() or "publish"
    status = STATUSES.get(status_text)
    if status is None:
        export.skip(label, f"STATUS = {first('STATUS')!r}: expected Publish, Draft or Future")
        return
    body = {name: "\n".join(lines).strip() for name, lines in sections
            if name in ("BODY", "EXTENDED BODY", "EXCERPT", "KEYWORDS")}
    text = "\n\n".join(part for part in (body.get("BODY", ""), body.get("EXTENDED BODY", ""))
                       if part)
    convert = first("CONVERT BREAKS").lower() or "__default__"
    body_format = ("markdown" if convert in MARKDOWN else "autop" if convert in AUTOP
                   else "html")
    if convert == "textile_2":
        export.notes.append(f"{label}: Textile markup is not converted, check the text")
    basename = first("BASENAME") or first("BASE NAME")
    basename = basenames.given(basename) if basename else basenames.derive(title)
    categories = []
    for name in [first("PRIMARY CATEGORY")] + header.get("CATEGORY", []):
        if name and name not in categories:
            categories.append(name)
    tags = _split_tags(first("TAGS"))
    tags += [k for k in re.split(r"[,\n]", body.get("KEYWORDS", "")) if k.strip() and
             k.strip() not in tags]
    old_url = ""
    if status == "published" and basename:
        old_url = "/" + permalink.format(year=f"{date.year:04d}", month=f"{date.month:02d}",
                                         day=f"{date.day:02d}", basename=basename).lstrip("/")
    entry = Entry(
        kind="post",
        source_id=f"movabletype:{basename or title}:{date:%Y%m%d%H%M}",
        title=title,
        slug=basename,
        date=date,
        status=status,
        body=text,
        body_format=body_format,
        author=first("AUTHOR"),
        categories=categories,
        tags=[t.strip() for t in tags],
        summary=body.get("EXCERPT", ""),
        old_url=old_url,
        comments="closed" if first("ALLOW COMMENTS") == "2" else "",
        linkbacks="off" if first("ALLOW PINGS") == "0" else "",
    )
    export.entries.append(entry)
    for name, lines in sections:
        if name == "COMMENT":
            _comment(lines, entry, label, export, zone)
        elif name == "PING":
            _ping(lines, entry, label, export, zone)
        elif name == "" and any(item.strip() for item in lines):
            export.notes.append(f"{label}: section {lines[0].strip()[:40]!r} not understood, "
                                "ignored")


def _comment(lines: list[str], entry: Entry, label: str, export: Export, zone: ZoneInfo) -> None:
    values, text = _fields(lines, ("AUTHOR", "EMAIL", "IP", "URL", "DATE"))
    published = dates.movabletype(values.get("DATE", ""), zone)
    if published is None:
        export.skip(f"{label}, comment by {values.get('AUTHOR', '?')!r}",
                    f"DATE = {values.get('DATE', '')!r}: no valid date")
        return
    author = values.get("AUTHOR", "") or "Anonym"
    export.responses.append(Response(
        id=_stable_id("comment", entry.source_id, published.isoformat(), author, text[:200]),
        type="comment",
        status="approved",
        published=published,
        entry_ref=entry.source_id,
        author=author,
        author_url=values.get("URL", ""),
        content=autop_html(text),
    ))


def _ping(lines: list[str], entry: Entry, label: str, export: Export, zone: ZoneInfo) -> None:
    values, text = _fields(lines, ("TITLE", "URL", "IP", "BLOG NAME", "DATE"))
    published = dates.movabletype(values.get("DATE", ""), zone)
    url = values.get("URL", "")
    if published is None or not url:
        export.skip(f"{label}, trackback {url or values.get('TITLE', '?')!r}",
                    "no valid DATE" if published is None else "no URL")
        return
    host = url.split("/")[2] if url.count("/") >= 2 else ""
    export.responses.append(Response(
        id=_stable_id("trackback", entry.source_id, published.isoformat(), url),
        type="trackback",
        status="approved",
        published=published,
        entry_ref=entry.source_id,
        author=values.get("BLOG NAME", "") or host,
        author_url=f"{url.split('/')[0]}//{host}/" if host else "",
        url=url,
        title=values.get("TITLE", ""),
        content=text,
    ))
