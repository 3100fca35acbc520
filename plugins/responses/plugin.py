"""Pelican glue of the responses plugin: load YAML, attach responses to articles, write feeds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
from pathlib import Path
from zoneinfo import ZoneInfo

from markupsafe import Markup
from pelican import signals

from . import sanitise
from .feeds import FeedItem, comments_feed
from .model import LINKBACK_TYPES, Response, is_blocked, load_responses, problem
from .settings import COMMENT_STATES, DEFAULTS, PROVIDERS
from .threads import ThreadNode, build_threads, count_nodes
from .widget import Widget, WidgetConfigError, widget_for

logger = logging.getLogger(__name__)

try:  # the project's core plugin; the responses plugin also works without it
    from resonanz_core import i18n, uptodate
except ImportError:  # pragma: no cover - only outside this project
    i18n = uptodate = None

ENGLISH = {
    "Kommentare": "Comments",
    "Kommentar": "Comment",
    "Noch keine Kommentare.": "No comments yet.",
    "Kommentare sind für diesen Eintrag geschlossen.": "Comments are closed for this entry.",
    "Diese Weblogs beziehen sich auf diesen Eintrag": "These weblogs refer to this entry",
    "weiterlesen": "read more",
    "Erwähnung": "Mention",
    "Erwähnungen": "Mentions",
    "Reaktionen": "Reactions",
    "Gefällt": "Likes",
    "Geteilt": "Reposts",
    "Link zu dieser Antwort": "Link to this response",
    "TrackBack-URL für diesen Eintrag": "TrackBack URL for this entry",
    "Kommentare abonnieren (Atom)": "Subscribe to comments (Atom)",
    "Kommentare laden": "Load comments",
    "{name} antwortet gerade nicht. Vielleicht hilft ein zweiter Versuch.": (
        "{name} is not answering right now. A second try may help."
    ),
    "Erneut versuchen": "Try again",
    "Die Kommentarfunktion stellt {name} bereit. Erst nach einem Klick auf „Kommentare laden“ "
    "lädt dein Browser Inhalte von {origin} und überträgt dabei deine IP-Adresse dorthin.": (
        "Comments are provided by {name}. Only after you click “Load comments” does your "
        "browser load content from {origin}, which sends your IP address there."
    ),
    "Mehr dazu in der": "More in our",
    "Datenschutzerklärung": "privacy policy",
    "Auswahl auf diesem Gerät merken": "Remember my choice on this device",
    "Alle Kommentare (Atom)": "All comments (Atom)",
    "Kommentare zu": "Comments on",
    "Trackback": "Trackback",
    "Pingback": "Pingback",
    "Webmention": "Webmention",
}
if i18n is not None:
    i18n.add_translations(ENGLISH)


def options_from(settings: dict) -> dict:
    """The plugin's settings: DEFAULTS overridden by RESPONSES_* keys of the Pelican settings."""
    return {**DEFAULTS, **{k: v for k, v in settings.items() if k.startswith("RESPONSES_")}}


@dataclasses.dataclass
class ArticleResponses:
    """Everything the templates show about the responses of one article."""

    state: str  # open | closed | hidden
    threads: list[ThreadNode]
    linkbacks: list[Response]
    likes: list[Response]
    reposts: list[Response]
    widget: Widget | None = None
    trackback_url: str = ""
    feed_url: str = ""

    @property
    def comment_count(self) -> int:
        return count_nodes(self.threads)

    @property
    def linkback_count(self) -> int:
        return len(self.linkbacks)

    @property
    def count(self) -> int:
        """Comments and linkbacks (likes and reposts are counted separately)."""
        return self.comment_count + self.linkback_count

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    @property
    def has_archive(self) -> bool:
        return bool(self.threads or self.linkbacks or self.likes or self.reposts)

    def all_shown(self) -> list[Response]:
        """Comments and linkbacks in the order of publication (for feeds)."""
        shown: list[Response] = []

        def walk(nodes: list[ThreadNode]) -> None:
            for node in nodes:
                shown.append(node.response)
                walk(node.replies)

        walk(self.threads)
        return sorted(shown + self.linkbacks, key=lambda r: (r.published, r.id))


def _build_time() -> dt.datetime:
    # SOURCE_DATE_EPOCH makes "closed after N days" reproducible (same content, same bytes).
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC)


def _check_options(options: dict) -> dict:
    """Options with each bad value logged once and replaced by its default."""
    checked = dict(options)

    def reset(key: str, expected: str) -> None:
        logger.error("responses: setting %s = %r: %s", key, checked[key], expected)
        checked[key] = DEFAULTS[key]

    if checked["RESPONSES_PROVIDER"] not in PROVIDERS:
        reset("RESPONSES_PROVIDER", "expected one of " + ", ".join(PROVIDERS))
    if checked["RESPONSES_COMMENTS_DEFAULT"] not in COMMENT_STATES:
        reset("RESPONSES_COMMENTS_DEFAULT", "expected one of " + ", ".join(COMMENT_STATES))
    for key in (
        "RESPONSES_CLOSE_AFTER_DAYS",
        "RESPONSES_MAX_LENGTH",
        "RESPONSES_EXCERPT_LENGTH",
        "RESPONSES_MAX_DEPTH",
        "RESPONSES_FEED_MAX_ITEMS",
    ):
        value = checked[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            reset(key, "expected a whole number >= 0")
    for key in ("RESPONSES_BLOCKED_DOMAINS", "RESPONSES_BLOCKED_AUTHORS"):
        value = checked[key]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            reset(key, "expected a list of strings")
    if not isinstance(checked["RESPONSES_PROVIDER_OPTIONS"], dict):
        reset("RESPONSES_PROVIDER_OPTIONS", "expected a dict")
    return checked


def _load_all(content_root: Path, options: dict, tz: dt.tzinfo) -> dict[str, list[Response]]:
    """slug -> shown (approved, not blocked) responses with safe HTML, problems logged."""
    folder = content_root / options["RESPONSES_PATH"]
    by_slug: dict[str, list[Response]] = {}
    if not folder.is_dir():
        return by_slug
    for path in sorted(folder.glob("*.y*ml")):
        if path.suffix not in (".yaml", ".yml"):
            continue
        rel = path.relative_to(content_root).as_posix()
        responses, problems = load_responses(path, rel)
        for line in problems:
            logger.warning("%s", line)
        shown = []
        for response in responses:
            if response.status != "approved":
                continue
            if is_blocked(
                response, options["RESPONSES_BLOCKED_DOMAINS"], options["RESPONSES_BLOCKED_AUTHORS"]
            ):
                logger.info("responses: %s: id %r hidden by a block list", rel, response.id)
                continue
            shown.append(
                dataclasses.replace(
                    response,
                    published=response.published.astimezone(tz),
                    # Markup: safe HTML that an autoescaping template must not escape again.
                    html=Markup(
                        sanitise.sanitise(response.content, options["RESPONSES_MAX_LENGTH"])
                    ),
                    excerpt=sanitise.excerpt(
                        response.content or response.title, options["RESPONSES_EXCERPT_LENGTH"]
                    ),
                )
            )
        by_slug.setdefault(path.stem, []).extend(shown)
    return by_slug


def _state(article, options: dict, now: dt.datetime) -> str:
    value = str(getattr(article, "comments", "") or "").strip().lower()
    # resonanz_core already reports values outside open|closed|hidden.
    state = value if value in COMMENT_STATES else options["RESPONSES_COMMENTS_DEFAULT"]
    days = options["RESPONSES_CLOSE_AFTER_DAYS"]
    date = getattr(article, "date", None)
    if state == "open" and days and date is not None:
        if date.tzinfo is None:
            date = date.replace(tzinfo=dt.UTC)
        if now - date > dt.timedelta(days=days):
            state = "closed"
        elif uptodate is not None:  # the page changes then, with no file changing
            uptodate.output_changes_at(date + dt.timedelta(days=days))
    return state


def _absolute(settings: dict, path: str) -> str:
    base = settings.get("CANONICAL_SITEURL") or settings.get("SITEURL") or ""
    return f"{base.rstrip('/')}/{path.lstrip('/')}"


def attach(generator) -> None:
    """article_generator_finalized: give every article an ArticleResponses as .responses."""
    settings = generator.settings
    options = _check_options(options_from(settings))
    generator.context["RESPONSES"] = options
    content_root = Path(settings["PATH"]).resolve()
    tz = ZoneInfo(settings.get("TIMEZONE") or "UTC")
    by_slug = _load_all(content_root, options, tz)
    now = _build_time()
    widget_error_logged = False
    articles = list(generator.articles) + list(generator.translations)
    published = {id(a) for a in generator.articles}
    for article in articles:
        shown = by_slug.get(article.slug, [])
        comments = [r for r in shown if r.type == "comment"]
        threads, orphans = build_threads(comments, options["RESPONSES_MAX_DEPTH"])
        rel = f"{options['RESPONSES_PATH']}/{article.slug}.yaml"
        if id(article) in published:
            for orphan in orphans:
                logger.warning(
                    "%s",
                    problem(
                        rel,
                        "in_reply_to",
                        orphan.in_reply_to,
                        "the id of an approved comment in this file (shown at top level)",
                        f"entry (id {orphan.id!r})",
                    ),
                )
        state = _state(article, options, now)
        feed_path = options["RESPONSES_ARTICLE_FEED_ATOM"]
        responses = ArticleResponses(
            state=state,
            threads=threads,
            linkbacks=[
                r
                for r in sorted(shown, key=lambda r: (r.published, r.id))
                if r.type in LINKBACK_TYPES
            ],
            likes=[r for r in shown if r.type == "like"],
            reposts=[r for r in shown if r.type == "repost"],
        )
        # An article feed only once there is something in it (feed readers dislike empty ones).
        if feed_path and state != "hidden" and responses.all_shown():
            responses.feed_url = feed_path.format(slug=article.slug)
        if state == "open":
            page_url = _absolute(settings, article.url)
            template = options["RESPONSES_TRACKBACK_URL"]
            if template:
                responses.trackback_url = template.format(slug=article.slug, url=page_url)
            try:
                responses.widget = widget_for(
                    options["RESPONSES_PROVIDER"],
                    options["RESPONSES_PROVIDER_URL"],
                    options["RESPONSES_PROVIDER_OPTIONS"],
                    page_url=page_url,
                    page_id=article.slug,
                    title=article.title,
                    lang=getattr(article, "lang", None) or "de",
                )
            except WidgetConfigError as error:
                if not widget_error_logged:
                    logger.error("responses: setting %s (no comment widget shown)", error)
                    widget_error_logged = True
        article.responses = responses
    slugs = {a.slug for a in articles}
    for slug in sorted(set(by_slug) - slugs):
        logger.warning(
            "%s",
            problem(
                f"{options['RESPONSES_PATH']}/{slug}.yaml",
                "slug",
                slug,
                "the slug of an article (file name = article slug)",
            ),
        )


def write_feeds(generator, writer=None) -> None:
    """article_writer_finalized: the comments feed of each article and of the whole site."""
    settings = generator.settings
    options = generator.context.get("RESPONSES") or _check_options(options_from(settings))
    output = Path(generator.output_path)
    lang = settings.get("DEFAULT_LANG") or "de"
    site_items: list[FeedItem] = []
    newest_article = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    for article in generator.articles:
        responses = getattr(article, "responses", None)
        if responses is None or responses.state == "hidden":
            continue
        article_url = _absolute(settings, article.url)
        items = [FeedItem(r, article.title, article_url) for r in responses.all_shown()]
        site_items.extend(items)
        if article.date.tzinfo is not None:
            newest_article = max(newest_article, article.date)
        if responses.feed_url:
            data = comments_feed(
                title=f"Kommentare zu „{article.title}“"
                if lang == "de"
                else f"Comments on “{article.title}”",
                feed_url=_absolute(settings, responses.feed_url),
                home_url=article_url,
                items=items,
                updated=article.date,
                lang=getattr(article, "lang", None) or lang,
            )
            _write(output, responses.feed_url, data)
    path = options["RESPONSES_FEED_ATOM"]
    if path:
        data = comments_feed(
            title=f"{settings.get('SITENAME', '')}: "
            + ("Kommentare" if lang == "de" else "Comments"),
            feed_url=_absolute(settings, path),
            home_url=_absolute(settings, ""),
            items=site_items,
            updated=newest_article,
            lang=lang,
            max_items=options["RESPONSES_FEED_MAX_ITEMS"],
        )
        _write(output, path, data)


def _write(output: Path, relative: str, data: bytes) -> None:
    target = (output / relative).resolve()
    if output.resolve() not in target.parents:
        logger.error("responses: feed path %r: must stay inside the output folder", relative)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def register() -> None:
    signals.article_generator_finalized.connect(attach)
    signals.article_writer_finalized.connect(write_feeds)
