"""Defaults of the responses plugin (each documented in docs/settings.md) and their check."""

import logging
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

DEFAULTS: dict = {
    # Folder under content/ with one YAML file per article slug.
    "RESPONSES_PATH": "responses",
    # Status given to mentions added by `make responses` (pending or approved).
    "RESPONSES_PULL_STATUS": "pending",
    # webmention.io API read by `make responses` (token from env WEBMENTION_IO_TOKEN).
    "RESPONSES_PULL_API": "https://webmention.io/api/mentions.jf2",
    # File (relative to content/) remembering the newest mention pulled, for `since_id`.
    "RESPONSES_PULL_STATE": "responses/.webmention-io.json",
    # Longest response body kept, in characters of the source; the rest is cut off.
    "RESPONSES_MAX_LENGTH": 10000,
    # Length of the excerpt shown for trackbacks, pingbacks and webmentions.
    "RESPONSES_EXCERPT_LENGTH": 280,
    # Responses from these domains (and their subdomains) are never shown.
    "RESPONSES_BLOCKED_DOMAINS": [],
    # Responses by these authors (case-insensitive) are never shown.
    "RESPONSES_BLOCKED_AUTHORS": [],
    # Default of the article field `comments` (open, closed or hidden).
    "RESPONSES_COMMENTS_DEFAULT": "open",
    # Pages (by slug) whose comments are closed unless the page says `comments: open`:
    # legal pages take no comments; every other page follows RESPONSES_COMMENTS_DEFAULT.
    "RESPONSES_CLOSED_PAGES": [
        "impressum",
        "datenschutz",
        "imprint",
        "privacy",
        "privacy-policy",
        "legal-notice",
    ],
    # Close comments this many days after the article date; 0 keeps them open.
    "RESPONSES_CLOSE_AFTER_DAYS": 0,
    # Replies deeper than this are shown at this depth.
    "RESPONSES_MAX_DEPTH": 4,
    # Live comment widget: none, isso, remark42, giscus, comentario or disqus.
    "RESPONSES_PROVIDER": "none",
    # Base URL of a self-hosted provider (isso, remark42, comentario).
    "RESPONSES_PROVIDER_URL": "",
    # Provider options: remark42 site_id; giscus repo, repo_id, category, category_id,
    # mapping, theme, lang; disqus shortname.
    "RESPONSES_PROVIDER_OPTIONS": {},
    # Endpoints announced in every page head: <link rel="webmention"> and rel="pingback".
    "RESPONSES_WEBMENTION_ENDPOINT": "",
    "RESPONSES_PINGBACK_ENDPOINT": "",
    # TrackBack URL of an article, with {slug} and {url}; empty hides the TrackBack URL.
    "RESPONSES_TRACKBACK_URL": "",
    # Atom feeds of comments: site-wide and per entry ({slug} is the entry's responses key:
    # the slug for posts and case studies, pages/<slug> and episodes/<slug> for the others).
    "RESPONSES_FEED_ATOM": "feeds/kommentare.atom.xml",
    "RESPONSES_ARTICLE_FEED_ATOM": "feeds/kommentare/{slug}.atom.xml",
    # Most recent entries in the site-wide comments feed.
    "RESPONSES_FEED_MAX_ITEMS": 50,
    # Base URL of our receiver (publishconf.py: RESONANZ_RECEIVER_URL); the comment form
    # posts to {url}/comments. "" = no comment form.
    "RESPONSES_RECEIVER_URL": "",
    # Which comments an open page shows when a receiver and a provider are both set:
    # "form" (our own form) or "provider" (RESPONSES_PROVIDER's click-to-load widget).
    "RESPONSES_COMMENT_SYSTEM": "form",
    # Privacy page linked from the form's consent checkbox (relative to SITEURL).
    "RESPONSES_PRIVACY_URL": "datenschutz/",
    # Thank-you page the receiver sends readers to after a form post without JavaScript.
    "RESPONSES_THANKS_URL": "kommentar-danke/",
    "RESPONSES_THANKS_SAVE_AS": "kommentar-danke/index.html",
    # The list of pages that accept responses, read by the receiver; "" = not written.
    "RESPONSES_TARGETS_SAVE_AS": "_resonanz/targets.json",
    # Comments per page (whole threads; replies count): more go to <post>/kommentare/2/...
    "RESPONSES_PER_PAGE": 100,
    "RESPONSES_PAGE_FOLDER": "kommentare",
}

COMMENT_SYSTEMS = ("form", "provider")
PROVIDERS = ("none", "isso", "remark42", "giscus", "comentario", "disqus")
COMMENT_STATES = ("open", "closed", "hidden")
PULL_STATUSES = ("pending", "approved")


def options_from(settings: dict) -> dict:
    """The plugin's settings: DEFAULTS overridden by RESPONSES_* keys of the Pelican settings."""
    return {**DEFAULTS, **{k: v for k, v in settings.items() if k.startswith("RESPONSES_")}}


def check_options(options: dict) -> dict:
    """Options with each bad value logged once and replaced by its default."""
    checked = dict(options)

    def reset(key: str, expected: str) -> None:
        logger.error("responses: setting %s = %r: %s", key, checked[key], expected)
        checked[key] = DEFAULTS[key]

    if checked["RESPONSES_PROVIDER"] not in PROVIDERS:
        reset("RESPONSES_PROVIDER", "expected one of " + ", ".join(PROVIDERS))
    if checked["RESPONSES_COMMENT_SYSTEM"] not in COMMENT_SYSTEMS:
        reset("RESPONSES_COMMENT_SYSTEM", "expected one of " + ", ".join(COMMENT_SYSTEMS))
    receiver = checked["RESPONSES_RECEIVER_URL"]
    parts = urlsplit(receiver) if isinstance(receiver, str) else None
    if parts is None or receiver and (parts.scheme not in ("http", "https") or not parts.netloc):
        reset("RESPONSES_RECEIVER_URL", "expected the receiver's http(s) URL or an empty string")
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
