"""Feeds as readers and podcast apps parse them: feedparser, podcastparser, Apple's rules."""

from __future__ import annotations

import email.utils
import io
import json
import re
import uuid
from pathlib import Path

import feedparser
import podcastparser
from lxml import etree

from resonanz.check import directories, timing
from resonanz.check.links import check_target
from resonanz.check.report import CheckResult, describe
from resonanz.check.site import Site

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
PSC_NS = "http://podlove.org/simple-chapters"
ATOM_NS = "http://www.w3.org/2005/Atom"
IT = f"{{{ITUNES_NS}}}"
PC = f"{{{PODCAST_NS}}}"
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")

# Apple Podcasts categories (category -> subcategories), as listed in Apple's podcast guide.
APPLE_CATEGORIES = {
    "Arts": {"Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"},
    "Business": {"Careers", "Entrepreneurship", "Investing", "Management", "Marketing",
                 "Non-Profit"},
    "Comedy": {"Comedy Interviews", "Improv", "Stand-Up"},
    "Education": {"Courses", "How To", "Language Learning", "Self-Improvement"},
    "Fiction": {"Comedy Fiction", "Drama", "Science Fiction"},
    "Government": set(),
    "History": set(),
    "Health & Fitness": {"Alternative Health", "Fitness", "Medicine", "Mental Health",
                         "Nutrition", "Sexuality"},
    "Kids & Family": {"Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"},
    "Leisure": {"Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies",
                "Home & Garden", "Video Games"},
    "Music": {"Music Commentary", "Music History", "Music Interviews"},
    "News": {"Business News", "Daily News", "Entertainment News", "News Commentary", "Politics",
             "Sports News", "Tech News"},
    "Religion & Spirituality": {"Buddhism", "Christianity", "Hinduism", "Islam", "Judaism",
                                "Religion", "Spirituality"},
    "Science": {"Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics",
                "Natural Sciences", "Nature", "Physics", "Social Sciences"},
    "Society & Culture": {"Documentary", "Personal Journals", "Philosophy", "Places & Travel",
                          "Relationships"},
    "Sports": {"Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf",
               "Hockey", "Rugby", "Running", "Soccer", "Swimming", "Tennis", "Volleyball",
               "Wilderness", "Wrestling"},
    "Technology": set(),
    "True Crime": set(),
    "TV & Film": {"After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"},
}
APPLE_ARTWORK_PIXELS = (1400, 3000)
PODCAST_MEDIUMS = {"podcast", "music", "video", "film", "audiobook", "newsletter", "blog",
                   "publisher", "course"}
DURATION = re.compile(r"^(\d+|\d{1,2}:\d{2}|\d+:\d{2}:\d{2})(\.\d+)?$")
NPT = re.compile(r"^(\d+:)?\d{1,2}:\d{2}(\.\d{1,3})?$|^\d+(\.\d+)?$")
NUMBER = re.compile(r"^\d+(\.\d+)?$")
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def feed_paths(site: Site) -> list[Path]:
    """feeds/**/*.xml plus every local feed that a page announces with <link rel=alternate>."""
    paths = set(site.feed_files)
    for page in site.html_files:
        doc = site.document(page)
        if doc is None:
            continue
        for link in doc.xpath("//link[@rel='alternate'][@type][@href]"):
            if link.get("type") in FEED_TYPES[:2]:
                target = site.resolve(link.get("href"), page)
                if target.kind == "local" and target.exists:
                    paths.add(target.path)
    return sorted(paths)


def is_podcast_feed(tree: etree._ElementTree) -> bool:
    root = tree.getroot()
    return ITUNES_NS in root.nsmap.values() or bool(root.xpath("//*[namespace-uri()=$ns]",
                                                               ns=ITUNES_NS))


def check_feeds(site: Site) -> tuple[CheckResult, CheckResult]:
    """(reader feed results, podcast feed results) for every feed of the site."""
    feeds = CheckResult("feeds")
    podcasts = CheckResult("podcast")
    for path in feed_paths(site):
        feeds.checked += 1
        rel = site.rel(path)
        data = path.read_bytes()
        parsed = feedparser.parse(data)
        if parsed.bozo:
            feeds.error(rel, "", f"feedparser: {parsed.get('bozo_exception')}")
        if not parsed.get("version"):
            feeds.error(rel, "", "feedparser does not recognise this as RSS or Atom")
            continue
        if not parsed.entries:
            feeds.warning(rel, "", "feed has no entries")
        if parsed.feed.get("link"):
            check_target(site, feeds, site.resolve(parsed.feed.link, path), rel, "feed <link>")
        for entry in parsed.entries:
            if entry.get("link"):
                check_target(site, feeds, site.resolve(entry.link, path), rel,
                             f"entry {entry.get('title', '')!r} <link>")
        try:
            tree = etree.parse(io.BytesIO(data), XML_PARSER)
        except etree.XMLSyntaxError as exc:
            feeds.error(rel, "", f"not well-formed XML: {exc}")
            continue
        if is_podcast_feed(tree):
            podcasts.checked += 1
            check_podcast_feed(site, path, data, tree, podcasts)
    return feeds, podcasts


def check_podcast_feed(
    site: Site, path: Path, data: bytes, tree: etree._ElementTree, result: CheckResult
) -> None:
    """podcastparser, Apple's required tags, local enclosures and the Podcasting 2.0 tags."""
    rel = site.rel(path)
    root = tree.getroot()
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        result.error(rel, f"<{root.tag}>", "podcast feeds must be RSS 2.0 with a <channel>")
        return
    try:
        parsed = podcastparser.parse(site.url_of(path), io.BytesIO(data))
    except Exception as exc:  # podcastparser raises FeedParseError and SAX errors alike
        result.error(rel, "", f"podcastparser: {exc}")
        parsed = None
    items = channel.findall("item")
    if parsed is not None and len(parsed.get("episodes", [])) != len(items):
        result.error(rel, "<item>", f"podcastparser sees {len(parsed.get('episodes', []))} "
                     f"of {len(items)} items (items without title or enclosure get dropped)")
    _check_channel(site, path, channel, result)
    guids: dict[str, int] = {}
    for item in items:
        _check_item(site, path, item, result, guids)
    directories.check_channel(rel, channel, result)
    directories.check_items(site, path, channel, result)
    for image in channel.iterfind(f"item/{IT}image[@href]"):  # Apple: same rules as the show's
        _check_artwork(site, path, image, result)


def _text(element: etree._Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _check_channel(site: Site, path: Path, channel: etree._Element, result: CheckResult) -> None:
    rel = site.rel(path)
    at = f"{rel}:{channel.sourceline}"
    for tag in ("title", "description", "language"):
        if not _text(channel.find(tag)):
            result.error(at, f"<channel><{tag}>", "missing or empty (Apple requires it)")
    image = channel.find(f"{IT}image")
    if image is None or not image.get("href"):
        result.error(at, "<itunes:image href>", "missing (Apple requires show artwork)")
    else:
        _check_artwork(site, path, image, result)
    categories = channel.findall(f"{IT}category")
    if not categories:
        result.error(at, "<itunes:category>", "missing (Apple requires one)")
    for category in categories:
        name = category.get("text", "")
        where = f"{rel}:{category.sourceline}"
        if name not in APPLE_CATEGORIES:
            result.error(where, describe("itunes:category", text=name),
                         "not one of Apple's podcast categories")
            continue
        for sub in category.findall(f"{IT}category"):
            if sub.get("text", "") not in APPLE_CATEGORIES[name]:
                result.error(where, describe("itunes:category", text=sub.get("text")),
                             f"not a subcategory of {name!r} in Apple's list")
    _check_explicit(channel.find(f"{IT}explicit"), rel, result, required=True, at=at)
    for tag, label in ((f"{IT}author", "itunes:author"), ("link", "link")):
        if not _text(channel.find(tag)):
            result.warning(at, f"<{label}>", "missing (Apple recommends it)")
    if not _text(channel.find(f"{IT}owner/{IT}email")):
        result.warning(at, "<itunes:owner><itunes:email>",
                       "missing: Apple and Spotify mail the ownership check there")
    kind = _text(channel.find(f"{IT}type"))
    if kind and kind not in ("episodic", "serial"):
        result.error(at, "<itunes:type>", f"{kind!r}: expected episodic or serial")
    for link in channel.findall(f"{{{ATOM_NS}}}link[@rel='self']"):
        if link.get("href") != site.url_of(path):
            result.warning(f"{rel}:{link.sourceline}", describe("atom:link", href=link.get("href")),
                           f"rel=self should be the feed's own URL {site.url_of(path)}")
    _check_podcasting20_channel(site, path, channel, result)


def _check_explicit(element: etree._Element | None, rel: str, result: CheckResult,
                    required: bool, at: str) -> None:
    if element is None:
        if required:
            result.error(at, "<itunes:explicit>", "missing (Apple requires true or false)")
        return
    value = _text(element)
    where = f"{rel}:{element.sourceline}"
    if value in ("yes", "no", "clean"):
        result.warning(where, "<itunes:explicit>", f"{value!r}: Apple now documents true/false")
    elif value not in ("true", "false"):
        result.error(where, "<itunes:explicit>", f"{value!r}: expected true or false")


def _check_artwork(site: Site, path: Path, image: etree._Element, result: CheckResult) -> None:
    href = image.get("href")
    where = f"{site.rel(path)}:{image.sourceline}"
    element = describe("itunes:image", href=href)
    if not href.lower().split("?")[0].endswith((".jpg", ".jpeg", ".png")):
        result.error(where, element, "Apple accepts JPEG or PNG artwork only")
    target = site.resolve(href, path)
    check_target(site, result, target, where, element)
    if target.kind != "local" or not target.exists:
        return
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(target.path) as picture:
            width, height, mode = picture.width, picture.height, picture.mode
    except (UnidentifiedImageError, OSError) as exc:
        result.error(where, element, f"artwork does not open as an image: {exc}")
        return
    low, high = APPLE_ARTWORK_PIXELS
    if width != height or not low <= width <= high:
        result.error(where, element, f"artwork is {width}x{height}: Apple wants a square of "
                     f"{low}-{high} px")
    if mode not in ("RGB", "P", "L"):
        result.error(where, element, f"artwork colour mode {mode}: Apple wants RGB")


def _check_podcasting20_channel(
    site: Site, path: Path, channel: etree._Element, result: CheckResult
) -> None:
    rel = site.rel(path)
    for guid in channel.findall(f"{PC}guid"):
        try:
            uuid.UUID(_text(guid))
        except ValueError:
            result.error(f"{rel}:{guid.sourceline}", "<podcast:guid>",
                         f"{_text(guid)!r} is not a UUID")
    for locked in channel.findall(f"{PC}locked"):
        if _text(locked) not in ("yes", "no"):
            result.error(f"{rel}:{locked.sourceline}", "<podcast:locked>",
                         f"{_text(locked)!r}: expected yes or no")
    for medium in channel.findall(f"{PC}medium"):
        if _text(medium).removesuffix("L") not in PODCAST_MEDIUMS:
            result.error(f"{rel}:{medium.sourceline}", "<podcast:medium>",
                         f"{_text(medium)!r} is not a Podcasting 2.0 medium")
    for funding in channel.findall(f"{PC}funding"):
        if not funding.get("url"):
            result.error(f"{rel}:{funding.sourceline}", "<podcast:funding>", "no url attribute")
    _check_persons(channel, rel, result)


def _check_persons(parent: etree._Element, rel: str, result: CheckResult) -> None:
    for person in parent.findall(f"{PC}person"):
        if not _text(person):
            result.error(f"{rel}:{person.sourceline}", "<podcast:person>", "has no name")


def _local_media(site: Site, path: Path, url: str, length: str, result: CheckResult,
                 where: str, element: str) -> None:
    """A media URL that points into the output: the file exists and has the announced size."""
    if not url.startswith(("http://", "https://")):
        result.error(where, element, "URL must be absolute (http or https) in a feed")
    target = site.resolve(url, path)
    check_target(site, result, target, where, element)
    if target.kind == "local" and target.exists and length.isdigit():
        size = target.path.stat().st_size
        if int(length) != size:
            result.error(where, element, f"length={length} but {site.rel(target.path)} "
                         f"is {size} bytes")


def _check_item(site: Site, path: Path, item: etree._Element, result: CheckResult,
                guids: dict[str, int]) -> None:
    rel = site.rel(path)
    at = f"{rel}:{item.sourceline}"
    title = _text(item.find("title")) or _text(item.find(f"{IT}title"))
    label = f"item {title!r}" if title else "item"
    if not title:
        result.error(at, "<item><title>", "missing or empty (Apple requires it)")
    enclosures = item.findall("enclosure")
    if len(enclosures) != 1:
        result.error(at, f"{label} <enclosure>", f"found {len(enclosures)}: Apple requires "
                     "exactly one enclosure per episode")
    for enclosure in enclosures:
        where = f"{rel}:{enclosure.sourceline}"
        url, length, kind = (enclosure.get(a, "").strip() for a in ("url", "length", "type"))
        element = f"{label} " + describe("enclosure", url=url or None, length=length or None,
                                         type=kind or None)
        if not url:
            result.error(where, element, "enclosure has no url")
        if not length:
            result.error(where, element, "enclosure has no length (file size in bytes)")
        elif not length.isdigit() or int(length) <= 0:
            result.error(where, element, f"enclosure length {length!r} is not a byte count > 0")
        if not kind or "/" not in kind:
            result.error(where, element, "enclosure has no MIME type (type=audio/mpeg ...)")
        if url:
            _local_media(site, path, url, length, result, where, element)
    guid = _text(item.find("guid"))
    if not guid:
        result.error(at, f"{label} <guid>", "missing: apps use it to tell episodes apart")
    elif guid in guids:
        result.error(at, f"{label} <guid>", f"{guid!r} already used by the item at line "
                     f"{guids[guid]}")
    else:
        guids[guid] = item.sourceline
    published = item.find("pubDate")
    if published is None:
        result.warning(at, f"{label} <pubDate>", "missing: apps sort episodes by it")
    else:
        try:
            email.utils.parsedate_to_datetime(_text(published))
        except (TypeError, ValueError):
            result.error(at, f"{label} <pubDate>", f"{_text(published)!r} is not an RFC 822 date")
    duration = _text(item.find(f"{IT}duration"))
    if duration and not DURATION.match(duration):
        result.error(at, f"{label} <itunes:duration>", f"{duration!r}: seconds or HH:MM:SS")
    _check_explicit(item.find(f"{IT}explicit"), rel, result, required=False, at=at)
    episode_type = _text(item.find(f"{IT}episodeType"))
    if episode_type and episode_type not in ("full", "trailer", "bonus"):
        result.error(at, f"{label} <itunes:episodeType>", f"{episode_type!r}: full|trailer|bonus")
    image = item.find(f"{IT}image")
    if image is not None and image.get("href"):
        check_target(site, result, site.resolve(image.get("href"), path), at,
                     f"{label} " + describe("itunes:image", href=image.get("href")))
    link = _text(item.find("link"))
    if link:
        check_target(site, result, site.resolve(link, path), at, f"{label} <link>")
    _check_podcasting20_item(site, path, item, label, result)
    timing.check_item(site, path, item, label, result)


def _check_podcasting20_item(site: Site, path: Path, item: etree._Element, label: str,
                             result: CheckResult) -> None:
    rel = site.rel(path)
    for tag in ("season", "episode"):
        for element in item.findall(f"{PC}{tag}"):
            if not NUMBER.match(_text(element)):
                result.error(f"{rel}:{element.sourceline}", f"{label} <podcast:{tag}>",
                             f"{_text(element)!r} is not a number")
    for tag in ("transcript", "chapters"):
        for element in item.findall(f"{PC}{tag}"):
            where = f"{rel}:{element.sourceline}"
            shown = f"{label} " + describe(f"podcast:{tag}", url=element.get("url"),
                                           type=element.get("type"))
            if not element.get("url") or not element.get("type"):
                result.error(where, shown, "needs both url and type")
                continue
            target = site.resolve(element.get("url"), path)
            check_target(site, result, target, where, shown)
            if tag == "chapters" and target.kind == "local" and target.exists:
                _check_json_chapters(site, target.path, result, where, shown)
    for bite in item.findall(f"{PC}soundbite"):
        if not (NUMBER.match(bite.get("startTime", "")) and NUMBER.match(bite.get("duration", ""))):
            result.error(f"{rel}:{bite.sourceline}", f"{label} <podcast:soundbite>",
                         "startTime and duration must be seconds")
    for alternate in item.findall(f"{PC}alternateEnclosure"):
        where = f"{rel}:{alternate.sourceline}"
        length = alternate.get("length", "")
        if not alternate.get("type"):
            result.error(where, f"{label} <podcast:alternateEnclosure>", "no type attribute")
        sources = alternate.findall(f"{PC}source")
        if not sources:
            result.error(where, f"{label} <podcast:alternateEnclosure>", "no podcast:source")
        for source in sources:
            uri = source.get("uri", "")
            element = f"{label} " + describe("podcast:source", uri=uri)
            if not uri:
                result.error(f"{rel}:{source.sourceline}", element, "no uri attribute")
            elif uri.startswith(("http://", "https://")):
                _local_media(site, path, uri, length, result, f"{rel}:{source.sourceline}",
                             element)
    for chapter in item.iter(f"{{{PSC_NS}}}chapter"):
        if not NPT.match(chapter.get("start", "")):
            result.error(f"{rel}:{chapter.sourceline}", f"{label} <psc:chapter>",
                         f"start={chapter.get('start')!r} is not a normal play time (HH:MM:SS)")
    _check_persons(item, rel, result)


def _check_json_chapters(site: Site, path: Path, result: CheckResult, where: str,
                         element: str) -> None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        result.error(where, element, f"{site.rel(path)} is not JSON: {exc}")
        return
    chapters = data.get("chapters") if isinstance(data, dict) else None
    if not isinstance(data, dict) or "version" not in data or not isinstance(chapters, list):
        result.error(where, element, f"{site.rel(path)}: JSON chapters need version and chapters")
        return
    for number, chapter in enumerate(chapters, 1):
        if not isinstance(chapter, dict) or not isinstance(chapter.get("startTime"), int | float):
            result.error(where, element, f"{site.rel(path)}: chapter {number} has no numeric "
                         "startTime")
