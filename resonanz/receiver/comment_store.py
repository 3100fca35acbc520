"""SQLite side of comments and of the live loop: commenters' private data, what is pushed,
what was forgotten. Shares the connection and transactions of the mentions Store."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from resonanz.responses_format import response_id

from .store import Mention, Store, now_iso


@dataclass
class Commenter:
    mention_id: int
    email: str
    client: str
    notify: str  # no|asked|confirmed
    notify_key: str


class CommentStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    def secret(self, name: str) -> str:
        """A random key made on first use and kept, so tokens survive a restart."""
        with self.store.transaction() as db:
            row = db.execute(
                "SELECT value FROM receiver_secrets WHERE name = ?", (name,)
            ).fetchone()
            if row is not None:
                return row[0]
            value = secrets.token_hex(32)
            db.execute("INSERT INTO receiver_secrets (name, value) VALUES (?, ?)", (name, value))
            return value

    def add(
        self, data: dict[str, str], email: str, client: str, notify: bool, approved: bool
    ) -> Mention:
        """Store a form comment, already sanitised, as pending (or approved)."""
        key = secrets.token_urlsafe(16)
        source = f"urn:resonanz:comment:{key}"
        with self.store.transaction() as db:
            cursor = db.execute(
                "INSERT INTO mentions (key, kind, source, target, source_host, verification, "
                "moderation, received, verified, type, author, author_url, content, published, "
                "in_reply_to) VALUES (?, 'comment', ?, ?, '', 'verified', ?, ?, ?, 'comment', "
                "?, ?, ?, ?, ?)",
                (
                    key,
                    source,
                    data["target"],
                    "approved" if approved else "pending",
                    now_iso(),
                    now_iso(),
                    data["author"],
                    data["author_url"],
                    data["content"],
                    now_iso(),
                    data["in_reply_to"],
                ),
            )
            db.execute(
                "INSERT INTO commenters (mention_id, email, client, notify, notify_key) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    cursor.lastrowid,
                    email,
                    client,
                    "asked" if notify and email else "no",
                    secrets.token_urlsafe(24),
                ),
            )
            mention_id = cursor.lastrowid
        return self.store.get(mention_id)  # type: ignore[return-value]

    def commenter(self, mention_id: int) -> Commenter | None:
        row = (
            self.store._connection()
            .execute("SELECT * FROM commenters WHERE mention_id = ?", (mention_id,))
            .fetchone()
        )
        return Commenter(**dict(row)) if row else None

    def has_approved(self, email: str) -> bool:
        """Whether this address already wrote a comment a moderator approved."""
        if not email:
            return False
        row = (
            self.store._connection()
            .execute(
                "SELECT 1 FROM commenters c JOIN mentions m ON m.id = c.mention_id "
                "WHERE c.email = ? AND m.moderation = 'approved' LIMIT 1",
                (email,),
            )
            .fetchone()
        )
        return row is not None

    def parent(self, mention: Mention) -> Mention | None:
        """The form comment this one answers, if the answer is to one of ours."""
        if not mention.in_reply_to:
            return None
        rows = self.store._connection().execute(
            "SELECT * FROM mentions WHERE kind = 'comment' AND target = ?", (mention.target,)
        )
        for row in rows:
            candidate = Mention(**dict(row))
            if candidate.response_id == mention.in_reply_to:
                return candidate
        return None

    def set_notify(self, key: str, state: str) -> Commenter | None:
        """Confirm or end reply notifications by the secret of a mailed link."""
        if not key:
            return None
        with self.store.transaction() as db:
            row = db.execute("SELECT * FROM commenters WHERE notify_key = ?", (key,)).fetchone()
            if row is None:
                return None
            if state == "confirmed" and row["notify"] == "no":
                return Commenter(**dict(row))  # an unsubscribed address stays unsubscribed
            db.execute("UPDATE commenters SET notify = ? WHERE notify_key = ?", (state, key))
        return Commenter(**{**dict(row), "notify": state})

    # -- the live loop ---------------------------------------------------------------------

    def unpushed(self) -> list[Mention]:
        """Approved responses the site's repository does not have yet, oldest first."""
        rows = self.store._connection().execute(
            "SELECT * FROM mentions WHERE verification = 'verified' AND moderation = 'approved' "
            "AND pushed = '' ORDER BY id"
        )
        return [Mention(**dict(row)) for row in rows]

    def mark_pushed(self, ids: list[int], removal_ids: list[str]) -> None:
        with self.store.transaction() as db:
            stamp = now_iso()
            db.executemany("UPDATE mentions SET pushed = ? WHERE id = ?", [(stamp, i) for i in ids])
            db.executemany(
                "UPDATE removals SET pushed = ? WHERE response_id = ?",
                [(stamp, r) for r in removal_ids],
            )

    def pending_removals(self) -> list[tuple[str, str]]:
        """(response id, target URL) of forgotten responses still in the repository."""
        rows = self.store._connection().execute(
            "SELECT response_id, target FROM removals WHERE pushed = '' ORDER BY requested"
        )
        return [(row[0], row[1]) for row in rows]

    def forget(self, email: str) -> list[Mention]:
        """Delete every comment and all data of one e-mail address; what was published is
        queued for removal from content/responses/ by the live loop."""
        with self.store.transaction() as db:
            rows = db.execute(
                "SELECT m.* FROM mentions m JOIN commenters c ON c.mention_id = m.id "
                "WHERE lower(c.email) = lower(?)",
                (email.strip(),),
            ).fetchall()
            mentions = [Mention(**dict(row)) for row in rows]
            for mention in mentions:
                if mention.exported or mention.pushed:
                    db.execute(
                        "INSERT OR REPLACE INTO removals (response_id, target, requested) "
                        "VALUES (?, ?, ?)",
                        (
                            response_id(mention.kind, mention.source, mention.target),
                            mention.target,
                            now_iso(),
                        ),
                    )
                db.execute("DELETE FROM commenters WHERE mention_id = ?", (mention.id,))
                db.execute("DELETE FROM mentions WHERE id = ?", (mention.id,))
        return mentions
