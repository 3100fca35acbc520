"""What the responses plugin writes past the page templates: the comments feeds (one per
article and one for the site), the list of pages that take responses, the thank-you page."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from . import targets
from .comment_form import uses_form, write_thanks_page
from .feeds import FeedItem, comments_feed
from .settings import check_options, options_from

logger = logging.getLogger(__name__)


def absolute(settings: dict, path: str) -> str:
    base = settings.get("CANONICAL_SITEURL") or settings.get("SITEURL") or ""
    return f"{base.rstrip('/')}/{path.lstrip('/')}"


def write_feeds(generator, writer=None) -> None:
    """article_writer_finalized: the comments feed of each article and of the whole site,
    the list of pages that accept responses and the comment form's thank-you page."""
    settings = generator.settings
    options = generator.context.get("RESPONSES") or check_options(options_from(settings))
    output = Path(generator.output_path)
    if options["RESPONSES_TARGETS_SAVE_AS"] and "RESPONSES_TARGETS" in generator.context:
        data = targets.targets_document(
            generator.context["RESPONSES_TARGETS"],
            absolute(settings, ""),
            options["RESPONSES_RECEIVER_URL"] if uses_form(options) else "",
        )
        targets.write(output, options["RESPONSES_TARGETS_SAVE_AS"], data)
    write_thanks_page(generator, options)
    lang = settings.get("DEFAULT_LANG") or "de"
    site_items: list[FeedItem] = []
    newest_article = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    entries = [
        *generator.articles,
        *(generator.context.get("pages") or ()),
        *(generator.context.get("hidden_pages") or ()),
        *(generator.context.get("episodes") or ()),
    ]
    for article in entries:
        responses = getattr(article, "responses", None)
        if responses is None or responses.state == "hidden":
            continue
        article_url = absolute(settings, article.url)
        items = [FeedItem(r, article.title, article_url) for r in responses.all_shown()]
        site_items.extend(items)
        date = getattr(article, "date", None)
        if date is not None and date.tzinfo is not None and responses.kind != "page":
            newest_article = max(newest_article, article.date)
        if responses.feed_url:
            data = comments_feed(
                title=f"Kommentare zu „{article.title}“"
                if lang == "de"
                else f"Comments on “{article.title}”",
                feed_url=absolute(settings, responses.feed_url),
                home_url=article_url,
                items=items,
                updated=date or newest_article,
                lang=getattr(article, "lang", None) or lang,
            )
            _write(output, responses.feed_url, data)
    path = options["RESPONSES_FEED_ATOM"]
    if path:
        data = comments_feed(
            title=f"{settings.get('SITENAME', '')}: "
            + ("Kommentare" if lang == "de" else "Comments"),
            feed_url=absolute(settings, path),
            home_url=absolute(settings, ""),
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
