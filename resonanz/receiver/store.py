"""SQLite storage: the queue of mentions, their verification and moderation state."""

from __future__ import annotations

import logging
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from resonanz.responses_format import response_id

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS mentions (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,            -- secret part of the status URL
    kind TEXT NOT NULL,                  -- webmention|pingback|trackback
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    source_host TEXT NOT NULL,
    verification TEXT NOT NULL,          -- queued|verified|failed|deleted
    moderation TEXT NOT NULL DEFAULT 'pending',  -- pending|approved|rejected|spam
    reason TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_until REAL NOT NULL DEFAULT 0, -- a worker owns the row until then
    type TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL DEFAULT '',
    author_url TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL DEFAULT '',
    published TEXT NOT NULL DEFAULT '',
    received TEXT NOT NULL,
    verified TEXT NOT NULL DEFAULT '',
    exported TEXT NOT NULL DEFAULT '',
    UNIQUE (source, target)
);
CREATE INDEX IF NOT EXISTS mentions_queue ON mentions (verification, lease_until, id);
CREATE TABLE IF NOT EXISTS blocked_domains (domain TEXT PRIMARY KEY, added TEXT NOT NULL);
-- comments from the form: what must never leave the database
CREATE TABLE IF NOT EXISTS commenters (
    mention_id INTEGER PRIMARY KEY,
    email TEXT NOT NULL DEFAULT '',
    client TEXT NOT NULL DEFAULT '',     -- keyed hash of the address, truncated
    notify TEXT NOT NULL DEFAULT 'no',   -- no|asked|confirmed
    notify_key TEXT NOT NULL DEFAULT ''  -- secret of the confirm/unsubscribe links
);
CREATE INDEX IF NOT EXISTS commenters_email ON commenters (email);
CREATE TABLE IF NOT EXISTS removals (     -- forgotten responses to take out of content/
    response_id TEXT PRIMARY KEY,
    target TEXT NOT NULL,
    requested TEXT NOT NULL,
    pushed TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS receiver_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# columns added after the first release; an older database gets them on start
ADDED_COLUMNS = {
    "pushed": "TEXT NOT NULL DEFAULT ''",  # when the live loop pushed the export
    "in_reply_to": "TEXT NOT NULL DEFAULT ''",
}

MODERATION_STATES = ("pending", "approved", "rejected", "spam")
LEASE_SECONDS = 120.0


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Mention:
    id: int
    key: str
    kind: str
    source: str
    target: str
    source_host: str
    verification: str
    moderation: str
    reason: str
    attempts: int
    lease_until: float
    type: str
    author: str
    author_url: str
    title: str
    content: str
    published: str
    received: str
    verified: str
    exported: str
    pushed: str = ""
    in_reply_to: str = ""

    @property
    def status(self) -> str:
        """One word for people: queued, failed, deleted, or the moderation state."""
        return self.moderation if self.verification == "verified" else self.verification

    @property
    def response_id(self) -> str:
        return response_id(self.kind, self.source, self.target)


class Store:
    """Thread-safe access: one connection per thread, writes in IMMEDIATE transactions."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._local = threading.local()
        # executescript commits on its own; CREATE ... IF NOT EXISTS is safe to repeat
        db = self._connection()
        db.executescript(SCHEMA)
        present = {row[1] for row in db.execute("PRAGMA table_info(mentions)")}
        for name, declaration in ADDED_COLUMNS.items():
            if name not in present:
                db.execute(f"ALTER TABLE mentions ADD COLUMN {name} {declaration}")

    def _connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=30000")
            self._local.db = db
        return db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # -- reading ---------------------------------------------------------------------------

    def get(self, mention_id: int) -> Mention | None:
        row = self._connection().execute("SELECT * FROM mentions WHERE id = ?", (mention_id,))
        found = row.fetchone()
        return Mention(**dict(found)) if found else None

    def by_key(self, key: str) -> Mention | None:
        found = (
            self._connection().execute("SELECT * FROM mentions WHERE key = ?", (key,)).fetchone()
        )
        return Mention(**dict(found)) if found else None

    def find(self, source: str, target: str) -> Mention | None:
        found = (
            self._connection()
            .execute("SELECT * FROM mentions WHERE source = ? AND target = ?", (source, target))
            .fetchone()
        )
        return Mention(**dict(found)) if found else None

    def list(self, status: str = "pending") -> list[Mention]:
        """Mentions by `status` (see Mention.status) or 'all'."""
        db = self._connection()
        if status == "all":
            rows = db.execute("SELECT * FROM mentions ORDER BY id")
        elif status in MODERATION_STATES:
            rows = db.execute(
                "SELECT * FROM mentions WHERE verification = 'verified' AND moderation = ? "
                "ORDER BY id",
                (status,),
            )
        else:
            rows = db.execute(
                "SELECT * FROM mentions WHERE verification = ? ORDER BY id", (status,)
            )
        return [Mention(**dict(row)) for row in rows]

    def count_queued(self) -> int:
        return (
            self._connection()
            .execute("SELECT count(*) FROM mentions WHERE verification = 'queued'")
            .fetchone()[0]
        )

    def blocked_domains(self) -> set[str]:
        return {row[0] for row in self._connection().execute("SELECT domain FROM blocked_domains")}

    # -- writing ---------------------------------------------------------------------------

    def enqueue(self, kind: str, source: str, target: str, host: str) -> tuple[Mention, bool]:
        """Queue a mention for verification; (mention, created). A repeat re-queues it."""
        with self.transaction() as db:
            existing = db.execute(
                "SELECT * FROM mentions WHERE source = ? AND target = ?", (source, target)
            ).fetchone()
            if existing is not None:
                if existing["verification"] != "queued":
                    # a re-sent Webmention means "the source changed": verify it again
                    db.execute(
                        "UPDATE mentions SET verification = 'queued', attempts = 0, "
                        "lease_until = 0, reason = '' WHERE id = ?",
                        (existing["id"],),
                    )
                return Mention(**dict(existing)), False
            cursor = db.execute(
                "INSERT INTO mentions (key, kind, source, target, source_host, verification, "
                "received) VALUES (?, ?, ?, ?, ?, 'queued', ?)",
                (secrets.token_urlsafe(16), kind, source, target, host, now_iso()),
            )
            found = db.execute("SELECT * FROM mentions WHERE id = ?", (cursor.lastrowid,))
            return Mention(**dict(found.fetchone())), True

    def add_verified(
        self, kind: str, source: str, host: str, data: dict[str, str]
    ) -> Mention | None:
        """Store a mention verified during the request (Pingback, TrackBack) as pending.

        None if the same source and target are already registered; an earlier failed
        attempt is replaced, so a sender can retry after fixing its link.
        """
        with self.transaction() as db:
            existing = db.execute(
                "SELECT verification FROM mentions WHERE source = ? AND target = ?",
                (source, data["target"]),
            ).fetchone()
            if existing is not None:
                if existing["verification"] in ("verified", "queued"):
                    return None
                db.execute(
                    "DELETE FROM mentions WHERE source = ? AND target = ?",
                    (source, data["target"]),
                )
            cursor = db.execute(
                "INSERT INTO mentions (key, kind, source, target, source_host, verification, "
                "received, verified, type, author, author_url, title, content, published) "
                "VALUES (?, ?, ?, ?, ?, 'verified', ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    secrets.token_urlsafe(16),
                    kind,
                    source,
                    data["target"],
                    host,
                    now_iso(),
                    now_iso(),
                    data["type"],
                    data["author"],
                    data["author_url"],
                    data["title"],
                    data["content"],
                    data["published"],
                ),
            )
            found = db.execute("SELECT * FROM mentions WHERE id = ?", (cursor.lastrowid,))
            return Mention(**dict(found.fetchone()))

    def claim(self, lease: float = LEASE_SECONDS) -> Mention | None:
        """Take the oldest queued mention no other worker holds; it stays 'queued'."""
        now = time.time()
        with self.transaction() as db:
            row = db.execute(
                "SELECT * FROM mentions WHERE verification = 'queued' AND lease_until < ? "
                "ORDER BY id LIMIT 1",
                (now,),
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE mentions SET lease_until = ?, attempts = attempts + 1 WHERE id = ?",
                (now + lease, row["id"]),
            )
            mention = Mention(**dict(row))
            mention.attempts += 1
            mention.lease_until = now + lease  # the claim token finish() checks
            return mention

    def finish(
        self,
        mention: Mention,
        verification: str,
        reason: str = "",
        data: dict[str, str] | None = None,
        retry_after: float = 0.0,
    ) -> None:
        """Commit a verification outcome; only the worker holding the lease may."""
        with self.transaction() as db:
            current = db.execute(
                "SELECT verification, lease_until FROM mentions WHERE id = ?", (mention.id,)
            ).fetchone()
            if (
                current is None
                or current["verification"] != "queued"
                or (current["lease_until"] != mention.lease_until)
            ):
                return  # re-queued or deleted meanwhile: the newer request wins
            if verification == "queued":  # a temporary failure: try again later
                db.execute(
                    "UPDATE mentions SET lease_until = ?, reason = ? WHERE id = ?",
                    (time.time() + retry_after, reason, mention.id),
                )
            elif verification == "verified" and data is not None:
                db.execute(
                    "UPDATE mentions SET verification = 'verified', reason = '', verified = ?, "
                    "lease_until = 0, type = ?, author = ?, author_url = ?, title = ?, "
                    "content = ?, published = ?, target = ? WHERE id = ?",
                    (
                        now_iso(),
                        data["type"],
                        data["author"],
                        data["author_url"],
                        data["title"],
                        data["content"],
                        data["published"],
                        mention.target,
                        mention.id,
                    ),
                )
            else:
                # failed or deleted: keep only what the status URL needs, no content
                db.execute(
                    "UPDATE mentions SET verification = ?, reason = ?, verified = ?, "
                    "lease_until = 0, author = '', author_url = '', title = '', content = '' "
                    "WHERE id = ?",
                    (verification, reason, now_iso(), mention.id),
                )

    def moderate(self, mention_id: int, state: str) -> Mention:
        if state not in MODERATION_STATES:
            raise ValueError(f"moderation state {state!r}: expected one of {MODERATION_STATES}")
        with self.transaction() as db:
            row = db.execute("SELECT * FROM mentions WHERE id = ?", (mention_id,)).fetchone()
            if row is None:
                raise KeyError(f"no mention with id {mention_id}")
            if row["verification"] != "verified":
                raise ValueError(
                    f"mention {mention_id} is {row['verification']}, only verified mentions "
                    "can be moderated"
                )
            db.execute("UPDATE mentions SET moderation = ? WHERE id = ?", (state, mention_id))
        return self.get(mention_id)  # type: ignore[return-value]

    def mark_exported(self, ids: list[int]) -> None:
        with self.transaction() as db:
            db.executemany(
                "UPDATE mentions SET exported = ? WHERE id = ?", [(now_iso(), i) for i in ids]
            )

    def block(self, domain: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO blocked_domains (domain, added) VALUES (?, ?)",
                (domain.lower().strip("."), now_iso()),
            )

    def unblock(self, domain: str) -> bool:
        with self.transaction() as db:
            cursor = db.execute(
                "DELETE FROM blocked_domains WHERE domain = ?", (domain.lower().strip("."),)
            )
            return cursor.rowcount > 0

    def purge_failed(self, older_than_days: float = 7) -> int:
        """Drop failed/deleted rows once their status URL has had time to be read."""
        cutoff = datetime.fromtimestamp(time.time() - older_than_days * 86400, UTC)
        with self.transaction() as db:
            cursor = db.execute(
                "DELETE FROM mentions WHERE verification IN ('failed', 'deleted') AND verified < ?",
                (cutoff.isoformat(timespec="seconds"),),
            )
            return cursor.rowcount
