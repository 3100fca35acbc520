"""Podcast RSS with feedgen: iTunes tags plus an own Podcasting 2.0 (`podcast:`) extension."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from .chapters import Chapter, format_timestamp

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ATOM_NS = "http://www.w3.org/2005/Atom"
PSC_NS = "http://podlove.org/simple-chapters"
# The namespace the Podcasting 2.0 spec fixes for deriving podcast:guid from a feed URL.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
# feedgen's `podcast` name is its iTunes extension, so ours needs another registry name.
EXTENSION_NAME = "podcasting20"


def feed_guid(feed_url: str) -> str:
    """podcast:guid as the spec says: UUIDv5 of the feed URL without scheme and trailing slash."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


@dataclass
class Person:
    """A host or guest (`podcast:person`)."""

    name: str
    role: str = "host"
    group: str = "cast"
    href: str = ""
    img: str = ""


@dataclass
class Enclosure:
    """One audio file as the feed announces it."""

    url: str
    length: int
    mime_type: str
    bitrate: int = 0
    title: str = ""


@dataclass
class Soundbite:
    """A short highlight (`podcast:soundbite`)."""

    start: float
    duration: float
    title: str = ""


@dataclass
class FeedItem:
    """An episode as one feed needs it; everything is already resolved to absolute URLs."""

    guid: str
    title: str
    link: str
    pub_date: datetime
    description: str
    content_html: str
    enclosure: Enclosure
    duration: float
    image_url: str = ""
    explicit: bool = False
    number: int | None = None
    season: int | None = None
    episode_type: str = "full"
    block: bool = False
    chapters: list[Chapter] = field(default_factory=list)
    chapters_url: str = ""
    transcripts: list[tuple[str, str]] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    soundbites: list[Soundbite] = field(default_factory=list)
    alternates: list[Enclosure] = field(default_factory=list)
    subtitle: str = ""


@dataclass
class ShowInfo:
    """Channel-level data of one feed document."""

    title: str
    link: str
    description: str
    language: str
    author: str
    owner_name: str
    owner_email: str
    image_url: str
    self_url: str
    guid: str
    categories: list[tuple[str, str]] = field(default_factory=list)
    explicit: bool = False
    show_type: str = "episodic"
    complete: bool = False
    block: bool = False
    new_feed_url: str = ""
    locked: bool = True
    locked_owner: str = ""
    funding: list[tuple[str, str]] = field(default_factory=list)
    license: str = ""
    license_url: str = ""
    medium: str = "podcast"
    persons: list[Person] = field(default_factory=list)
    copyright: str = ""
    subtitle: str = ""
    alternates: list[tuple[str, str]] = field(default_factory=list)
    paging: dict[str, str] = field(default_factory=dict)
    last_build: datetime | None = None


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str):
    element = etree.SubElement(parent, tag, {k: v for k, v in attrs.items() if v != ""})
    if text is not None:
        element.text = text
    return element


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _person(parent: etree._Element, person: Person) -> None:
    _sub(
        parent,
        f"{{{PODCAST_NS}}}person",
        person.name,
        role=person.role,
        group=person.group,
        href=person.href,
        img=person.img,
    )


class Podcasting20Extension(BaseExtension):
    """Channel tags of the Podcasting 2.0 namespace, Apple's true/false explicit, atom links."""

    def __init__(self) -> None:
        self.show: ShowInfo | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS, "psc": PSC_NS}

    def extend_rss(self, rss_feed: etree._Element) -> etree._Element:
        show = self.show
        if show is None:
            return rss_feed
        channel = rss_feed[0]
        # feedgen only knows yes/no/clean; Apple documents true/false since 2019.
        _sub(channel, f"{{{ITUNES_NS}}}explicit", _bool(show.explicit))
        for href, title in show.alternates:
            _sub(
                channel,
                f"{{{ATOM_NS}}}link",
                rel="alternate",
                type="application/rss+xml",
                href=href,
                title=title,
            )
        for rel in ("first", "prev", "next", "last"):
            if show.paging.get(rel):
                _sub(channel, f"{{{ATOM_NS}}}link", rel=rel, href=show.paging[rel])
        _sub(channel, f"{{{PODCAST_NS}}}guid", show.guid)
        _sub(
            channel,
            f"{{{PODCAST_NS}}}locked",
            "yes" if show.locked else "no",
            owner=show.locked_owner,
        )
        _sub(channel, f"{{{PODCAST_NS}}}medium", show.medium)
        for url, text in show.funding:
            _sub(channel, f"{{{PODCAST_NS}}}funding", text, url=url)
        if show.license:
            _sub(channel, f"{{{PODCAST_NS}}}license", show.license, url=show.license_url)
        for person in show.persons:
            _person(channel, person)
        return rss_feed


class Podcasting20EntryExtension(BaseEntryExtension):
    """Item tags of the Podcasting 2.0 namespace plus inline Podlove Simple Chapters."""

    def __init__(self) -> None:
        self.item: FeedItem | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS, "psc": PSC_NS}

    def extend_rss(self, entry: etree._Element) -> etree._Element:
        item = self.item
        if item is None:
            return entry
        _sub(entry, f"{{{ITUNES_NS}}}explicit", _bool(item.explicit))
        if item.season is not None:
            _sub(entry, f"{{{PODCAST_NS}}}season", str(item.season))
        if item.number is not None:
            _sub(entry, f"{{{PODCAST_NS}}}episode", str(item.number))
        if item.chapters_url:
            _sub(
                entry,
                f"{{{PODCAST_NS}}}chapters",
                url=item.chapters_url,
                type="application/json+chapters",
            )
        for url, mime_type in item.transcripts:
            _sub(entry, f"{{{PODCAST_NS}}}transcript", url=url, type=mime_type)
        for person in item.persons:
            _person(entry, person)
        for bite in item.soundbites:
            _sub(
                entry,
                f"{{{PODCAST_NS}}}soundbite",
                bite.title or None,
                startTime=f"{bite.start:g}",
                duration=f"{bite.duration:g}",
            )
        for alternate in item.alternates:
            element = _sub(
                entry,
                f"{{{PODCAST_NS}}}alternateEnclosure",
                type=alternate.mime_type,
                length=str(alternate.length),
                bitrate=str(alternate.bitrate) if alternate.bitrate else "",
                title=alternate.title,
                default="true" if alternate.url == item.enclosure.url else "",
            )
            _sub(element, f"{{{PODCAST_NS}}}source", uri=alternate.url)
        if item.chapters:
            psc = _sub(entry, f"{{{PSC_NS}}}chapters", version="1.2")
            for chapter in item.chapters:
                _sub(
                    psc,
                    f"{{{PSC_NS}}}chapter",
                    start=format_timestamp(chapter.start),
                    title=chapter.title,
                    href=chapter.href,
                    image=chapter.image,
                )
        return entry


def build_feed(show: ShowInfo, items: list[FeedItem]) -> bytes:
    """Render one podcast feed document (RSS 2.0) as UTF-8 bytes, items in the given order."""
    return feed_bytes(make_feed(show, items))


def feed_bytes(generator: FeedGenerator) -> bytes:
    """The feed document as UTF-8 bytes."""
    return generator.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)


def make_feed(show: ShowInfo, items: list[FeedItem]) -> FeedGenerator:
    """One podcast feed (RSS 2.0) as a feedgen document, items in the given order."""
    generator = FeedGenerator()
    generator.load_extension("podcast")
    generator.register_extension(EXTENSION_NAME, Podcasting20Extension, Podcasting20EntryExtension)
    getattr(generator, EXTENSION_NAME).show = show
    generator.title(show.title)
    # feedgen takes the RSS <link> from the last link set, so the page link goes last.
    generator.link(href=show.self_url, rel="self", type="application/rss+xml")
    generator.link(href=show.link, rel="alternate")
    generator.description(show.description)
    generator.language(show.language)
    generator.generator("Resonanz (Pelican + feedgen)")
    if show.copyright:
        generator.copyright(show.copyright)
    if show.image_url:
        generator.image(url=show.image_url, title=show.title, link=show.link)
    if show.last_build is not None:
        # A fixed build date keeps two builds of the same content byte-identical.
        generator.lastBuildDate(show.last_build)
        generator.pubDate(show.last_build)
    itunes = generator.podcast
    itunes.itunes_author(show.author)
    itunes.itunes_owner(name=show.owner_name, email=show.owner_email)
    if show.image_url:
        itunes.itunes_image(show.image_url)
    categories = [{"cat": cat, "sub": sub} if sub else {"cat": cat} for cat, sub in show.categories]
    if categories:
        itunes.itunes_category(categories)
    itunes.itunes_type(show.show_type)
    if show.subtitle:
        itunes.itunes_subtitle(show.subtitle)
    itunes.itunes_summary(show.description)
    if show.block:
        itunes.itunes_block(True)
    if show.complete:
        itunes.itunes_complete(True)
    if show.new_feed_url:
        itunes.itunes_new_feed_url(show.new_feed_url)

    for item in items:
        entry = generator.add_entry(order="append")
        getattr(entry, EXTENSION_NAME).item = item
        entry.title(item.title)
        entry.guid(item.guid, permalink=False)
        entry.link(href=item.link)
        entry.pubDate(item.pub_date)
        entry.description(item.description or item.title)
        if item.content_html:
            entry.content(item.content_html, type="CDATA")
        entry.enclosure(item.enclosure.url, str(item.enclosure.length), item.enclosure.mime_type)
        entry.podcast.itunes_duration(int(round(item.duration)))
        if item.image_url:
            entry.podcast.itunes_image(item.image_url)
        if item.number is not None:
            entry.podcast.itunes_episode(item.number)
        if item.season is not None:
            entry.podcast.itunes_season(item.season)
        entry.podcast.itunes_episode_type(item.episode_type)
        if item.subtitle:
            entry.podcast.itunes_subtitle(item.subtitle)
        if item.block:
            entry.podcast.itunes_block(True)
    return generator
