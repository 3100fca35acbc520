"""The responses file format: content/responses/<slug>.yaml, a YAML list of entries.

One module for everything that reads or writes these files: the responses plugin (the
build), the importer, the receiver and `responses pull`. It defines the entry fields and
their types, the types and statuses, the id rules, how a file is read and checked, and
how entries are appended without touching the existing ones (their bytes, comments and
hand edits stay as they are).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import yaml

TYPES = ("comment", "trackback", "pingback", "webmention", "like", "repost")
LINKBACK_TYPES = ("trackback", "pingback", "webmention")
STATUSES = ("approved", "pending", "spam")
# in the order they are written
FIELDS = ("id", "type", "status", "author", "author_url", "url", "title", "content",
          "published", "in_reply_to")
REQUIRED = ("id", "type", "status", "published")
PLUGIN = "responses"  # the name problem lines start with (the build reports them)


@dataclasses.dataclass
class Response:
    """One comment, linkback, like or repost as written in a responses file.

    Ids are unique within a file and never change: the anchor of the response on the
    page and `in_reply_to` of answers refer to them."""

    id: str
    type: str
    status: str
    published: dt.datetime
    author: str = ""
    author_url: str = ""
    url: str = ""
    title: str = ""
    content: str = ""
    in_reply_to: str = ""

    @property
    def site(self) -> str:
        """Host name of the source (or the author's site), without 'www.'."""
        host = urlsplit(self.url or self.author_url).hostname or ""
        return host.removeprefix("www.")

    @property
    def anchor(self) -> str:
        """Fragment id of this response on the article page."""
        return "antwort-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in self.id)


R = TypeVar("R", bound=Response)


def response_id(kind: str, source: str, target: str) -> str:
    """A stable id for a received response: the same source and target give the same id."""
    digest = hashlib.sha256(f"{source}\n{target}".encode()).hexdigest()[:16]
    return f"{kind}-{digest}"


def entry_record(values: Mapping[str, Any]) -> dict[str, Any]:
    """The entry to write for values (a mapping or a Response's fields): the format's
    fields in their order, empty optional fields left out."""
    return {name: values.get(name) for name in FIELDS
            if values.get(name) or name in REQUIRED}


def safe_url(url: str | None) -> str:
    """url if it is an absolute http(s) URL without whitespace or quotes, else ''."""
    if not url:
        return ""
    url = str(url).strip()
    if not re.match(r"^https?://[^\s/\"'<>]+", url, re.IGNORECASE):
        return ""
    if re.search(r"[\s\"'<>`]", url):
        return ""
    return url


# -- reading and checking --------------------------------------------------------------


def load_yaml(text: str) -> Any:
    # libyaml's loader when PyYAML has it: ten times faster on big archives, same result
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506


def _short(value: object) -> object:
    # A 1 MB body in a log line helps nobody.
    if isinstance(value, str) and len(value) > 80:
        return value[:77] + "..."
    return value


def problem(rel: str, field: str, value: object, expected: str, entry: str = "") -> str:
    """One problem line in the project's format: plugin: file: field = value: expected."""
    where = f"{rel}: {entry}: " if entry else f"{rel}: "
    return f"{PLUGIN}: {where}{field} = {_short(value)!r}: {expected}"


def parse_published(value: object) -> dt.datetime | None:
    """A time-zone-aware datetime from a YAML timestamp or an ISO 8601 string, else None."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return parsed if parsed.tzinfo is not None else None


def _text(value: object) -> str | None:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def validate_entry(raw: object, index: int, rel: str, cls: type[R] = Response
                   ) -> tuple[R | None, list[str]]:
    """A cls from one YAML mapping, or None with the reasons; problems name the entry."""
    entry = f"entry #{index}"
    if not isinstance(raw, dict):
        return None, [problem(rel, entry, raw, "expected a mapping with id, type, status, ...")]
    ident = _text(raw.get("id"))
    if ident:
        entry = f"entry #{index} (id {ident!r})"
    problems = [problem(rel, str(key), raw[key],
                        "unknown field (typo?); known: " + ", ".join(FIELDS), entry)
                for key in raw if key not in FIELDS]
    if not ident:
        problems.append(problem(rel, "id", raw.get("id"), "a unique, non-empty string", entry))
    kind = raw.get("type")
    if kind not in TYPES:
        problems.append(problem(rel, "type", kind, "one of " + ", ".join(TYPES), entry))
    status = raw.get("status")
    if status not in STATUSES:
        problems.append(problem(rel, "status", status, "one of " + ", ".join(STATUSES), entry))
    published = parse_published(raw.get("published"))
    if published is None:
        problems.append(problem(
            rel, "published", raw.get("published"),
            "ISO 8601 date and time with time zone, e.g. 2026-03-26T12:39:00+01:00", entry))
    texts = {}
    for field in ("author", "title", "content", "in_reply_to"):
        texts[field] = _text(raw.get(field))
        if texts[field] is None:
            problems.append(problem(rel, field, raw.get(field), "a string", entry))
    if kind == "comment" and not texts["author"]:
        problems.append(
            problem(rel, "author", raw.get("author"), "a name (required for comments)", entry))
    url = safe_url(_text(raw.get("url")))
    if raw.get("url") and not url:
        problems.append(problem(rel, "url", raw.get("url"), "an absolute http(s) URL", entry))
    elif kind in TYPES and kind != "comment" and not url:
        problems.append(
            problem(rel, "url", raw.get("url"), f"the source URL (required for {kind})", entry))
    author_url = safe_url(_text(raw.get("author_url")))
    fatal = [p for p in problems if ": unknown field" not in p]
    if raw.get("author_url") and not author_url:
        # Not fatal: the name is shown without a link.
        problems.append(problem(rel, "author_url", raw.get("author_url"),
                                "an absolute http(s) URL (shown without link)", entry))
    if fatal:
        return None, problems
    return cls(id=ident, type=kind, status=status, published=published,
               author=texts["author"], author_url=author_url, url=url, title=texts["title"],
               content=texts["content"], in_reply_to=texts["in_reply_to"]), problems


def parse_responses(text: str, rel: str, cls: type[R] = Response
                    ) -> tuple[list[R], list[str]]:
    """Valid responses of one file's text, in file order, and a problem line per defect."""
    try:
        data = load_yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        reason = getattr(error, "problem", None) or str(error)
        return [], [problem(rel, where, reason, "valid YAML: a list of mappings")]
    if data is None:
        return [], []
    if not isinstance(data, list):
        return [], [
            problem(rel, "file", type(data).__name__, "a YAML list of mappings (- id: ...)")
        ]
    responses: list[R] = []
    problems: list[str] = []
    seen: set[str] = set()
    for index, raw in enumerate(data, start=1):
        response, found = validate_entry(raw, index, rel, cls)
        problems.extend(found)
        if response is None:
            continue
        if response.id in seen:
            problems.append(problem(rel, f"entry #{index}", response.id,
                                    "id already used earlier in this file (entry skipped)"))
            continue
        seen.add(response.id)
        responses.append(response)
    return responses, problems


def load_responses(path: Path, rel: str | None = None, cls: type[R] = Response
                   ) -> tuple[list[R], list[str]]:
    """Valid responses of one YAML file and its problem lines (rel names it in messages)."""
    rel = rel or path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [], [problem(rel, "file", str(error), "a readable UTF-8 YAML file")]
    return parse_responses(text, rel, cls)


# -- appending -------------------------------------------------------------------------


class FormatError(ValueError):
    """A responses file that cannot be appended to; the message says why."""


def existing_entries(text: str) -> list[dict]:
    """The entries of a file's text; FormatError unless it is a YAML list of mappings."""
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        raise FormatError(f"not valid YAML ({str(exc).splitlines()[0]})") from None
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise FormatError(f"expected a YAML list of responses, found {type(data).__name__}")
    return data


def known_ids(entries: list[dict]) -> set[str]:
    return {str(entry.get("id")) for entry in entries if entry.get("id") is not None}


def append_text(text: str, old: list[dict], new: list[dict],
                dump: Callable[[list[dict]], str]) -> str:
    """text with the new entries appended (dump writes them as YAML): every existing byte
    stays, except a lone empty flow list `[]`, which block items cannot follow.
    FormatError if the result would not be the old entries followed by the new ones."""
    content = "\n".join(line for line in text.splitlines()
                        if line.strip() and not line.lstrip().startswith("#")).strip()
    if content == "[]":
        text = "".join(line + "\n" for line in text.splitlines() if line.strip() != "[]")
    elif text and not text.endswith("\n"):
        text += "\n"
    combined = text + dump(new)
    try:
        check = load_yaml(combined)
    except yaml.YAMLError:
        check = None
    if (not isinstance(check, list) or len(check) != len(old) + len(new)
            or [e.get("id") for e in check[len(old):]] != [e["id"] for e in new]):
        raise FormatError("appending would change existing entries")
    return combined


def remove_entries_text(text: str, ids: set[str]) -> tuple[str, list[str]]:
    """text without the entries with these ids, and the ids removed; every other line stays
    as it is (the file is cut at its top-level `- ` items, not dumped again)."""
    starts = [m.start() for m in re.finditer(r"^- ", text, re.MULTILINE)]
    if not starts:
        return text, []
    pieces = [text[: starts[0]]] + [
        text[start:end] for start, end in zip(starts, starts[1:] + [len(text)], strict=True)
    ]
    kept, removed = [pieces[0]], []
    for piece in pieces[1:]:
        try:
            item = yaml.safe_load(piece)
        except yaml.YAMLError:
            item = None
        if isinstance(item, list) and item and isinstance(item[0], dict):
            if str(item[0].get("id")) in ids:
                removed.append(str(item[0].get("id")))
                continue
        kept.append(piece)
    if not removed:
        return text, []
    combined = "".join(kept)
    check = yaml.safe_load(combined) if combined.strip() else []
    if check is not None and not isinstance(check, list):
        raise FormatError("removing entries would not leave a list")
    return (combined if check else "[]\n"), removed


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file and rename it: a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
