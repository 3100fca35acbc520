"""Map target URLs on our own site to article slugs (URL scheme `{date:%Y}/{date:%m}/{slug}/`)."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,199}$", re.IGNORECASE)
# listing pages can be linked but have no responses file
NOT_ARTICLES = ("kategorie", "schlagwort", "autor", "feeds", "page", "theme", "images")


class TargetError(ValueError):
    """A target URL that is not an article on our site; `foreign` if on another site."""

    def __init__(self, message: str, foreign: bool = False) -> None:
        super().__init__(message)
        self.foreign = foreign


def _origin(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    default = 443 if parts.scheme == "https" else 80
    return (parts.hostname or "").lower(), (None if port in (None, default) else port)


def site_relative_path(target: str, site_url: str) -> str:
    """The target's path below the site URL; TargetError if the target is elsewhere.

    http and https count as the same site: older blogs often link the http URL.
    """
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetError(f"target {target!r} is not an http(s) URL", foreign=True)
    if _origin(target) != _origin(site_url):
        raise TargetError(f"target {target!r} is not on this site ({site_url})", foreign=True)
    base = urlsplit(site_url).path.rstrip("/") + "/"
    path = unquote(parts.path or "/")
    if not (path + "/").startswith(base):
        raise TargetError(f"target {target!r} is not below {site_url}", foreign=True)
    return path[len(base) :]


def article_slug(target: str, site_url: str) -> str:
    """The slug of the article a target URL points at: the last non-empty path segment."""
    relative = site_relative_path(target, site_url)
    segments = [s for s in relative.split("/") if s]
    if any(s in (".", "..") for s in segments):
        raise TargetError(f"target {target!r} has '.' or '..' in its path")
    if segments and segments[-1] in ("index.html", "index.htm"):
        segments.pop()
    if not segments:
        raise TargetError(f"target {target!r} is the site's front page, not an article")
    if segments[0] in NOT_ARTICLES:
        raise TargetError(f"target {target!r} is a listing page, not an article")
    slug = segments[-1].removesuffix(".html")
    if not SLUG.match(slug):
        raise TargetError(f"target {target!r}: {slug!r} is not an article slug")
    return slug
