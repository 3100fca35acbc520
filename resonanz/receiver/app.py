"""The WSGI application: Webmention, Pingback and TrackBack endpoints and the moderation page."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import logging
import re
import xmlrpc.client
from collections.abc import Callable, Iterable
from dataclasses import asdict
from http import HTTPStatus
from pathlib import Path
from urllib.parse import parse_qs, quote
from wsgiref.util import application_uri
from xml.parsers.expat import ExpatError

import lxml.etree as etree
import lxml.html
from lxml.html import builder as E

from .comment_app import CommentEndpoints
from .comments import CommentDesk
from .fetch import FetchError
from .service import Receiver, Refused
from .site_targets import page_key
from .store import MODERATION_STATES, Mention
from .targets import TargetError, site_relative_path
from .verify import NoLinkError, exact_target, plain_text, sanitise_html

logger = logging.getLogger(__name__)

StartResponse = Callable[..., object]

# Pingback 1.0 fault codes, plus the XML-RPC interop codes for broken requests
FAULT_GENERIC = 0
FAULT_SOURCE_MISSING = 0x0010
FAULT_NO_LINK = 0x0011
FAULT_TARGET_MISSING = 0x0020
FAULT_TARGET_UNUSABLE = 0x0021
FAULT_ALREADY_REGISTERED = 0x0030
FAULT_ACCESS_DENIED = 0x0031
FAULT_UPSTREAM = 0x0032
FAULT_PARSE_ERROR = -32700
FAULT_NO_METHOD = -32601
FAULT_BAD_PARAMS = -32602

REFUSAL_STATUS = {
    "invalid": 400,
    "foreign_target": 400,
    "bad_target": 400,
    "missing_target": 400,
    "refused": 400,
    "not_found": 400,
    "blocked": 403,
    "rate_limited": 429,
    "queue_full": 503,
    "unavailable": 503,
}
REFUSAL_FAULT = {
    "invalid": FAULT_SOURCE_MISSING,
    "not_found": FAULT_SOURCE_MISSING,
    "foreign_target": FAULT_TARGET_UNUSABLE,
    "bad_target": FAULT_TARGET_UNUSABLE,
    "missing_target": FAULT_TARGET_MISSING,
    "refused": FAULT_ACCESS_DENIED,
    "blocked": FAULT_ACCESS_DENIED,
    "rate_limited": FAULT_ACCESS_DENIED,
    "queue_full": FAULT_UPSTREAM,
    "unavailable": FAULT_UPSTREAM,
}
FETCH_FAULT = {
    "not_found": FAULT_SOURCE_MISSING,
    "gone": FAULT_SOURCE_MISSING,
    "refused": FAULT_ACCESS_DENIED,
}
SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'",
    ),
]
STYLESHEET = Path(__file__).with_name("moderation.css")


class TooLarge(Exception):
    pass


class ReceiverApp:
    """WSGI callable; all state lives in the Receiver (database, rate limits)."""

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self.config = receiver.config
        self.desk = CommentDesk(receiver)
        self.comments = CommentEndpoints(self.desk, respond, self.read_form)

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        method = environ.get("REQUEST_METHOD", "GET").upper()
        try:
            if path == "/webmention":
                return self.webmention(environ, start_response, method)
            if path.startswith("/webmention/status/"):
                return self.status(environ, start_response, path.rsplit("/", 1)[1])
            if path == "/comments" or path.startswith("/comments/"):
                return self.comments.handle(environ, start_response, method, path)
            if path in ("/xmlrpc", "/pingback"):
                return self.pingback(environ, start_response, method)
            if path.startswith("/trackback/"):
                return self.trackback(environ, start_response, method, path[len("/trackback/") :])
            if path == "/moderation":
                return self.moderation(environ, start_response, method)
            if path == "/moderation/style.css":
                return respond(start_response, 200, STYLESHEET.read_bytes(), "text/css")
            if path == "/":
                return respond(
                    start_response,
                    200,
                    b"Resonanz receiver: POST /webmention, "
                    b"/xmlrpc (pingback.ping), /trackback/<article>, /comments\n",
                )
            return respond(start_response, 404, b"not found\n")
        except TooLarge:
            return respond(start_response, 413, b"request body too large\n")

    # -- helpers ----------------------------------------------------------------------------

    def read_body(self, environ: dict) -> bytes:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.config.max_request_bytes:
            raise TooLarge
        return environ["wsgi.input"].read(length) if length > 0 else b""

    def read_form(self, environ: dict) -> dict[str, str]:
        return parse_form(self.read_body(environ), environ.get("CONTENT_TYPE", ""))

    def base_url(self, environ: dict) -> str:
        return (self.config.public_url or application_uri(environ)).rstrip("/")

    # -- Webmention -------------------------------------------------------------------------

    def webmention(self, environ: dict, start_response: StartResponse, method: str) -> list[bytes]:
        if method != "POST":
            return respond(
                start_response, 405, b"send Webmentions with POST\n", headers=[("Allow", "POST")]
            )
        form = self.read_form(environ)
        source, target = form.get("source", ""), form.get("target", "")
        if not source or not target:
            return respond(start_response, 400, b"both source and target are required\n")
        try:
            self.receiver.check_target(target)
            host = self.receiver.check_source(source, target)
            if self.receiver.store.count_queued() >= self.config.max_queue:
                raise Refused("queue_full", "the verification queue is full, try again later")
        except Refused as exc:
            logger.info("receiver: webmention %s -> %s refused: %s", source, target, exc)
            headers = (
                [("Retry-After", str(int(self.config.rate_window)))]
                if (exc.reason == "rate_limited")
                else []
            )
            return respond(
                start_response, REFUSAL_STATUS[exc.reason], f"{exc}\n".encode(), headers=headers
            )
        mention, _created = self.receiver.store.enqueue("webmention", source, target, host)
        self.receiver.wakeup.set()
        status_url = f"{self.base_url(environ)}/webmention/status/{mention.key}"
        return respond(
            start_response,
            202,
            f"Accepted: the Webmention is queued for verification.\n{status_url}\n".encode(),
            headers=[("Location", status_url)],
        )

    def status(self, environ: dict, start_response: StartResponse, key: str) -> list[bytes]:
        mention = self.receiver.store.by_key(key)
        if mention is None:
            return respond(start_response, 404, b"unknown status URL\n")
        body = {
            "status": mention.status,
            "source": mention.source,
            "target": mention.target,
            "received": mention.received,
            "verified": mention.verified,
        }
        if mention.reason:
            body["reason"] = mention.reason
        return respond(start_response, 200, json.dumps(body).encode(), "application/json")

    # -- Pingback ---------------------------------------------------------------------------

    def pingback(self, environ: dict, start_response: StartResponse, method: str) -> list[bytes]:
        if method != "POST":
            return respond(
                start_response, 405, b"XML-RPC needs POST\n", headers=[("Allow", "POST")]
            )
        body = self.read_body(environ)
        try:
            params, method_name = xmlrpc.client.loads(body)
        except (ExpatError, ValueError, TypeError, xmlrpc.client.ResponseError) as exc:
            return self.fault(start_response, FAULT_PARSE_ERROR, f"parse error: {exc}")
        if method_name != "pingback.ping":
            return self.fault(start_response, FAULT_NO_METHOD, f"no method {method_name!r}")
        if len(params) != 2 or not all(isinstance(p, str) for p in params):
            return self.fault(
                start_response,
                FAULT_BAD_PARAMS,
                "pingback.ping takes two strings: sourceURI, targetURI",
            )
        source, target = (p.strip() for p in params)
        try:
            self.receiver.check_target(target)
            host = self.receiver.check_source(source, target)
        except Refused as exc:
            logger.info("receiver: pingback %s -> %s refused: %s", source, target, exc)
            return self.fault(start_response, REFUSAL_FAULT[exc.reason], str(exc))
        existing = self.receiver.store.find(source, target)
        if existing is not None and existing.verification in ("verified", "queued"):
            return self.fault(
                start_response, FAULT_ALREADY_REGISTERED, "the pingback has already been registered"
            )
        try:
            found = self.receiver.verify_source(source, exact_target(target))
        except NoLinkError as exc:
            return self.fault(start_response, FAULT_NO_LINK, str(exc))
        except FetchError as exc:
            return self.fault(start_response, FETCH_FAULT.get(exc.kind, FAULT_UPSTREAM), str(exc))
        data = asdict(found)
        data.update(target=target, type="pingback")
        if self.receiver.store.add_verified("pingback", source, host, data) is None:
            return self.fault(
                start_response, FAULT_ALREADY_REGISTERED, "the pingback has already been registered"
            )
        answer = xmlrpc.client.dumps(
            (f"Pingback from {source} to {target} registered; shown after moderation.",),
            methodresponse=True,
        )
        return respond(start_response, 200, answer.encode(), "text/xml; charset=utf-8")

    def fault(self, start_response: StartResponse, code: int, message: str) -> list[bytes]:
        answer = xmlrpc.client.dumps(xmlrpc.client.Fault(code, message), methodresponse=True)
        # XML-RPC reports faults inside a 200 response
        return respond(start_response, 200, answer.encode(), "text/xml; charset=utf-8")

    # -- TrackBack --------------------------------------------------------------------------

    def trackback(
        self, environ: dict, start_response: StartResponse, method: str, article: str
    ) -> list[bytes]:
        if method != "POST":
            return trackback_answer(start_response, "TrackBack pings must be sent with POST", 405)
        form = self.read_form(environ)
        source = form.get("url", "")
        if not source:
            return trackback_answer(start_response, "the url parameter is required")
        try:
            entry = self.receiver.trackback_entry(article)
            target = entry["url"]
            host = self.receiver.check_source(source, target)
        except Refused as exc:
            logger.info("receiver: trackback %s -> %s refused: %s", source, article, exc)
            return trackback_answer(start_response, str(exc))
        page = page_key(entry["path"])

        def links_to_article(url: str) -> bool:
            try:
                return page_key(site_relative_path(url, self.config.site_url)) == page
            except TargetError:
                return False

        # the TrackBack spec trusts the sender; we check the link like a pingback
        try:
            found = self.receiver.verify_source(source, links_to_article)
            # the trackback URL may name only the slug; the link found is the real target
            self.receiver.check_target(found.target)
        except (NoLinkError, FetchError, Refused) as exc:
            return trackback_answer(start_response, str(exc))
        data = asdict(found)
        data.update(type="trackback", target=found.target)
        if form.get("blog_name"):
            # the sender's blog name replaces the page's author, and so does its URL
            data.update(author=plain_text(form["blog_name"]), author_url="")
        if form.get("title"):
            data["title"] = plain_text(form["title"])
        if form.get("excerpt"):
            data["content"] = sanitise_html(
                "<p>" + html.escape(plain_text(form["excerpt"], 500)) + "</p>"
            )
        if self.receiver.store.add_verified("trackback", source, host, data) is None:
            # a repeated ping is not an error for the sender, and is not stored twice
            logger.info("receiver: trackback %s -> %s already registered", source, target)
        return trackback_answer(start_response, None)

    # -- moderation -------------------------------------------------------------------------

    def authorised(self, environ: dict) -> bool:
        header = environ.get("HTTP_AUTHORIZATION", "")
        scheme, _, value = header.partition(" ")
        given = ""
        if scheme.lower() == "bearer":
            given = value.strip()
        elif scheme.lower() == "basic":
            try:
                given = base64.b64decode(value.strip()).decode("utf-8").partition(":")[2]
            except (ValueError, UnicodeDecodeError):
                return False
        return bool(given) and hmac.compare_digest(given.encode(), self.config.token.encode())

    def csrf_token(self) -> str:
        # browsers resend basic auth on cross-site form posts; this value they cannot read
        return hmac.new(
            self.config.token.encode(), b"resonanz-moderation", hashlib.sha256
        ).hexdigest()

    def moderation(self, environ: dict, start_response: StartResponse, method: str) -> list[bytes]:
        if not self.config.token:
            return respond(
                start_response, 404, b"moderation page disabled: set RESONANZ_RECEIVER_TOKEN\n"
            )
        if not self.authorised(environ):
            return respond(
                start_response,
                401,
                b"authentication required\n",
                headers=[
                    ("WWW-Authenticate", 'Basic realm="Resonanz moderation", charset="UTF-8"')
                ],
            )
        if method == "POST":
            form = self.read_form(environ)
            if not hmac.compare_digest(form.get("csrf", ""), self.csrf_token()):
                return respond(start_response, 403, b"invalid form token, reload the page\n")
            states = {"approve": "approved", "reject": "rejected", "spam": "spam"}
            try:
                mention_id = int(form.get("id", ""))
                state = states[form.get("action", "")]
                mention = self.receiver.store.moderate(mention_id, state)
                if state == "approved":
                    self.desk.after_approval(mention)
            except (ValueError, KeyError) as exc:
                return respond(start_response, 400, f"cannot moderate: {exc}\n".encode())
            back = form.get("status", "pending")
            back = back if back in MODERATION_STATES + ("queued", "failed", "all") else "pending"
            return respond(
                start_response,
                303,
                b"",
                headers=[("Location", f"{self.base_url(environ)}/moderation?status={quote(back)}")],
            )
        if method != "GET":
            return respond(start_response, 405, b"GET or POST\n", headers=[("Allow", "GET, POST")])
        query = parse_qs(environ.get("QUERY_STRING", ""))
        status = query.get("status", ["pending"])[0]
        if status not in MODERATION_STATES + ("queued", "failed", "deleted", "all"):
            status = "pending"
        page = self.render_moderation(status, self.receiver.store.list(status))
        return respond(
            start_response,
            200,
            page,
            "text/html; charset=utf-8",
            headers=[("Cache-Control", "no-store")],
        )

    def render_moderation(self, status: str, mentions: list[Mention]) -> bytes:
        nav = E.NAV(
            *[
                E.A(
                    name,
                    href=f"?status={name}",
                    **({"aria-current": "page"} if name == status else {}),
                )
                for name in MODERATION_STATES + ("queued", "failed", "all")
            ]
        )
        items = [self.render_item(m, status) for m in mentions]
        body = E.BODY(
            E.MAIN(
                E.H1("Resonanz: Erwähnungen moderieren"),
                nav,
                E.P(f"{len(mentions)} Erwähnung(en) mit Status „{status}“."),
                E.OL(*items) if items else E.P("Nichts zu tun."),
            )
        )
        document = E.HTML(
            E.HEAD(
                E.META(charset="utf-8"),
                E.TITLE("Moderation"),
                E.LINK(rel="stylesheet", href="/moderation/style.css"),
            ),
            body,
            lang="de",
        )
        return lxml.html.tostring(document, doctype="<!DOCTYPE html>", encoding="utf-8")

    def render_item(self, mention: Mention, status: str) -> lxml.html.HtmlElement:
        facts = E.DL(
            E.DT("Typ"),
            E.DD(mention.type or mention.kind),
            E.DT("Quelle"),
            E.DD(
                "Kommentarformular"
                + (f" (Antwort auf {mention.in_reply_to})" if mention.in_reply_to else "")
                if mention.kind == "comment"
                else E.A(mention.source, href=mention.source, rel="nofollow noopener")
            ),
            E.DT("Ziel"),
            E.DD(mention.target),
            E.DT("Autor"),
            E.DD(mention.author or "–"),
            E.DT("Titel"),
            E.DD(mention.title or "–"),
            # shown as text: the moderator sees exactly what was sent, nothing renders
            E.DT("Auszug"),
            E.DD(plain_text(mention.content, 600) or "–"),
            E.DT("Status"),
            E.DD(mention.status + (f" ({mention.reason})" if mention.reason else "")),
        )
        children = [E.H2(f"#{mention.id} {mention.kind}"), facts]
        if mention.verification == "verified":
            buttons = [
                E.BUTTON(label, type="submit", name="action", value=action)
                for action, label in (
                    ("approve", "Freigeben"),
                    ("reject", "Ablehnen"),
                    ("spam", "Spam"),
                )
            ]
            children.append(
                E.FORM(
                    E.INPUT(type="hidden", name="id", value=str(mention.id)),
                    E.INPUT(type="hidden", name="csrf", value=self.csrf_token()),
                    E.INPUT(type="hidden", name="status", value=status),
                    *buttons,
                    method="post",
                    action="/moderation",
                )
            )
        return E.LI(*children, id=f"mention-{mention.id}")


def parse_form(body: bytes, content_type: str) -> dict[str, str]:
    """Form fields of a urlencoded body. Without a charset, UTF-8 if the bytes are valid
    UTF-8, else Windows-1252: old blog engines send Latin-1 and say nothing."""
    text = body.decode("latin-1")
    match = re.search(r"charset=\"?([\w-]+)", content_type, re.IGNORECASE)
    try:
        if match:
            fields = parse_qs(text, encoding=match.group(1), errors="replace")
        else:
            fields = parse_qs(text, encoding="utf-8", errors="strict")
    except LookupError:  # an unknown charset name from an old blog engine
        fields = parse_qs(text, encoding="utf-8", errors="replace")
    except UnicodeDecodeError:
        fields = parse_qs(text, encoding="cp1252", errors="replace")
    return {name: values[0].strip() for name, values in fields.items()}


def respond(
    start_response: StartResponse,
    status: int,
    body: bytes,
    content_type: str = "text/plain; charset=utf-8",
    headers: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    phrase = HTTPStatus(status).phrase
    start_response(
        f"{status} {phrase}",
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            *SECURITY_HEADERS,
            *(headers or []),
        ],
    )
    return [body]


def trackback_answer(
    start_response: StartResponse, error: str | None, status: int = 200
) -> list[bytes]:
    """The TrackBack spec's reply: <error>0</error>, or 1 with a <message>."""
    root = etree.Element("response")
    etree.SubElement(root, "error").text = "1" if error else "0"
    if error:
        etree.SubElement(root, "message").text = error
    body = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return respond(start_response, status, body, "text/xml; charset=utf-8")
