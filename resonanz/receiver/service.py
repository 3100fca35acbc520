"""The receiver's rules, independent of HTTP: checks, rate limits, verification, the worker."""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .config import ReceiverConfig
from .fetch import FetchError, fetch, resolve_source
from .site_targets import SiteTargets, TargetsUnavailable
from .store import Mention, Store
from .targets import TargetError
from .verify import Extracted, NoLinkError, exact_target, extract, normalise_url

logger = logging.getLogger(__name__)

RETRY_SECONDS = (30.0, 300.0, 1800.0)


class Refused(Exception):
    """A request the receiver will not accept; `reason` is a short machine word."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        # invalid|blocked|rate_limited|refused|not_found|foreign_target|bad_target|queue_full
        # |unavailable
        self.reason = reason


class RateLimiter:
    """Sliding window per source host, in memory: a restart forgets, nothing else needs it."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, host: str) -> bool:
        now = time.monotonic()
        with self._lock:
            hits = self._hits[host]
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > 10000:  # forget idle hosts so memory stays bounded
                for idle in [h for h, q in self._hits.items() if not q]:
                    del self._hits[idle]
            return True


def read_blocklist(path: str) -> set[str]:
    if not path:
        return set()
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ValueError(f"RESONANZ_RECEIVER_BLOCKLIST = {path!r}: cannot read: {exc}") from None
    return {
        line.split("#", 1)[0].strip().lower().strip(".")
        for line in lines
        if line.split("#", 1)[0].strip()
    }


class Receiver:
    """Shared by the WSGI app, the worker threads and the CLI."""

    def __init__(self, config: ReceiverConfig, store: Store | None = None) -> None:
        self.config = config
        self.store = store or Store(config.db_path)
        self.rate = RateLimiter(config.rate_limit, config.rate_window)
        self.file_blocklist = read_blocklist(config.blocklist_file) | set(config.extra_blocked)
        self.wakeup = threading.Event()
        self.targets = SiteTargets(config.targets_source, config.site_url)
        # set when an approval should reach the site's repository (live.Publisher waits)
        self.publish_wakeup = threading.Event()

    def publish_soon(self) -> None:
        self.publish_wakeup.set()

    # -- checks done while the sender waits -------------------------------------------------

    def check_target(self, target: str, accepts: str = "pings") -> dict:
        """The target's entry in the site's list of pages that accept responses.

        `accepts` is "pings" (linkbacks) or "comments". Refused('foreign_target') for
        another site, 'bad_target' for a page that does not take them (an archive, a
        listing, a legal page), 'unavailable' if the list cannot be read.
        """
        try:
            entry = self.targets.find(target)
        except TargetError as exc:
            raise Refused("foreign_target" if exc.foreign else "bad_target", str(exc)) from None
        except TargetsUnavailable as exc:
            raise Refused("unavailable", str(exc)) from None
        if entry is None or not entry.get(accepts):
            raise Refused(
                "bad_target", f"target {target!r} is not a page that accepts {accepts} here"
            )
        if self.config.output_dir:
            relative = urlsplit(target).path[len(urlsplit(self.config.site_url).path.rstrip("/")) :]
            page = Path(self.config.output_dir, relative.strip("/"))
            if not (page / "index.html").is_file() and not page.is_file():
                raise Refused("missing_target", f"target {target!r} does not exist on the site")
        return entry

    def trackback_entry(self, path: str) -> dict:
        """The page a `/trackback/<slug>` URL is for; Refused unless it takes pings."""
        segments = [s for s in unquote(path).split("/") if s]
        if not segments or any(s in (".", "..") for s in segments):
            raise Refused("bad_target", f"trackback path {path!r} names no page")
        try:
            entry = self.targets.by_trackback_key("/".join(segments))
            entry = entry or self.targets.by_slug(segments[-1])
        except TargetsUnavailable as exc:
            raise Refused("unavailable", str(exc)) from None
        if entry is None:
            raise Refused("bad_target", f"{segments[-1]!r} is not a page that accepts pings here")
        if not entry.get("url", "").startswith(("http://", "https://")):
            entry = {**entry, "url": self.config.site_url.rstrip("/") + entry["path"]}
        return entry

    def rate_exempt(self, host: str) -> bool:
        """Hosts that send for many people (Bridgy) are not rate limited."""
        labels = host.lower().strip(".").split(".")
        exempt = {h.lower().strip(".") for h in self.config.rate_exempt}
        return any(".".join(labels[i:]) in exempt for i in range(len(labels)))

    def is_blocked(self, host: str) -> bool:
        blocked = self.file_blocklist | self.store.blocked_domains()
        labels = host.lower().strip(".").split(".")
        return any(".".join(labels[i:]) in blocked for i in range(len(labels)))

    def check_source(self, source: str, target: str) -> str:
        """Validate the source before anything is stored or fetched; returns its host."""
        parts = urlsplit(source)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Refused("invalid", f"source {source!r} is not an http(s) URL")
        if len(source) > 2000:
            raise Refused("invalid", "source URL is longer than 2000 characters")
        if normalise_url(source) == normalise_url(target):
            raise Refused("invalid", "source and target are the same URL")
        host = parts.hostname.lower()
        if self.is_blocked(host):
            raise Refused("blocked", f"source host {host!r} is blocked")
        if not self.rate_exempt(host) and not self.rate.allow(host):
            raise Refused("rate_limited", f"too many requests for source host {host!r}")
        try:
            # checked now so a private source is refused before anything is queued; the
            # fetch checks again, because DNS may answer differently by then
            resolve_source(source, self.config.allow_private)
        except FetchError as exc:
            raise Refused("refused" if exc.kind == "refused" else "not_found", str(exc)) from None
        return host

    # -- verification -----------------------------------------------------------------------

    def verify_source(self, source: str, matches: Callable[[str], bool]) -> Extracted:
        """Fetch and check; raises FetchError or NoLinkError."""
        page = fetch(
            source,
            max_bytes=self.config.max_bytes,
            timeout=self.config.timeout,
            allow_private=self.config.allow_private,
            user_agent=f"{self.config.user_agent} (+{self.config.site_url})",
        )
        return extract(page, matches)

    def process_one(self) -> Mention | None:
        """Verify the oldest queued mention; None if the queue is empty."""
        mention = self.store.claim()
        if mention is None:
            return None
        try:
            found = self.verify_source(mention.source, exact_target(mention.target))
        except NoLinkError as exc:
            # a source that stopped linking deletes an earlier mention (Webmention 3.2.2)
            self.store.finish(mention, "deleted" if mention.verified else "failed", str(exc))
        except FetchError as exc:
            if exc.kind == "temporary" and mention.attempts < self.config.max_attempts:
                delay = RETRY_SECONDS[min(mention.attempts, len(RETRY_SECONDS)) - 1]
                self.store.finish(mention, "queued", str(exc), retry_after=delay)
            elif exc.kind == "gone":
                self.store.finish(mention, "deleted", str(exc))
            else:
                self.store.finish(mention, "failed", str(exc))
        except Exception as exc:  # a parser bug must not stop the worker; the row says why
            logger.exception("receiver: verifying mention %s failed", mention.id)
            self.store.finish(mention, "failed", f"internal error: {exc.__class__.__name__}")
        else:
            data = asdict(found)
            data["target"] = mention.target
            self.store.finish(mention, "verified", data=data)
        logger.debug("receiver: mention %s from %s processed", mention.id, mention.source)
        return mention

    def process_queue(self, stop: threading.Event | None = None) -> int:
        """Verify until nothing is due; returns how many mentions were processed."""
        done = 0
        while not (stop and stop.is_set()):
            if self.process_one() is None:
                break
            done += 1
        return done

    def run_worker(self, stop: threading.Event, poll: float = 1.0) -> None:
        """Worker thread body: process, then sleep until woken or `poll` seconds pass."""
        last_purge = 0.0
        while not stop.is_set():
            try:
                self.process_queue(stop)
                if time.monotonic() - last_purge > 3600:
                    self.store.purge_failed()
                    last_purge = time.monotonic()
            except Exception:  # e.g. the database is locked for 30 s; try again later
                logger.exception("receiver: worker error")
            self.wakeup.wait(poll)
            self.wakeup.clear()

    def start_workers(self, stop: threading.Event) -> list[threading.Thread]:
        """Verification threads, and the live loop's thread when a checkout is set."""
        threads = [
            threading.Thread(
                target=self.run_worker, args=(stop,), name=f"receiver-worker-{n}", daemon=True
            )
            for n in range(self.config.workers)
        ]
        if self.config.git_checkout:
            from .live import Publisher

            publisher = Publisher(self.store, self.config)
            threads.append(
                threading.Thread(
                    target=publisher.run,
                    args=(stop, self.publish_wakeup),
                    name="receiver-live-loop",
                    daemon=True,
                )
            )
        for thread in threads:
            thread.start()
        return threads
