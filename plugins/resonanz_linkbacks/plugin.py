"""Pelican glue of linkbacks_send: after the articles are written, notify the linked pages."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

from pelican import signals
from resonanz_fastbuild import hooks

from .record import Record
from .sender import external_links, notify
from .settings import DEFAULTS

logger = logging.getLogger(__name__)


def options_from(settings: dict) -> dict:
    """DEFAULTS overridden by the LINKBACKS_* keys of the Pelican settings."""
    return {**DEFAULTS, **{k: v for k, v in settings.items() if k.startswith("LINKBACKS_")}}


def send_all(generator, writer=None) -> dict[str, int]:
    """article_writer_finalized: notify every new external link of the published articles."""
    settings = generator.settings
    options = options_from(settings)
    counts = {"sent": 0, "no-endpoint": 0, "failed": 0, "skipped": 0}
    if options["LINKBACKS_SEND"] is not True:
        logger.debug("linkbacks_send: LINKBACKS_SEND is off (only publishconf.py enables it)")
        return counts
    site_url = (settings.get("SITEURL") or "").rstrip("/")
    if not re.match(r"^https?://", site_url):
        logger.error(
            "linkbacks_send: setting SITEURL = %r: an absolute http(s) URL is needed "
            "as the source of notifications; nothing sent",
            site_url,
        )
        return counts
    try:
        ignore = [re.compile(p) for p in options["LINKBACKS_IGNORE"]]
        record = Record.load(Path(options["LINKBACKS_RECORD"]))
    except (re.error, TypeError, ValueError) as error:
        logger.error("linkbacks_send: %s; nothing sent", error)
        return counts
    articles = list(generator.articles) + list(generator.translations)
    try:
        for article in articles:
            if getattr(article, "status", "published") != "published":
                continue
            if str(getattr(article, "linkbacks", "on")).strip().lower() == "off":
                continue
            source = f"{site_url}/{article.url}"
            for target in external_links(article.content, site_url):
                if record.done(source, target) or any(p.search(target) for p in ignore):
                    counts["skipped"] += 1
                    continue
                outcome = notify(
                    source,
                    target,
                    timeout=options["LINKBACKS_TIMEOUT"],
                    user_agent=options["LINKBACKS_USER_AGENT"],
                    max_bytes=options["LINKBACKS_MAX_BYTES"],
                )
                counts[outcome.result] += 1
                if outcome.result == "failed":
                    # A network problem of someone else's site is not a content problem:
                    # INFO keeps strict builds green, the link is tried again next publish.
                    logger.info(
                        "linkbacks_send: %s -> %s: %s (retried next publish)",
                        source,
                        target,
                        outcome.detail,
                    )
                    continue
                logger.info(
                    "linkbacks_send: %s -> %s: %s %s",
                    source,
                    target,
                    outcome.result,
                    outcome.protocol,
                )
                record.add(
                    source,
                    target,
                    {
                        "result": outcome.result,
                        "protocol": outcome.protocol,
                        "endpoint": outcome.endpoint,
                        "date": dt.datetime.now(tz=dt.UTC).isoformat(timespec="seconds"),
                    },
                )
    finally:
        record.save()
    logger.info(
        "linkbacks_send: %d sent, %d without endpoint, %d failed, %d already done",
        counts["sent"],
        counts["no-endpoint"],
        counts["failed"],
        counts["skipped"],
    )
    return counts


def on_pages_rewritten(pelican, generator=None, **_) -> None:
    """A build wrote edited posts' pages alone (resonanz_fastbuild/textpath.py, no
    article_writer_finalized): their new links are notified all the same."""
    if generator is not None:
        send_all(generator)


def register() -> None:
    signals.article_writer_finalized.connect(send_all)
    hooks.pages_rewritten.connect(on_pages_rewritten)
