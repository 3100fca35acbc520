"""The pages that accept responses, read from the list the build publishes with the site.

The build writes `_resonanz/targets.json` (plugins/resonanz_responses/targets.py). The
receiver reads it from the site URL or from a local output folder and keeps it for a few
minutes, so a new post accepts responses shortly after it is deployed. Nothing is guessed from URLs.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from pathlib import Path

from .targets import TargetError, site_relative_path

logger = logging.getLogger(__name__)

CACHE_SECONDS = 300.0


class TargetsUnavailable(RuntimeError):
    """The list could not be read and no earlier copy is known."""


def page_key(relative: str) -> str:
    """A page's path below the site, as compared: no slashes around, no index.html."""
    segments = [s for s in relative.split("/") if s]
    if segments and segments[-1] in ("index.html", "index.htm"):
        segments.pop()
    return "/".join(segments)


def parse_targets(data: bytes, source: str) -> list[dict]:
    try:
        document = json.loads(data)
        entries = document["targets"]
        if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("path"), str) for e in entries
        ):
            raise TypeError("targets must be a list of objects with a path")
    except (ValueError, KeyError, TypeError) as exc:
        raise TargetsUnavailable(f"{source}: not a Resonanz targets list ({exc})") from None
    return entries


class SiteTargets:
    """Thread-safe cache of the list; `find` answers which entry a target URL is."""

    def __init__(self, source: str, site_url: str, ttl: float = CACHE_SECONDS) -> None:
        self.source = source
        self.site_url = site_url
        self.ttl = ttl
        self._by_key: dict[str, dict] | None = None
        self._loaded = 0.0
        self._lock = threading.Lock()

    def _read(self) -> bytes:
        if self.source.startswith(("http://", "https://")):
            request = urllib.request.Request(
                self.source, headers={"User-Agent": "Resonanz-Receiver/0.1"}
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.read(8 * 1024 * 1024)
        return Path(self.source).read_bytes()

    def entries(self) -> dict[str, dict]:
        with self._lock:
            if self._by_key is None or time.monotonic() - self._loaded > self.ttl:
                try:
                    parsed = parse_targets(self._read(), self.source)
                except (OSError, TargetsUnavailable) as exc:
                    if self._by_key is None:
                        raise TargetsUnavailable(
                            f"the list of pages that accept responses ({self.source}) cannot "
                            f"be read: {exc}"
                        ) from None
                    # keep answering from the last good copy; try again after a while
                    logger.warning("receiver: keeping the old targets list: %s", exc)
                else:
                    self._by_key = {page_key(e["path"]): e for e in parsed}
                self._loaded = time.monotonic()
            return self._by_key

    def find(self, target: str) -> dict | None:
        """The entry of a target URL on our site, None if the site lists no such page.

        TargetError (foreign) for a URL on another site; TargetsUnavailable if unknown.
        """
        relative = site_relative_path(target, self.site_url)
        if any(s in (".", "..") for s in relative.split("/")):
            raise TargetError(f"target {target!r} has '.' or '..' in its path")
        return self.entries().get(page_key(relative))

    def by_trackback_key(self, key: str) -> dict | None:
        """The entry whose TrackBack URL names `key` (pages/<slug>, episodes/<slug>, <slug>)."""
        for entry in self.entries().values():
            if entry.get("key") == key and entry.get("pings"):
                return entry
        return None

    def by_slug(self, slug: str) -> dict | None:
        """The entry a `/trackback/<slug>` URL names (the build writes {slug} there)."""
        for entry in self.entries().values():
            if entry.get("slug") == slug and entry.get("pings"):
                return entry
        return None
