"""Responses as the build uses them: the format's entries (resonanz.responses_format) with
the HTML and excerpt the plugin makes, and the block list."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from urllib.parse import urlsplit

from resonanz import responses_format


@dataclasses.dataclass
class Response(responses_format.Response):
    """One entry of a responses file (content untrusted) with what the build makes of it."""

    # Filled by the plugin at build time from content: safe HTML and a plain-text excerpt.
    html: str = ""
    excerpt: str = ""


def parse_responses(text: str, rel: str) -> tuple[list[Response], list[str]]:
    """Valid responses of one file's text, in file order, and a problem line per defect."""
    return responses_format.parse_responses(text, rel, Response)


def load_responses(path: Path, rel: str | None = None) -> tuple[list[Response], list[str]]:
    """Valid responses of one YAML file and its problem lines (rel names it in messages)."""
    return responses_format.load_responses(path, rel, Response)


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
