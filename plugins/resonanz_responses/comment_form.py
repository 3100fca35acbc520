"""Our own comment form: what the template needs to draw it under one page, and the
thank-you page the receiver sends readers to after a post without JavaScript."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from urllib.parse import urlsplit

from .threads import ThreadNode

logger = logging.getLogger(__name__)

try:  # the project's core plugin; the form also works without it (German only then)
    from resonanz_core import i18n
except ImportError:  # pragma: no cover - only outside this project
    i18n = None

ENGLISH = {
    "Kommentar schreiben": "Write a comment",
    "Kommentare erscheinen nach der Freigabe durch die Redaktion. Pflichtfelder sind mit * "
    "markiert.": "Comments appear once the editors approve them. Required fields are marked *.",
    "Antwort auf": "Reply to",
    "– keinem: neuer Kommentar –": "– none: new comment –",
    "Name": "Name",
    "E-Mail (freiwillig, wird nie veröffentlicht)": "E-mail (optional, never published)",
    "Nur für Benachrichtigungen über Antworten, wenn du das unten wünschst.": (
        "Only for notifications of replies, if you ask for them below."
    ),
    "Website (freiwillig)": "Website (optional)",
    "Dieses Feld bitte leer lassen": "Please leave this field empty",
    "Kommentar": "Comment",
    "Erlaubt: *kursiv*, **fett**, `Code`, [Linktext](https://…), > Zitat; eine Leerzeile "
    "beginnt einen neuen Absatz. Höchstens 5 Links.": (
        "Allowed: *italic*, **bold**, `code`, [link text](https://…), > quote; a blank line "
        "starts a new paragraph. At most 5 links."
    ),
    "Bei Antworten per E-Mail benachrichtigen (du bestätigst das zuerst per Link; jede Mail "
    "enthält einen Abmeldelink)": (
        "Notify me of replies by e-mail (you confirm this by a link first; every mail has an "
        "unsubscribe link)"
    ),
    "Ich bin einverstanden, dass meine Angaben gespeichert und Name, Website und Kommentar nach "
    "der Freigabe veröffentlicht werden.": (
        "I agree that my details are stored and that name, website and comment are published "
        "once approved."
    ),
    "Kommentar absenden": "Send comment",
    "Antworten": "Reply",
    "Antworten an": "Reply to",
}
if i18n is not None:
    i18n.add_translations(ENGLISH)


@dataclasses.dataclass(frozen=True)
class ReplyChoice:
    """One entry of the form's "reply to" list: a comment already on the page."""

    id: str
    label: str


@dataclasses.dataclass(frozen=True)
class CommentForm:
    action: str  # {receiver}/comments
    token_url: str  # {receiver}/comments/token, fetched by the script when the form is shown
    target: str  # absolute URL of the page, as the receiver's target list names it
    thanks: str  # absolute URL of the thank-you page
    privacy: str  # path of the privacy page below SITEURL
    replies: tuple[ReplyChoice, ...]


def receiver_origin(url: str) -> str:
    """scheme://host[:port] of the receiver URL, or "" if it is not an http(s) URL."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def uses_form(options: dict) -> bool:
    """The form is shown when a receiver is set, unless a provider is set and chosen."""
    if not receiver_origin(options["RESPONSES_RECEIVER_URL"]):
        return False
    provider_set = options["RESPONSES_PROVIDER"] != "none"
    return not (provider_set and options["RESPONSES_COMMENT_SYSTEM"] == "provider")


def reply_choices(threads: list[ThreadNode], limit: int = 60) -> tuple[ReplyChoice, ...]:
    """Comments a reader may answer, in page order; the label says who wrote it and when."""
    choices: list[ReplyChoice] = []

    def walk(nodes: list[ThreadNode]) -> None:
        for node in nodes:
            response = node.response
            when = response.published.strftime("%d.%m.%Y %H:%M")
            choices.append(ReplyChoice(response.id, f"{response.author or response.site}, {when}"))
            walk(node.replies)

    walk(threads)
    return tuple(choices[-limit:])


def form_for(page_url: str, threads: list[ThreadNode], options: dict, site_url: str) -> CommentForm:
    receiver = options["RESPONSES_RECEIVER_URL"].rstrip("/")
    return CommentForm(
        action=f"{receiver}/comments",
        token_url=f"{receiver}/comments/token",
        target=page_url,
        thanks=f"{site_url.rstrip('/')}/{options['RESPONSES_THANKS_URL'].lstrip('/')}",
        privacy=options["RESPONSES_PRIVACY_URL"].lstrip("/"),
        replies=reply_choices(threads),
    )


def write_thanks_page(generator, options: dict) -> None:
    """Render comment_thanks.html into the output without the writer, so that the page stays
    out of the sitemap (it is written only from content_written) and the search index."""
    save_as = options["RESPONSES_THANKS_SAVE_AS"]
    if not save_as or not uses_form(options):
        return
    output = Path(generator.output_path)
    target = (output / save_as).resolve()
    if output.resolve() not in target.parents:
        logger.error(
            "responses: pelicanconf.py: RESPONSES_THANKS_SAVE_AS = %r: must stay inside the "
            "output folder",
            save_as,
        )
        return
    context = dict(generator.context)
    depth = save_as.strip("/").count("/")
    if generator.settings.get("RELATIVE_URLS"):
        context["SITEURL"] = "/".join([".."] * depth) or "."
    context["output_file"] = save_as
    html = generator.get_template("comment_thanks").render(context)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
