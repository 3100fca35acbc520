"""Load and validate content/responses/<slug>.yaml files into Response records."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from .sanitise import safe_url

TYPES = ("comment", "trackback", "pingback", "webmention", "like", "repost")
LINKBACK_TYPES = ("trackback", "pingback", "webmention")
STATUSES = ("approved", "pending", "spam")
FIELDS = (
    "id",
    "type",
    "status",
    "author",
    "author_url",
    "url",
    "title",
    "content",
    "published",
    "in_reply_to",
)
PLUGIN = "responses"


@dataclasses.dataclass
class Response:
    """One comment, linkback, like or repost as written in the YAML file (content untrusted)."""

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
    # Filled by the plugin at build time from content: safe HTML and a plain-text excerpt.
    html: str = ""
    excerpt: str = ""

    @property
    def site(self) -> str:
        """Host name of the source (or the author's site), without 'www.'."""
        host = urlsplit(self.url or self.author_url).hostname or ""
        return host.removeprefix("www.")

    @property
    def anchor(self) -> str:
        """Fragment id of this response on the article page."""
        return "antwort-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in self.id)


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


def validate_entry(raw: object, index: int, rel: str) -> tuple[Response | None, list[str]]:
    """A Response from one YAML mapping, or None with the reasons; problems name the entry."""
    entry = f"entry #{index}"
    if not isinstance(raw, dict):
        return None, [problem(rel, entry, raw, "expected a mapping with id, type, status, ...")]
    ident = _text(raw.get("id"))
    if ident:
        entry = f"entry #{index} (id {ident!r})"
    problems: list[str] = []
    for key in raw:
        if key not in FIELDS:
            problems.append(
                problem(
                    rel,
                    str(key),
                    raw[key],
                    "unknown field (typo?); known: " + ", ".join(FIELDS),
                    entry,
                )
            )
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
        problems.append(
            problem(
                rel,
                "published",
                raw.get("published"),
                "ISO 8601 date and time with time zone, e.g. 2026-03-26T12:39:00+01:00",
                entry,
            )
        )
    texts = {}
    for field in ("author", "title", "content", "in_reply_to"):
        texts[field] = _text(raw.get(field))
        if texts[field] is None:
            problems.append(problem(rel, field, raw.get(field), "a string", entry))
    if kind == "comment" and not texts["author"]:
        problems.append(
            problem(rel, "author", raw.get("author"), "a name (required for comments)", entry)
        )
    url = safe_url(_text(raw.get("url")))
    if raw.get("url") and not url:
        problems.append(problem(rel, "url", raw.get("url"), "an absolute http(s) URL", entry))
    elif kind in TYPES and kind != "comment" and not url:
        problems.append(
            problem(rel, "url", raw.get("url"), f"the source URL (required for {kind})", entry)
        )
    author_url = safe_url(_text(raw.get("author_url")))
    fatal = [p for p in problems if ": unknown field" not in p]
    if raw.get("author_url") and not author_url:
        # Not fatal: the name is shown without a link.
        problems.append(
            problem(
                rel,
                "author_url",
                raw.get("author_url"),
                "an absolute http(s) URL (shown without link)",
                entry,
            )
        )
    if fatal:
        return None, problems
    return (
        Response(
            id=ident,
            type=kind,
            status=status,
            published=published,
            author=texts["author"],
            author_url=author_url,
            url=url,
            title=texts["title"],
            content=texts["content"],
            in_reply_to=texts["in_reply_to"],
        ),
        problems,
    )


def parse_responses(text: str, rel: str) -> tuple[list[Response], list[str]]:
    """Valid responses of one file's text, in file order, and a problem line per defect."""
    try:
        # libyaml's loader when PyYAML has it: ten times faster on big archives, same result
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
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
    responses: list[Response] = []
    problems: list[str] = []
    seen: set[str] = set()
    for index, raw in enumerate(data, start=1):
        response, found = validate_entry(raw, index, rel)
        problems.extend(found)
        if response is None:
            continue
        if response.id in seen:
            problems.append(
                problem(
                    rel,
                    f"entry #{index}",
                    response.id,
                    "id already used earlier in this file (entry skipped)",
                )
            )
            continue
        seen.add(response.id)
        responses.append(response)
    return responses, problems


def load_responses(path: Path, rel: str | None = None) -> tuple[list[Response], list[str]]:
    """Valid responses of one YAML file and its problem lines (rel names it in messages)."""
    rel = rel or path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [], [problem(rel, "file", str(error), "a readable UTF-8 YAML file")]
    return parse_responses(text, rel)


def is_blocked(response: Response, domains: list[str], authors: list[str]) -> bool:
    """True if the response comes from a blocked domain (or subdomain) or author."""
    blocked_authors = {a.strip().casefold() for a in authors}
    if response.author and response.author.strip().casefold() in blocked_authors:
        return True
    blocked = [d.strip().lower().lstrip(".") for d in domains if d.strip()]
    for url in (response.url, response.author_url):
        host = (urlsplit(url).hostname or "").lower() if url else ""
        if host and any(host == d or host.endswith("." + d) for d in blocked):
            return True
    return False
