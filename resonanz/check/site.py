"""The built site as the checks see it: its files, parsed pages and which URLs point into it."""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree, html

logger = logging.getLogger(__name__)

# Base for resolving relative links when the site's own URL is unknown; never requested.
PLACEHOLDER_BASE = "http://site.invalid/"
# Schemes that are not requests to anywhere (or not ours to check).
NON_FETCH_SCHEMES = {"mailto", "tel", "sms", "javascript", "data", "about", "urn", "geo", "xmpp"}


@dataclasses.dataclass(frozen=True)
class Target:
    """Where a URL leads: a file in the output (`path`), another host (`external`) or nowhere."""

    url: str  # absolute form of the URL
    kind: str  # "local" | "external" | "skip"
    path: Path | None = None  # the file it names in the output (may not exist)
    fragment: str = ""

    @property
    def exists(self) -> bool:
        return self.path is not None and self.path.is_file()


def _key(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path or "/"
    return parts.netloc.lower() + path


class Site:
    """An output directory plus the URL prefixes that map into it (SITEURL, media hosts)."""

    def __init__(self, root: Path, siteurl: str = "", url_map: dict[str, str] | None = None):
        self.root = Path(root).resolve()
        self.siteurl = _with_slash(siteurl or detect_siteurl(self.root) or PLACEHOLDER_BASE)
        self.host = urlsplit(self.siteurl).netloc.lower()
        prefixes = {_key(self.siteurl): self.root}
        for url, folder in (url_map or {}).items():
            prefixes[_key(_with_slash(url))] = (self.root / folder).resolve()
        # Longest prefix first, so a media URL below SITEURL wins over SITEURL itself.
        self.prefixes = sorted(prefixes.items(), key=lambda item: -len(item[0]))
        self.own_hosts = {key.split("/", 1)[0] for key, _ in self.prefixes}
        self._documents: dict[Path, html.HtmlElement | None] = {}
        self._ids: dict[Path, frozenset[str]] = {}

    # --- files -------------------------------------------------------------------
    @functools.cached_property
    def files(self) -> list[Path]:
        return sorted(p for p in self.root.rglob("*") if p.is_file())

    @functools.cached_property
    def html_files(self) -> list[Path]:
        return [p for p in self.files if p.suffix in (".html", ".htm")]

    @functools.cached_property
    def feed_files(self) -> list[Path]:
        feeds = self.root / "feeds"
        return sorted(p for p in feeds.rglob("*.xml") if p.is_file()) if feeds.is_dir() else []

    def rel(self, path: Path) -> str:
        try:
            return str(Path(path).resolve().relative_to(self.root))
        except ValueError:
            return str(path)

    def url_of(self, path: Path) -> str:
        """The public URL of a file in the output, under SITEURL."""
        return urljoin(self.siteurl, self.rel(path))

    # --- parsed pages ----------------------------------------------------------------
    def document(self, path: Path) -> html.HtmlElement | None:
        """The parsed page (parsed once per run); None when it is empty or not HTML at all."""
        path = Path(path)
        if path not in self._documents:
            self._documents[path] = _parse(path)
        return self._documents[path]

    def ids(self, path: Path) -> frozenset[str]:
        """Every fragment a link may point at in that page: id attributes and <a name>."""
        path = Path(path)
        if path not in self._ids:
            doc = self.document(path)
            self._ids[path] = frozenset(doc.xpath("//@id | //a/@name")) if doc is not None else (
                frozenset()
            )
        return self._ids[path]

    # --- URLs ------------------------------------------------------------------------
    def resolve(self, url: str, base: Path | None = None) -> Target:
        """Resolve a URL as written in `base` (a file in the output) to a Target."""
        url = url.strip()
        scheme = urlsplit(url).scheme.lower()
        if scheme in NON_FETCH_SCHEMES or (scheme and scheme not in ("http", "https")):
            return Target(url, "skip")
        absolute = urljoin(self.url_of(base) if base is not None else self.siteurl, url)
        parts = urlsplit(absolute)
        key = _key(absolute)
        for prefix, folder in self.prefixes:
            if key.startswith(prefix) or key + "/" == prefix:
                rest = unquote(key[len(prefix):])
                return Target(absolute, "local", self._local(folder, rest), parts.fragment)
        return Target(absolute, "external", None, parts.fragment)

    def _local(self, folder: Path, rest: str) -> Path:
        if rest == "" or rest.endswith("/"):
            rest += "index.html"
        path = (folder / rest).resolve()
        if not path.is_relative_to(folder):
            # percent-encoded ../ must not reach files outside the output
            return folder / ".resonanz-check-outside-output"
        if path.is_dir() and (path / "index.html").is_file():
            # a directory link without trailing slash: static hosts redirect to it
            path = path / "index.html"
        return path


def _parse(path: Path) -> html.HtmlElement | None:
    data = path.read_bytes()
    if not data.strip():
        return None
    try:
        return html.document_fromstring(data)
    except (etree.ParserError, ValueError) as exc:
        logger.debug("cannot parse %s: %s", path, exc)
        return None


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def detect_siteurl(root: Path) -> str:
    """The site's URL from the home page's canonical link, else from robots.txt's Sitemap line."""
    index = root / "index.html"
    if index.is_file():
        try:
            doc = html.document_fromstring(index.read_bytes())
        except (etree.ParserError, ValueError):
            doc = None
        if doc is not None:
            for href in doc.xpath('//link[@rel="canonical"]/@href'):
                if urlsplit(href).netloc:
                    return re.sub(r"index\.html$", "", href)
    robots = root / "robots.txt"
    if robots.is_file():
        match = re.search(r"(?im)^sitemap:\s*(\S+)", robots.read_text("utf-8", "replace"))
        if match and urlsplit(match.group(1)).netloc:
            return match.group(1).rsplit("/", 1)[0] + "/"
    return ""
