"""WordPress eXtended RSS (WXR) exports: posts, pages, comments, trackbacks and pingbacks."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from . import dates
from .html2md import autop_html
from .model import Entry, Export, ImportInputError, Response
from .source import child_text, local, read_xml

CONTENT_NS = "{http://purl.org/rss/1.0/modules/content/}"
DC_NS = "{http://purl.org/dc/elements/1.1/}"
POST_TYPES = {"post": "post", "page": "page"}
# Types that are never content: menus, revisions, editor and theme state.
NOT_CONTENT = frozenset({
    "nav_menu_item", "revision", "custom_css", "customize_changeset", "oembed_cache",
    "user_request", "wp_block", "wp_template", "wp_template_part", "wp_global_styles",
    "wp_navigation", "wp_font_family", "wp_font_face", "attachment",
})
STATUSES = {"publish": "published", "future": "published", "draft": "draft",
            "pending": "draft", "private": "draft"}
TAXONOMIES = {"category": "category", "post_tag": "tag", "tag": "tag"}
COMMENT_STATUSES = {"1": "approved", "0": "pending", "spam": "spam"}
COMMENT_TYPES = {"": "comment", "comment": "comment", "trackback": "trackback",
                 "pingback": "pingback", "webmention": "webmention"}
_ELLIPSIS = r"\[(?:\.\.\.|…|&hellip;|&#8230;|&#x2026;)\]"
# Blog names in pingback titles: "Blog » Post" (classic) or "Post – Blog" (newer themes).
# Older themes also wrote "Post « Blog".
_BLOG_FIRST = re.compile(r"^(?P<blog>.+?)\s+[»›]\s+(?P<title>.+)$")
_TITLE_FIRST = re.compile(r"^(?P<title>.+)\s+(?:[|–—«‹-]|::)\s+(?P<blog>(?:(?![|–—«‹]|::| - ).)+)$")
_CAPTION = re.compile(r"\[caption([^\]]*)\](.*?)\[/caption\]", re.DOTALL | re.IGNORECASE)
_CAPTION_MEDIA = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.DOTALL)
_EMBED = re.compile(r"\[(?:embed|youtube|vimeo)[= ]?\]?\s*(https?://[^\s\]\[]+)\s*\]?"
                    r"(?:\s*\[/(?:embed|youtube|vimeo)\])?", re.IGNORECASE)
_SHORTCODE = re.compile(r"\[(/?)([a-z][a-z0-9_-]*)(?:\s[^\]]*)?\]")


def _text(element: ET.Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if local(child.tag) == name]


def strip_tags(value: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", value)).split())


def linkback_parts(kind: str, content: str, author: str, url: str) -> tuple[str, str, str]:
    """(blog name, title, excerpt) of a WordPress trackback or pingback.

    WordPress stores a trackback as "<strong>title</strong>\\n\\nexcerpt" with the blog name as
    author, a pingback as "[...] excerpt [...]" with the linking page's title as author.
    """
    excerpt = content.strip()
    title = ""
    match = re.match(r"^\s*<strong>(.*?)</strong>\s*(.*)$", excerpt, re.DOTALL)
    if match:
        title, excerpt = strip_tags(match.group(1)), match.group(2)
    excerpt = re.sub(r"^\s*" + _ELLIPSIS + r"\s*|\s*" + _ELLIPSIS + r"\s*$", "", excerpt)
    blog = author.strip()
    if kind == "pingback" and not title:
        classic, modern = _BLOG_FIRST.match(blog), _TITLE_FIRST.match(blog)
        if classic:
            blog, title = classic.group("blog"), classic.group("title")
        elif modern:
            blog, title = modern.group("blog"), modern.group("title")
        else:
            title = blog
            blog = (urlsplit(url).hostname or blog).removeprefix("www.")
    return blog.strip(), title.strip(), excerpt.strip()


def shortcodes(body: str) -> tuple[str, list[str]]:
    """[caption] becomes a <figure>, [embed]/[youtube] a bare URL; others are reported."""

    def caption(match: re.Match) -> str:
        attributes, inner = match.group(1), match.group(2)
        align = re.search(r'align="([^"]*)"', attributes)
        text = re.search(r'caption="([^"]*)"', attributes)
        media = _CAPTION_MEDIA.match(inner)
        image, label = (media.group(1), media.group(2)) if media else (inner, "")
        if text and not label.strip():
            label = text.group(1)
        figure_class = f' class="{html.escape(align.group(1))}"' if align else ""
        return (f"\n\n<figure{figure_class}>{image.strip()}"
                f"<figcaption>{label.strip()}</figcaption></figure>\n\n")

    body = _CAPTION.sub(caption, body)
    body = _EMBED.sub(lambda m: f"\n\n{m.group(1)}\n\n", body)
    left = sorted({m.group(2) for m in _SHORTCODE.finditer(body) if not m.group(1)})
    return body, [f"shortcode [{name}] left as text" for name in left]


def _status_of(item_label: str, status: str, password: str, export: Export) -> str | None:
    if status in ("trash", "auto-draft", "inherit"):
        export.skip(item_label, f"status {status!r} (in the trash or never saved)")
        return None
    if status not in STATUSES:
        export.skip(item_label, f"unknown status {status!r}")
        return None
    if status in ("private", "pending") or password:
        why = "password-protected" if password else f"status {status!r}"
        export.notes.append(f"{item_label}: {why}, imported as draft")
        return "draft"
    return STATUSES[status]


def parse(path: Path, zone: ZoneInfo, encoding: str | None = None) -> Export:
    """Everything in a WXR file; ImportInputError if it cannot be read as one."""
    notes: list[str] = []
    root = read_xml(path, encoding, notes)
    channel = root.find("channel")
    if local(root.tag) != "rss" or channel is None or not any(
        local(c.tag) in ("wxr_version", "base_site_url") for c in channel
    ):
        raise ImportInputError(
            f"{path}: not a WordPress export (expected <rss><channel> with <wp:wxr_version>); "
            "export again with Tools > Export > All content"
        )
    site = child_text(channel, "base_blog_url") or child_text(channel, "link")
    export = Export(source="wordpress", path=path, site_url=site.rstrip("/") + "/", notes=notes)
    authors = {
        child_text(a, "author_login"): child_text(a, "author_display_name")
        or child_text(a, "author_login")
        for a in _children(channel, "author")
    }
    terms = _terms(channel)
    for item in channel.findall("item"):
        _item(item, export, authors, zone, terms)
    return export


def _terms(channel: ET.Element) -> dict[tuple[str, str], str]:
    """(category|tag, nicename) -> name, from the channel's term lists (all WXR versions)."""
    terms: dict[tuple[str, str], str] = {}
    for element in channel:
        name = local(element.tag)
        if name == "category":
            slug, title = child_text(element, "category_nicename"), child_text(element, "cat_name")
            kind = "category"
        elif name == "tag":
            slug, title = child_text(element, "tag_slug"), child_text(element, "tag_name")
            kind = "tag"
        elif name == "term":
            kind = TAXONOMIES.get(child_text(element, "term_taxonomy"), "")
            slug, title = child_text(element, "term_slug"), child_text(element, "term_name")
        else:
            continue
        if kind and slug and title:
            terms[(kind, slug)] = html.unescape(title)
    return terms


def _item(item: ET.Element, export: Export, authors: dict[str, str], zone: ZoneInfo,
          terms: dict[tuple[str, str], str]) -> None:
    post_id = child_text(item, "post_id")
    title = html.unescape(_text(item.find("title")))
    post_type = child_text(item, "post_type") or "post"
    label = f"item {post_id} {title!r}" if title else f"item {post_id}"
    responses = len(_children(item, "comment"))
    # Whatever happens to a skipped item happens to its comments: say so in the report.
    skip_label = label + (f" (with {responses} comment{'s' if responses > 1 else ''})"
                          if responses else "")
    if post_type == "attachment":
        url = child_text(item, "attachment_url")
        if url:
            export.attachments.append(url)
        return
    if post_type not in POST_TYPES:
        why = ("not content" if post_type in NOT_CONTENT else "unknown post type, not imported")
        export.skip(skip_label, f"post type {post_type!r}: {why}")
        return
    status = _status_of(skip_label, child_text(item, "status"),
                        child_text(item, "post_password"), export)
    if status is None:
        return
    date = (dates.wordpress(child_text(item, "post_date"), child_text(item, "post_date_gmt"),
                            zone)
            or dates.rfc822(_text(item.find("pubDate")), zone)
            or dates.wordpress(child_text(item, "post_modified"),
                               child_text(item, "post_modified_gmt"), zone))
    if date is None:
        export.skip(skip_label, "no date (post_date, pubDate and post_modified are empty)")
        return
    categories, tags = [], []
    for category in item.findall("category"):
        # WXR 1.0 names tags domain="tag"; 1.1 and later "post_tag"; either may carry only
        # a nicename, whose name the channel's term list gives.
        kind = TAXONOMIES.get(category.get("domain", "category"))
        nicename = category.get("nicename", "")
        name = html.unescape(_text(category)) or terms.get((kind, nicename), unquote(nicename))
        found = categories if kind == "category" else tags if kind == "tag" else None
        if found is not None and name and name not in found:
            found.append(name)
    body = item.findtext(CONTENT_NS + "encoded") or ""
    excerpt = ""
    for child in item:
        if child.tag.endswith("/excerpt/}encoded"):
            excerpt = (child.text or "").strip()
    body, notes = shortcodes(body)
    export.notes.extend(f"{label}: {note}" for note in notes)
    # Since WordPress 5 a block-editor post is already HTML; classic posts rely on wpautop.
    body_format = "html" if "<!-- wp:" in body else "autop"
    if not excerpt and "<!--more" in body:
        excerpt = body.split("<!--more", 1)[0]
    creator = _text(item.find(DC_NS + "creator"))
    entry = Entry(
        kind=POST_TYPES[post_type],
        source_id=f"wordpress:{post_id}",
        title=title,
        slug=unquote(child_text(item, "post_name")),
        date=date,
        modified=dates.wordpress(child_text(item, "post_modified"),
                                 child_text(item, "post_modified_gmt"), zone),
        status=status,
        body=body,
        body_format=body_format,
        author=authors.get(creator, creator),
        categories=categories,
        tags=tags,
        summary=excerpt,
        old_url=_text(item.find("link")) if status == "published" else "",
        comments="closed" if child_text(item, "comment_status") == "closed" else "",
        linkbacks="off" if child_text(item, "ping_status") == "closed" else "",
    )
    export.entries.append(entry)
    ids: dict[str, str] = {}
    replies: list[tuple[Response, str]] = []
    for comment in _children(item, "comment"):
        found = _comment(comment, entry, label, export, zone)
        if found:
            response, number, parent = found
            ids[number] = response.id
            replies.append((response, parent))
    for response, parent in replies:
        if parent not in ("", "0"):
            # A missing parent is kept as an id; the import reports and drops it later.
            response.in_reply_to = ids.get(parent, f"wp-comment-{parent}")


def _comment(comment: ET.Element, entry: Entry, label: str, export: Export,
             zone: ZoneInfo) -> tuple[Response, str, str] | None:
    number = child_text(comment, "comment_id")
    where = f"{label}, comment {number}"
    approved = child_text(comment, "comment_approved")
    if approved not in COMMENT_STATUSES:
        export.skip(where, f"comment status {approved!r} (in the trash)")
        return None
    kind = COMMENT_TYPES.get(child_text(comment, "comment_type"))
    if kind is None:
        export.skip(where, f"comment type {child_text(comment, 'comment_type')!r}: not a "
                           "comment, trackback or pingback")
        return None
    published = dates.wordpress(child_text(comment, "comment_date"),
                                child_text(comment, "comment_date_gmt"), zone)
    if published is None:
        export.skip(where, f"comment_date = {child_text(comment, 'comment_date')!r}: no date")
        return None
    author = html.unescape(child_text(comment, "comment_author"))
    author_url = child_text(comment, "comment_author_url")
    content = child_text(comment, "comment_content")
    parent = child_text(comment, "comment_parent")
    response = Response(
        id=f"wp-{'comment' if kind == 'comment' else kind}-{number}",
        type=kind,
        status=COMMENT_STATUSES[approved],
        published=published,
        entry_ref=entry.source_id,
    )
    if kind == "comment":
        response.author = author or "Anonym"
        response.author_url = author_url
        response.content = autop_html(content)
    else:
        blog, title, excerpt = linkback_parts(kind, content, author, author_url)
        response.author, response.title, response.content = blog, title, excerpt
        response.url = author_url
        host = urlsplit(author_url)
        if host.scheme and host.netloc:
            response.author_url = f"{host.scheme}://{host.netloc}/"
    export.responses.append(response)
    return response, number, parent
