"""Video URLs (YouTube, Vimeo) and the click-to-load placeholder that replaces them."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

YOUTUBE_HOSTS = frozenset(
    {
        "youtube.com",
        "www.youtube.com",
        "m.youtube.com",
        "music.youtube.com",
        "youtube-nocookie.com",
        "www.youtube-nocookie.com",
    }
)
VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"})
PROVIDER_NAMES = {"youtube": "YouTube", "vimeo": "Vimeo"}

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_YOUTUBE_PATH = re.compile(r"^/(?:embed|shorts|live|v)/([A-Za-z0-9_-]{11})/?$")
_VIMEO_PATH = re.compile(
    r"^/(?:video/|channels/[\w-]+/|groups/[\w-]+/videos/|showcase/\d+/video/)?(\d{3,12})"
    r"(?:/([0-9a-f]{6,20}))?/?$"
)
_TIME = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$")

# A paragraph that holds nothing but a URL, an autolink, or `!video[Title](URL)`.
_PARAGRAPH = re.compile(r"<p>\s*(?P<body>[^<]*(?:<a\s[^>]*>[^<]*</a>)?)\s*</p>")
_BARE = re.compile(r"^(?P<url>https?://[^\s<>\"]+)$")
_LINK = re.compile(
    r"^(?P<bang>!video)?<a\s+href=\"(?P<url>[^\"]+)\"(?:\s+title=\"[^\"]*\")?>(?P<text>[^<]*)</a>$"
)


@dataclass(frozen=True)
class Video:
    """A video on YouTube or Vimeo, reduced to what the player needs."""

    provider: str  # "youtube" | "vimeo"
    video_id: str
    start: int = 0  # seconds
    unlisted_hash: str = ""  # Vimeo's h= for unlisted videos

    @property
    def provider_name(self) -> str:
        return PROVIDER_NAMES[self.provider]

    @property
    def player_src(self) -> str:
        """The iframe URL: the privacy-enhanced hosts, autoplay (the click was the consent)."""
        if self.provider == "youtube":
            query = [("autoplay", "1"), ("dnt", "1"), ("rel", "0")]
            if self.start:
                query.append(("start", str(self.start)))
            return f"https://www.youtube-nocookie.com/embed/{self.video_id}?{urlencode(query)}"
        query = [("autoplay", "1"), ("dnt", "1")]
        if self.unlisted_hash:
            query.insert(0, ("h", self.unlisted_hash))
        fragment = f"#t={self.start}s" if self.start else ""
        return f"https://player.vimeo.com/video/{self.video_id}?{urlencode(query)}{fragment}"

    @property
    def watch_url(self) -> str:
        """The provider's own page: the link a reader without JavaScript follows."""
        if self.provider == "youtube":
            query = [("v", self.video_id)] + ([("t", f"{self.start}s")] if self.start else [])
            return f"https://www.youtube.com/watch?{urlencode(query)}"
        path = self.video_id + (f"/{self.unlisted_hash}" if self.unlisted_hash else "")
        return f"https://vimeo.com/{path}" + (f"#t={self.start}s" if self.start else "")

    @property
    def preview_name(self) -> str:
        """File name of the local preview image (content/images/embeds/<name>)."""
        return f"{self.provider}-{self.video_id}.jpg"


def parse_time(value: str) -> int:
    """`90`, `90s`, `1m30s`, `1h2m3s` -> seconds; 0 for anything else."""
    match = _TIME.match((value or "").strip().lower())
    if not match or not any(match.groups()):
        return 0
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def parse_video_url(url: str) -> Video | None:
    """The Video behind a YouTube or Vimeo URL, or None for any other URL."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    query = parse_qs(parts.query)
    fragment = parse_qs(parts.fragment)
    start = parse_time((query.get("t") or query.get("start") or fragment.get("t") or [""])[0])
    if host == "youtu.be":
        video_id = parts.path.strip("/")
        return Video("youtube", video_id, start) if _YOUTUBE_ID.match(video_id) else None
    if host in YOUTUBE_HOSTS:
        if parts.path in ("/watch", "/watch/"):
            video_id = (query.get("v") or [""])[0]
            return Video("youtube", video_id, start) if _YOUTUBE_ID.match(video_id) else None
        match = _YOUTUBE_PATH.match(parts.path)
        return Video("youtube", match[1], start) if match else None
    if host in VIMEO_HOSTS:
        match = _VIMEO_PATH.match(parts.path)
        if not match:
            return None
        unlisted = match[2] or (query.get("h") or [""])[0]
        return Video(
            "vimeo", match[1], start, unlisted if re.fullmatch(r"[0-9a-f]+", unlisted or "") else ""
        )
    return None


@dataclass(frozen=True)
class VideoLabels:
    """UI text of a placeholder, already in the page language."""

    play: str  # "Video abspielen"
    note: str  # privacy note with {provider}
    privacy: str  # link text of the privacy page
    watch: str  # "auf {provider} ansehen"


def placeholder_html(
    video: Video,
    title: str,
    labels: VideoLabels,
    preview_src: str = "",
    privacy_href: str = "",
) -> str:
    """The click-to-load figure: a plain link to the provider until JavaScript swaps in the
    iframe (data-embed-src) on click. Nothing in it loads from the provider."""
    esc = html.escape
    provider = video.provider_name
    if preview_src:
        preview = (
            f'<img class="embed__preview" src="{esc(preview_src)}" alt="" width="640" '
            'height="360" loading="lazy" decoding="async">'
        )
    else:
        preview = '<span class="embed__preview embed__preview--neutral"></span>'
    privacy = f' <a href="{esc(privacy_href)}">{esc(labels.privacy)}</a>' if privacy_href else ""
    return (
        f'<figure class="embed embed--{video.provider}" data-embed-provider="{video.provider}" '
        f'data-embed-src="{esc(video.player_src)}" data-embed-title="{esc(title)}">'
        f'<a class="embed__link" href="{esc(video.watch_url)}" rel="noopener noreferrer">'
        f"{preview}"
        f'<span class="embed__play"><span class="embed__play-icon" aria-hidden="true"></span>'
        f'<span class="embed__play-text">{esc(labels.play)}</span></span>'
        f'<span class="embed__title">{esc(title)}</span>'
        f'<span class="embed__provider">{esc(labels.watch.format(provider=provider))}</span>'
        "</a>"
        f'<figcaption class="embed__note">{esc(labels.note.format(provider=provider))}{privacy}'
        "</figcaption></figure>"
    )


@dataclass(frozen=True)
class VideoParagraph:
    """A paragraph of rendered content that names a video (or tried to)."""

    url: str
    title: str  # "" when the URL stood alone
    explicit: bool  # written as !video[Title](URL)


def find_video_paragraph(body: str) -> VideoParagraph | None:
    """Classify the inside of one <p>: a lone URL, an autolink, or the explicit syntax."""
    body = body.strip()
    bare = _BARE.match(body)
    if bare:
        return VideoParagraph(html.unescape(bare["url"]), "", False)
    link = _LINK.match(body)
    if not link:
        return None
    url, text = html.unescape(link["url"]), html.unescape(link["text"]).strip()
    if link["bang"]:
        return VideoParagraph(url, text, True)
    return VideoParagraph(url, "", False) if text == url else None


def replace_videos(content: str, render: Callable[[VideoParagraph], str | None]) -> tuple[str, int]:
    """Replace every video paragraph for which render() returns HTML; (new content, count)."""
    count = 0

    def substitute(match: re.Match) -> str:
        nonlocal count
        found = find_video_paragraph(match["body"])
        if found is None:
            return match[0]
        replacement = render(found)
        if replacement is None:
            return match[0]
        count += 1
        return replacement

    return _PARAGRAPH.sub(substitute, content), count
