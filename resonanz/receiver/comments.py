"""Comments from the site's form: spam defences, checks, storage, notifications.

No third party is asked: a honeypot field, a rate limit per client (the address is kept
only as a keyed, truncated hash), a signed time token when JavaScript runs, link and
length limits, the block list, and first-time commenters always go to moderation.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from urllib.parse import urlsplit

from . import mail
from .comment_store import CommentStore
from .comment_text import comment_html, count_links
from .service import RateLimiter, Receiver, Refused
from .store import Mention
from .verify import plain_text

logger = logging.getLogger(__name__)

EMAIL = re.compile(r"^[^@\s<>\"'(),;:\\]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")
RESPONSE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")
HOST_IN_TEXT = re.compile(r"https?://([^/\s<>\"'?#:]+)", re.IGNORECASE)


class CommentRefused(Exception):
    """A comment not taken; `message` is for the reader (German), `status` for HTTP."""

    def __init__(self, reason: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.reason = reason
        self.status = status


class CommentDesk:
    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self.config = receiver.config
        self.comments = CommentStore(receiver.store)
        self.secret = (self.config.secret or self.comments.secret("form")).encode()
        self.rate = RateLimiter(self.config.comment_rate_limit, self.config.rate_window)

    # -- the time token --------------------------------------------------------------------

    def _sign(self, issued: str) -> str:
        return hmac.new(self.secret, f"comment-token:{issued}".encode(), hashlib.sha256).hexdigest()

    def issue_token(self, now: float | None = None) -> str:
        issued = str(int((time.time() if now is None else now) * 1000))
        return f"{issued}.{self._sign(issued)[:32]}"

    def check_token(self, token: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        issued, _, signature = token.partition(".")
        if not issued.isdigit() or not hmac.compare_digest(signature, self._sign(issued)[:32]):
            raise CommentRefused(
                "forged_token", "Das Formular ist ungültig. Bitte Seite neu laden."
            )
        age = now - int(issued) / 1000
        if age < self.config.comment_min_seconds:
            raise CommentRefused(
                "too_fast", "Das ging zu schnell. Bitte nimm dir einen Moment Zeit."
            )
        if age > self.config.comment_token_hours * 3600:
            raise CommentRefused(
                "expired_token", "Das Formular ist abgelaufen. Bitte lade die Seite neu."
            )

    def client_key(self, address: str) -> str:
        """The client's address as stored: a keyed hash, truncated; never the address."""
        return hmac.new(self.secret, address.encode(), hashlib.sha256).hexdigest()[:16]

    # -- taking a comment ------------------------------------------------------------------

    def submit(self, form: dict[str, str], address: str, now: float | None = None) -> Mention:
        """Check and store one comment; raises CommentRefused with the reader's message."""
        if form.get("homepage", ""):
            raise CommentRefused("honeypot", "Der Kommentar wurde nicht angenommen.")
        if form.get("consent", "") != "1":
            raise CommentRefused(
                "no_consent", "Bitte stimme der Speicherung zu (Kästchen am Ende)."
            )
        client = self.client_key(address)
        if not self.rate.allow(client):
            raise CommentRefused(
                "rate_limited", "Zu viele Kommentare in kurzer Zeit. Bitte später erneut.", 429
            )
        if form.get("token", ""):
            self.check_token(form["token"], now)
        target = form.get("target", "")
        try:
            self.receiver.check_target(target, accepts="comments")
        except Refused as exc:
            status = 503 if exc.reason == "unavailable" else 400
            raise CommentRefused(
                exc.reason, "Zu dieser Seite können keine Kommentare geschrieben werden.", status
            ) from None
        data = self.clean(form, target)
        email = form.get("email", "").strip()
        if email and (len(email) > 254 or not EMAIL.match(email)):
            raise CommentRefused("invalid", "Die E-Mail-Adresse ist ungültig.")
        self.check_blocked(email, data["author_url"], form.get("text", ""))
        approve = self.config.comment_auto_approve and self.comments.has_approved(email)
        mention = self.comments.add(
            data, email, client, notify=form.get("notify", "") == "1", approved=approve
        )
        logger.info("receiver: comment %s on %s stored (%s)", mention.id, target, mention.status)
        if approve:
            self.after_approval(mention)
        else:
            self.tell_moderators(mention)
        return mention

    def clean(self, form: dict[str, str], target: str) -> dict[str, str]:
        """Sanitised fields; markup in a name or a URL is removed or refused, never kept."""
        name = plain_text(form.get("name", ""), 100)
        if not name:
            raise CommentRefused("invalid", "Bitte gib einen Namen an.")
        website = form.get("website", "").strip()
        if website:
            parts = urlsplit(website)
            if (
                parts.scheme not in ("http", "https")
                or not parts.hostname
                or len(website) > 300
                or re.search(r"[\s<>\"'`]", website)
            ):
                raise CommentRefused(
                    "invalid", "Die Website muss eine Adresse mit https:// oder http:// sein."
                )
        text = form.get("text", "").strip()
        if not text:
            raise CommentRefused("invalid", "Bitte schreib einen Kommentar.")
        if len(text) > self.config.comment_max_chars:
            raise CommentRefused(
                "too_long",
                f"Der Kommentar ist zu lang (höchstens {self.config.comment_max_chars} Zeichen).",
            )
        if count_links(text) > self.config.comment_max_links:
            raise CommentRefused(
                "too_many_links",
                f"Zu viele Links (höchstens {self.config.comment_max_links}).",
            )
        reply = form.get("in_reply_to", "").strip()
        if reply and not RESPONSE_ID.match(reply):
            raise CommentRefused("invalid", "Der Kommentar, auf den du antwortest, fehlt.")
        return {
            "target": target,
            "author": name,
            "author_url": website,
            "content": comment_html(text),
            "in_reply_to": reply,
        }

    def check_blocked(self, email: str, website: str, text: str) -> None:
        hosts = set(HOST_IN_TEXT.findall(text))
        if website:
            hosts.add(urlsplit(website).hostname or "")
        if email:
            hosts.add(email.rpartition("@")[2])
        for host in hosts:
            if host and self.receiver.is_blocked(host):
                raise CommentRefused("blocked", "Der Kommentar wurde nicht angenommen.", 403)

    # -- mail ------------------------------------------------------------------------------

    def link(self, path: str) -> str:
        base = self.config.public_url or f"http://{self.config.host}:{self.config.port}"
        return base.rstrip("/") + path

    def tell_moderators(self, mention: Mention) -> None:
        body = (
            f"Neuer Kommentar zu {mention.target}\n\n"
            f"Von: {mention.author}\n"
            + (f"Website: {mention.author_url}\n" if mention.author_url else "")
            + f"\n{plain_text(mention.content, 2000)}\n\n"
            f"Freigeben oder ablehnen: {self.link('/moderation')}#mention-{mention.id}\n"
        )
        mail.send_later(
            self.config,
            list(self.config.moderators),
            f"[Resonanz] Kommentar von {mention.author} wartet auf Freigabe",
            body,
        )

    def after_approval(self, mention: Mention) -> None:
        """Once a comment is public: ask its author to confirm notifications, tell the
        author of the comment it answers (if confirmed), and wake the live loop."""
        self.receiver.publish_soon()
        if mention.kind != "comment":
            return
        own = self.comments.commenter(mention.id)
        if own is not None and own.notify == "asked" and own.email:
            mail.send_later(
                self.config,
                [own.email],
                "[Resonanz] Bitte bestätigen: Benachrichtigung über Antworten",
                f"Dein Kommentar zu {mention.target} ist freigegeben.\n\n"
                "Du wolltest über Antworten benachrichtigt werden. Bitte bestätige das:\n"
                f"{self.link('/comments/confirm?key=' + own.notify_key)}\n\n"
                "Ohne Bestätigung bekommst du keine weitere Mail.\n"
                f"Abmelden: {self.link('/comments/unsubscribe?key=' + own.notify_key)}\n",
            )
        parent = self.comments.parent(mention)
        if parent is None:
            return
        theirs = self.comments.commenter(parent.id)
        if theirs is not None and theirs.notify == "confirmed" and theirs.email:
            mail.send_later(
                self.config,
                [theirs.email],
                f"[Resonanz] {mention.author} hat auf deinen Kommentar geantwortet",
                f"{mention.author} antwortet auf deinen Kommentar zu {mention.target}:\n\n"
                f"{plain_text(mention.content, 2000)}\n\n"
                f"Keine Benachrichtigungen mehr: "
                f"{self.link('/comments/unsubscribe?key=' + theirs.notify_key)}\n",
            )
