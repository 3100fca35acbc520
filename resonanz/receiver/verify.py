"""Check that a source page links to the target and extract who said what (mf2 first)."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
import mf2py
import nh3

from .fetch import Page

logger = logging.getLogger(__name__)

CONTENT_TAGS = {
    "p",
    "br",
    "a",
    "em",
    "strong",
    "b",
    "i",
    "blockquote",
    "q",
    "ul",
    "ol",
    "li",
    "code",
    "pre",
    "cite",
}
MAX_CONTENT_CHARS = 5000
MAX_TEXT_CHARS = 300
LINK_ATTRIBUTES = (
    ("a", "href"),
    ("area", "href"),
    ("link", "href"),
    ("img", "src"),
    ("video", "src"),
    ("audio", "src"),
    ("source", "src"),
    ("blockquote", "cite"),
    ("q", "cite"),
)


class NoLinkError(Exception):
    """The source does not link to the target."""


@dataclass
class Extracted:
    """What a verified source says about itself; every text field is plain or sanitised."""

    target: str  # the link to our site found in the source
    type: str = "webmention"  # webmention|like|repost (pingback/trackback keep their own)
    author: str = ""
    author_url: str = ""
    title: str = ""
    content: str = ""  # sanitised HTML
    published: str = ""  # ISO 8601 with time zone, or "" if the source does not say


def normalise_url(url: str) -> str:
    """Compare links leniently: host case, default port, fragment, trailing slash."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, 80 if scheme == "http" else 443) else f"{host}:{port}"
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def plain_text(value: object, limit: int = MAX_TEXT_CHARS) -> str:
    """Untrusted value -> one line of text without markup, at most `limit` characters."""
    if isinstance(value, dict):
        value = value.get("value") or value.get("html") or ""
    if not isinstance(value, str):
        return ""
    text = html.unescape(nh3.clean(value, tags=set()))
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def sanitise_html(value: str) -> str:
    """Keep a few harmless tags; long content becomes shortened plain text (no cut tags)."""
    cleaned = nh3.clean(
        value,
        tags=CONTENT_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
    ).strip()
    if len(cleaned) > MAX_CONTENT_CHARS:
        text = plain_text(cleaned, MAX_CONTENT_CHARS - 100)
        return nh3.clean(html.escape(text), tags=set())
    return cleaned


def http_url(value: object) -> str:
    if isinstance(value, dict):
        value = value.get("value", "")
    if isinstance(value, str) and urlsplit(value).scheme in ("http", "https"):
        return value.strip()[:2000]
    return ""


def iso_datetime(value: object) -> str:
    """ISO 8601 with a zone; naive times are taken as UTC because the contract needs a zone."""
    if not isinstance(value, str) or not value.strip():
        return ""
    text = value.strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds")


def decode(page: Page) -> str:
    if page.charset:
        try:
            return page.body.decode(page.charset, errors="replace")
        except LookupError:
            pass
    head = page.body[:2048].decode("ascii", errors="replace")
    match = re.search(r"""<meta[^>]+charset=["']?([\w-]+)""", head, re.IGNORECASE)
    if match:
        try:
            return page.body.decode(match.group(1), errors="replace")
        except LookupError:
            pass
    return page.body.decode("utf-8", errors="replace")


def exact_target(target: str) -> Callable[[str], bool]:
    wanted = normalise_url(target)
    return lambda link: normalise_url(link) == wanted


def find_link(
    document: lxml.html.HtmlElement, base: str, matches: Callable[[str], bool]
) -> tuple[str, lxml.html.HtmlElement] | None:
    for tag, attribute in LINK_ATTRIBUTES:
        for element in document.iter(tag):
            value = element.get(attribute)
            if value and matches(urljoin(base, value.strip())):
                return urljoin(base, value.strip()), element
    return None


def _first(props: dict, name: str) -> object:
    values = props.get(name) or []
    return values[0] if values else None


def _entries(items: list[dict]) -> list[dict]:
    """h-entry items, including those inside an h-feed or as children."""
    found = []
    for item in items:
        if "h-entry" in item.get("type", []):
            found.append(item)
        found.extend(_entries(item.get("children", [])))
    return found


def _url_of(value: object) -> str:
    """A property value is a URL string or an embedded h-cite/h-entry with a url."""
    if isinstance(value, dict):
        urls = value.get("properties", {}).get("url") or [value.get("value", "")]
        value = urls[0]
    return value if isinstance(value, str) else ""


def _mentions_target(entry: dict, matches: Callable[[str], bool]) -> str:
    """'like'/'repost' when the entry is a like-of/repost-of the target, '' otherwise."""
    props = entry.get("properties", {})
    for prop, kind in (("like-of", "like"), ("repost-of", "repost")):
        for value in props.get(prop, []):
            if matches(_url_of(value)):
                return kind
    return ""


def extract(page: Page, matches: Callable[[str], bool]) -> Extracted:
    """Verify the link and pull author, title, excerpt and date; raise NoLinkError if absent."""
    text = decode(page)
    if page.content_type == "text/plain":
        for word in text.split():
            if word.startswith(("http://", "https://")) and matches(word):
                return Extracted(target=word, content=sanitise_html(html.escape(text[:1000])))
        raise NoLinkError(f"source {page.url!r} does not link to the target")
    try:
        document = lxml.html.document_fromstring(text or "<html></html>", base_url=page.url)
    except (lxml.etree.ParserError, ValueError):
        raise NoLinkError(f"source {page.url!r} is not readable HTML") from None
    base = page.url
    for element in document.iter("base"):
        if element.get("href"):
            base = urljoin(page.url, element.get("href"))
            break
    found = find_link(document, base, matches)
    if found is None:
        raise NoLinkError(f"source {page.url!r} does not link to the target")
    link, link_element = found
    result = Extracted(target=link)

    parsed = mf2py.parse(doc=text, url=page.url, html_parser="lxml")
    entries = _entries(parsed.get("items", []))
    # prefer the entry that itself mentions the target (a feed page lists many entries)
    entry = next(
        (e for e in entries if _mentions_target(e, matches) or _html_links(e, matches)),
        entries[0] if entries else None,
    )
    if entry is not None:
        props = entry.get("properties", {})
        result.type = _mentions_target(entry, matches) or "webmention"
        author = _first(props, "author")
        if isinstance(author, dict):
            author_props = author.get("properties", {})
            result.author = plain_text(_first(author_props, "name") or author.get("value", ""))
            result.author_url = http_url(_first(author_props, "url"))
        elif isinstance(author, str):
            result.author = plain_text(author)
        result.title = plain_text(_first(props, "name"))
        content = _first(props, "content")
        if isinstance(content, dict) and content.get("html"):
            result.content = sanitise_html(content["html"])
        elif content or _first(props, "summary"):
            summary = plain_text(content or _first(props, "summary"), 1000)
            result.content = sanitise_html(html.escape(summary))
        result.published = iso_datetime(_first(props, "published"))
        # a note's p-name is its whole text; a title equal to the content says nothing
        if result.title and result.title == plain_text(result.content):
            result.title = ""
    _fill_from_metadata(result, document, link_element)
    return result


def _html_links(entry: dict, matches: Callable[[str], bool]) -> bool:
    for value in entry.get("properties", {}).get("content", []):
        if isinstance(value, dict):
            for href in re.findall(r"""(?:href|src)=["']([^"']+)""", value.get("html", "")):
                if matches(html.unescape(href)):
                    return True
    for prop in ("in-reply-to", "like-of", "repost-of", "bookmark-of", "mention-of"):
        for value in entry.get("properties", {}).get(prop, []):
            if matches(_url_of(value)):
                return True
    return False


def _meta(document: lxml.html.HtmlElement, *names: str) -> str:
    for name in names:
        for element in document.iter("meta"):
            if name in (element.get("name", "").lower(), element.get("property", "").lower()):
                value = element.get("content", "").strip()
                if value:
                    return value
    return ""


def _fill_from_metadata(
    result: Extracted, document: lxml.html.HtmlElement, link_element: lxml.html.HtmlElement
) -> None:
    """Fill what microformats did not say from ordinary HTML metadata."""
    if not result.title:
        title = _meta(document, "og:title", "twitter:title")
        if not title:
            title_element = document.find(".//title")
            title = title_element.text_content() if title_element is not None else ""
        result.title = plain_text(title)
    if not result.author:
        result.author = plain_text(_meta(document, "author", "article:author", "og:site_name"))
    if not result.published:
        result.published = iso_datetime(
            _meta(document, "article:published_time", "date", "dc.date", "dcterms.created")
        )
        if not result.published:
            for time_element in document.iter("time"):
                result.published = iso_datetime(time_element.get("datetime", ""))
                if result.published:
                    break
    if not result.content:
        # the paragraph around the link is what pingback displays traditionally
        block = link_element
        while block is not None and block.tag not in ("p", "li", "blockquote", "div", "body"):
            block = block.getparent()
        context = plain_text(block.text_content() if block is not None else "", 500)
        if not context:
            context = plain_text(_meta(document, "description", "og:description"), 500)
        if context:
            result.content = sanitise_html(f"<p>{html.escape(context)}</p>")
