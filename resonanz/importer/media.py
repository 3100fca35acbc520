"""Images and attachments of the old blog: where they go, links rewritten, optional download."""

from __future__ import annotations

import logging
import posixpath
import re
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from .slugs import slugify

logger = logging.getLogger(__name__)

MEDIA_EXTENSIONS = frozenset(
    "jpg jpeg png gif webp svg avif bmp tif tiff ico pdf mp3 m4a ogg opus wav mp4 m4v webm mov "
    "zip doc docx xls xlsx ppt pptx odt ods odp txt csv".split()
)
# Image hosts that belong to a Blogger blog even though their host name differs.
BLOGGER_IMAGE_HOSTS = ("bp.blogspot.com", "blogger.googleusercontent.com", "googleusercontent.com")
MAX_DOWNLOAD_BYTES = 100 * 1024 * 1024


@dataclass
class MediaFile:
    """One file of the old blog and its place under content/."""

    url: str
    target: str  # relative to content/, e.g. images/imported/2008/03/foto.jpg
    referenced_by: list[str] = field(default_factory=list)


class MediaMap:
    """Decides which URLs are the old blog's files and where each one lives now."""

    def __init__(self, site_url: str, media_dir: str = "images/imported") -> None:
        self.site_url = site_url
        parts = urlsplit(site_url)
        host = (parts.hostname or "").lower()
        self.hosts = {host, host.removeprefix("www."), "www." + host.removeprefix("www.")} - {
            "", "www."
        }
        self.media_dir = media_dir.strip("/")
        self.files: dict[str, MediaFile] = {}
        self.external: dict[str, list[str]] = {}  # third-party images: url -> entries
        self._targets: dict[str, str] = {}

    def absolute(self, url: str) -> str:
        return urljoin(self.site_url, url) if self.site_url else url

    def is_own(self, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if not parts.scheme and not parts.netloc:
            return bool(parts.path)
        return host in self.hosts or host.endswith(BLOGGER_IMAGE_HOSTS)

    def is_media(self, url: str, attribute: str) -> bool:
        path = urlsplit(url).path
        extension = posixpath.splitext(path)[1].lower().lstrip(".")
        if "/wp-content/uploads/" in path:
            return True
        if attribute == "src":
            return True
        return extension in MEDIA_EXTENSIONS

    def _target_for(self, url: str) -> str:
        path = unquote(urlsplit(url).path)
        if "/wp-content/uploads/" in path:
            relative = path.split("/wp-content/uploads/", 1)[1]
        else:
            relative = posixpath.basename(path.rstrip("/")) or "datei"
            size = posixpath.basename(posixpath.dirname(path))
            if (urlsplit(url).hostname or "").endswith(BLOGGER_IMAGE_HOSTS) and re.match(
                r"^[swh]\d+(-[a-z0-9-]+)?$", size
            ):
                # Blogger serves sizes of one image as .../s320/x.jpg and .../s1600/x.jpg.
                stem, extension = posixpath.splitext(relative)
                relative = f"{stem}-{size}{extension}"
        pieces = []
        for piece in relative.split("/"):
            stem, extension = posixpath.splitext(piece)
            pieces.append((slugify(stem) or "datei") + extension.lower())
        target = posixpath.join(self.media_dir, *pieces)
        # Two different files called foto.jpg on Blogger: the second becomes foto-2.jpg.
        stem, extension = posixpath.splitext(target)
        candidate, number = target, 2
        while self._targets.get(candidate, url) != url:
            candidate = f"{stem}-{number}{extension}"
            number += 1
        self._targets[candidate] = url
        return candidate

    def add(self, url: str, entry: str) -> MediaFile:
        """Register a file of the old blog (referenced by entry) and return where it goes."""
        url = self.absolute(url)
        key = url.split("#", 1)[0]
        media = self.files.get(key)
        if media is None:
            media = MediaFile(url=key, target=self._target_for(key))
            self.files[key] = media
        if entry and entry not in media.referenced_by:
            media.referenced_by.append(entry)
        return media

    def rewrite(self, url: str, attribute: str, entry: str) -> str | None:
        """{static} link for a file of the old blog, None if url is not one of its files."""
        if not url or attribute == "embed" or url.startswith(("data:", "mailto:", "#", "{")):
            return None
        if not self.is_own(url):
            if attribute == "src" and url.startswith(("http://", "https://", "//")):
                self.external.setdefault(url, [])
                if entry not in self.external[url]:
                    self.external[url].append(entry)
            return None
        if not self.is_media(url, attribute):
            return None
        return "{static}/" + self.add(url, entry).target


def download(files: list[MediaFile], content: Path, timeout: float = 30.0) -> list[str]:
    """Fetch files that are not there yet; returns one problem line per failed file."""
    problems = []
    for media in files:
        target = content / media.target
        if target.exists():
            continue
        if not re.match(r"^https?://", media.url):
            problems.append(f"{media.url}: not an http(s) URL, not downloaded")
            continue
        request = urllib.request.Request(media.url, headers={"User-Agent": "resonanz-import"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                data = response.read(MAX_DOWNLOAD_BYTES + 1)
        except (OSError, ValueError) as error:
            problems.append(f"{media.url}: download failed: {error}")
            continue
        if len(data) > MAX_DOWNLOAD_BYTES:
            problems.append(f"{media.url}: larger than {MAX_DOWNLOAD_BYTES} bytes, not saved")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.part")
        temporary.write_bytes(data)
        temporary.replace(target)
        logger.info("import: downloaded %s to %s", media.url, media.target)
    return problems
