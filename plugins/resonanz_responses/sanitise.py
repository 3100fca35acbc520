"""Sanitise untrusted response bodies to a small HTML allow-list with nh3."""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = frozenset({"p", "a", "em", "strong", "code", "blockquote", "ul", "ol", "li", "br"})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
# Removed with everything inside them, not just unwrapped: their text is never content.
DROP_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "noscript"})
ELLIPSIS = "…"

_WHITESPACE = re.compile(r"\s+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z/!]")
_BLOCK_TAG = re.compile(r"<(?=/?(?:p|br|li|div|blockquote|h[1-6]|ul|ol|tr|td)\b)", re.IGNORECASE)


def _only_absolute_links(tag: str, attribute: str, value: str) -> str | None:
    # nh3 already drops javascript: and data:; relative links from third parties would
    # point into our own site, so only absolute http(s) and mailto survive.
    if tag == "a" and attribute == "href":
        scheme = value.split(":", 1)[0].strip().lower() if ":" in value else ""
        return value if scheme in URL_SCHEMES else None
    return value


def _plain_text_to_html(text: str) -> str:
    # A single line break is where the YAML file (or the mail client) wrapped the line, not
    # where the writer wanted one: kept as <br>, comments broke raggedly on narrow screens.
    # A blank line still starts a new paragraph, as in Markdown.
    paragraphs = [p.strip() for p in _PARAGRAPH_BREAK.split(text.strip()) if p.strip()]
    return "".join(
        "<p>" + html.escape(_WHITESPACE.sub(" ", p), quote=False) + "</p>" for p in paragraphs
    )


def sanitise(body: str | None, max_length: int = 10000) -> str:
    """Safe HTML for an untrusted body (HTML or plain text), cut to max_length characters."""
    if not body:
        return ""
    text = str(body)
    cut = len(text) > max_length
    # Cutting before cleaning bounds the work on huge bodies; nh3 closes what the cut opened.
    if cut:
        text = text[:max_length]
    source = text if _LOOKS_LIKE_HTML.search(text) else _plain_text_to_html(text)
    cleaned = nh3.clean(
        source,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_only_absolute_links,
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()
    if cut:
        cleaned += "<p>" + ELLIPSIS + "</p>"
    return cleaned


def plain_text(body: str | None) -> str:
    """The text of an untrusted body without any markup, whitespace collapsed (not escaped)."""
    if not body:
        return ""
    # A space before block tags keeps the words of two paragraphs apart.
    spaced = _BLOCK_TAG.sub(" <", str(body))
    stripped = nh3.clean(spaced, tags=set(), clean_content_tags=set(DROP_WITH_CONTENT))
    return _WHITESPACE.sub(" ", html.unescape(stripped)).strip()


def excerpt(body: str | None, length: int = 280) -> str:
    """Plain-text excerpt of at most length characters, cut at a word boundary."""
    text = plain_text(body[: length * 20] if body else body)
    if len(text) <= length:
        return text
    shortened = text[: length - 1]
    # Drop the last word only when the cut went through it.
    if text[length - 1] != " " and " " in shortened:
        shortened = shortened.rsplit(" ", 1)[0]
    return shortened.rstrip(" ,;:.-–") + ELLIPSIS
