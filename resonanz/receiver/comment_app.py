"""HTTP side of comments: POST /comments (form or script), GET /comments/token, and the
confirm/unsubscribe links of reply notifications."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from .comments import CommentDesk, CommentRefused

logger = logging.getLogger(__name__)

StartResponse = Callable[..., object]
THANKS = "Danke! Dein Kommentar ist angekommen und erscheint nach der Freigabe."


class CommentEndpoints:
    def __init__(self, desk: CommentDesk, respond: Callable, read_form: Callable) -> None:
        self.desk = desk
        self.config = desk.config
        self.respond = respond
        self.read_form = read_form
        parts = urlsplit(self.config.site_url)
        self.site_origin = f"{parts.scheme}://{parts.netloc}"

    def cors(self, environ: dict) -> list[tuple[str, str]]:
        # only the site's own pages may read the answers (the token above all)
        if environ.get("HTTP_ORIGIN", "") == self.site_origin:
            return [("Access-Control-Allow-Origin", self.site_origin), ("Vary", "Origin")]
        return [("Vary", "Origin")]

    def handle(self, environ: dict, start_response: StartResponse, method: str, path: str):
        if method == "OPTIONS":
            return self.respond(
                start_response,
                204,
                b"",
                headers=self.cors(environ)
                + [
                    ("Access-Control-Allow-Methods", "GET, POST"),
                    ("Access-Control-Max-Age", "600"),
                ],
            )
        if path == "/comments/token":
            body = json.dumps({"token": self.desk.issue_token()}).encode()
            return self.respond(
                start_response,
                200,
                body,
                "application/json",
                headers=self.cors(environ) + [("Cache-Control", "no-store")],
            )
        if path in ("/comments/confirm", "/comments/unsubscribe"):
            key = parse_qs(environ.get("QUERY_STRING", "")).get("key", [""])[0]
            state = "confirmed" if path.endswith("confirm") else "no"
            found = self.desk.comments.set_notify(key, state)
            if found is None:
                return self.respond(start_response, 404, b"Unbekannter Link.\n")
            text = (
                "Bestätigt: Du bekommst eine E-Mail, wenn jemand auf deinen Kommentar antwortet."
                if state == "confirmed" and found.notify == "confirmed"
                else "Abgemeldet: Du bekommst keine Benachrichtigungen mehr."
            )
            return self.respond(start_response, 200, (text + "\n").encode())
        if method != "POST":
            return self.respond(
                start_response, 405, b"send comments with POST\n", headers=[("Allow", "POST")]
            )
        return self.post(environ, start_response)

    def post(self, environ: dict, start_response: StartResponse):
        wants_json = "application/json" in environ.get("HTTP_ACCEPT", "")
        form = self.read_form(environ)
        try:
            mention = self.desk.submit(form, environ.get("REMOTE_ADDR", ""))
        except CommentRefused as exc:
            logger.info("receiver: comment refused (%s): %s", exc.reason, exc)
            if wants_json:
                body = json.dumps({"ok": False, "reason": exc.reason, "message": str(exc)})
                return self.respond(
                    start_response,
                    exc.status,
                    body.encode(),
                    "application/json",
                    headers=self.cors(environ),
                )
            return self.respond(
                start_response,
                exc.status,
                f"{exc}\n\nBitte geh zurück und korrigiere das Formular.\n".encode(),
                "text/plain; charset=utf-8",
            )
        if wants_json:
            body = json.dumps({"ok": True, "status": mention.status, "message": THANKS})
            return self.respond(
                start_response, 200, body.encode(), "application/json", headers=self.cors(environ)
            )
        return self.respond(start_response, 303, b"", headers=[("Location", self.thanks_url(form))])

    def thanks_url(self, form: dict[str, str]) -> str:
        """The site's thank-you page the form names; never a page elsewhere (no open
        redirect)."""
        wanted = form.get("thanks", "")
        parts = urlsplit(wanted)
        if f"{parts.scheme}://{parts.netloc}" == self.site_origin and parts.path.startswith("/"):
            return wanted
        return self.config.site_url.rstrip("/") + "/kommentar-danke/"
