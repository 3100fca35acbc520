"""Pelican glue of resonanz_images: variants of each post's teaser image, cached by content.

Every article with an `image` gets `article.teaser_image` (a ResponsiveImage) for the
templates; the files go to IMAGES_OUTPUT_DIR in the output. Variants are made once per
source content and kept in IMAGES_CACHE_PATH, so an unchanged image costs a hash.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pelican import signals
from resonanz_fastbuild import hooks
from resonanz_fastbuild.compat import raw_content

from .settings import DEFAULTS
from .variants import ImageError, ResponsiveImage, Variant, render_variants, source_digest

logger = logging.getLogger(__name__)

_PREFIXES = ("{static}", "{attach}", "{filename}")
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""\b(src|alt)\s*=\s*("[^"]*"|'[^']*')""", re.IGNORECASE)


def options(settings: dict) -> dict:
    """The plugin's settings: defaults overridden by IMAGES_* keys, checked once."""
    opts = {**DEFAULTS, **{k: v for k, v in settings.items() if k.startswith("IMAGES_")}}
    widths = opts["IMAGES_WIDTHS"]
    if not isinstance(widths, (list, tuple)) or not widths or not all(
            isinstance(w, int) and not isinstance(w, bool) and w > 0 for w in widths):
        logger.error("resonanz_images: setting IMAGES_WIDTHS = %r: expected a list of widths "
                     "in px, e.g. [320, 480, 720, 1080]", widths)
        opts["IMAGES_WIDTHS"] = DEFAULTS["IMAGES_WIDTHS"]
    quality = opts["IMAGES_QUALITY"]
    if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 100:
        logger.error("resonanz_images: setting IMAGES_QUALITY = %r: expected 1 to 100", quality)
        opts["IMAGES_QUALITY"] = DEFAULTS["IMAGES_QUALITY"]
    return opts


def source_path(value: str) -> str | None:
    """'{static}/images/a.jpg' or '/images/a.jpg' -> 'images/a.jpg'; None for other hosts."""
    value = value.strip()
    if "://" in value or value.startswith("//"):
        return None
    for prefix in _PREFIXES:
        if value.startswith(prefix):
            value = value[len(prefix):]
    return value.lstrip("/")


def first_image_in_text(content_html: str, siteurl: str) -> tuple[str, str] | None:
    """(path under content/, alt) of the first local <img> of a post's HTML, or None.

    The HTML is the text as read ('{static}/images/a.jpg'); a plain site URL or a relative
    one ('../../images/a.jpg') works too: the path is what is left after the site URL,
    Pelican's {static} and the '../'s.
    """
    for tag in _IMG.findall(content_html or ""):
        attributes = {name.lower(): html.unescape(value[1:-1])
                      for name, value in _ATTRIBUTE.findall(tag)}
        src = attributes.get("src", "")
        for prefix in _PREFIXES:
            src = src.replace(prefix, "", 1) if src.startswith(prefix) else src
        if siteurl and src.startswith(siteurl.rstrip("/") + "/"):
            src = src[len(siteurl.rstrip("/")) + 1:]
        parts = urlsplit(src)
        if parts.scheme or parts.netloc or not parts.path:
            continue
        path = unquote(parts.path)
        while path.startswith(("../", "./")):
            path = path.split("/", 1)[1]
        return path.lstrip("/"), attributes.get("alt", "")
    return None


class ImageBuilder:
    """One build's image work: the cache folder, the output folder, what was made already."""

    def __init__(self, content: Path, output: Path, opts: dict) -> None:
        self.content = content
        self.folder = opts["IMAGES_OUTPUT_DIR"].strip("/")
        self.output = output / self.folder
        cache = opts["IMAGES_CACHE_PATH"]
        self.cache = Path(cache) if cache else None
        self.opts = opts
        self.made: dict[str, tuple[Variant, ...]] = {}
        self.cache_hits = 0
        self.rendered = 0

    def responsive(self, relative: str, alt: str) -> ResponsiveImage:
        """The responsive image of a file under content/ (ImageError, OSError when unusable)."""
        source = self.content / relative
        data = source.read_bytes()
        widths, quality = self.opts["IMAGES_WIDTHS"], self.opts["IMAGES_QUALITY"]
        digest = source_digest(data, widths, quality)
        if digest not in self.made:
            variants = self._cached(digest) or self._render(data, source.stem, digest)
            self.made[digest] = variants
            # the record removes a variant no later build makes (its image deleted)
            hooks.made(*(self.output / variant.name for variant in variants))
        return ResponsiveImage(alt=alt, folder=self.folder, variants=self.made[digest])

    def _cached(self, digest: str) -> tuple[Variant, ...] | None:
        if self.cache is None:
            return None
        folder = self.cache / digest[:32]
        try:
            listed = json.loads((folder / "variants.json").read_text(encoding="utf-8"))
            variants = tuple(Variant(**entry) for entry in listed)
            self.output.mkdir(parents=True, exist_ok=True)
            for variant in variants:
                target = self.output / variant.name
                cached = folder / variant.name
                if not target.is_file() or target.stat().st_size != cached.stat().st_size:
                    shutil.copyfile(cached, target)
        except (OSError, ValueError, TypeError):
            return None
        self.cache_hits += 1
        return variants

    def _render(self, data: bytes, stem: str, digest: str) -> tuple[Variant, ...]:
        files = render_variants(data, stem, self.opts["IMAGES_WIDTHS"],
                                self.opts["IMAGES_QUALITY"], self.opts["IMAGES_MAX_PIXELS"])
        self.rendered += 1
        self.output.mkdir(parents=True, exist_ok=True)
        for variant, blob in files.items():
            (self.output / variant.name).write_bytes(blob)
        variants = tuple(files)
        if self.cache is not None:
            self._store(digest, files)
        return variants

    def _store(self, digest: str, files: dict[Variant, bytes]) -> None:
        folder = self.cache / digest[:32]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for variant, blob in files.items():
                (folder / variant.name).write_bytes(blob)
            listing = [vars(v) for v in files]
            # the listing last and atomically: its presence means the folder is complete
            tmp = folder / f"variants.json.{os.getpid()}"
            tmp.write_text(json.dumps(listing), encoding="utf-8")
            tmp.replace(folder / "variants.json")
        except OSError as exc:
            logger.warning("resonanz_images: IMAGES_CACHE_PATH = %r: cannot write the cache "
                           "(%s); the next build makes the variants again",
                           str(self.cache), exc.strerror)


def attach_images(generator) -> None:
    settings = generator.settings
    opts = options(settings)
    builder = ImageBuilder(Path(settings["PATH"]), Path(settings["OUTPUT_PATH"]), opts)
    field, alt_field = opts["IMAGES_FIELD"], opts["IMAGES_ALT_FIELD"]
    everything = list(generator.articles) + list(generator.translations)
    for name in ("drafts", "drafts_translations", "hidden_articles", "hidden_translations"):
        everything += list(getattr(generator, name, []))
    for article in everything:
        value = article.metadata.get(field)
        explicit = bool(value and isinstance(value, str))
        if explicit:
            relative = source_path(value)
            alt = str(article.metadata.get(alt_field) or "")
        elif opts["IMAGES_FIRST_IN_TEXT"]:
            # the text as read: `content` would resolve its links before the static files
            # are known and warn about every {static} image
            found = first_image_in_text(raw_content(article) or "", settings.get("SITEURL", ""))
            # only an image the build itself has: the text may show one from elsewhere
            if found is None or not (builder.content / found[0]).is_file():
                continue
            (relative, alt), value = found, found[0]
        else:
            continue
        if relative is None:
            continue  # an image on another host: the template shows it as it is
        try:
            article.teaser_image = builder.responsive(relative, alt)
        except (ImageError, OSError) as exc:
            if explicit:
                _report(_relative(article.source_path, settings["PATH"]), field, value, exc)
                if isinstance(exc, FileNotFoundError):
                    # the templates would show a broken image and offer it as og:image
                    setattr(article, field, None)
            else:
                # nobody chose it as a teaser: the list goes without, the text shows it as is
                logger.debug("resonanz_images: %s: first image %s not used: %s",
                             article.source_path, value, exc)
    if builder.rendered or builder.cache_hits:
        logger.info("resonanz_images: %d images made, %d from the cache",
                    builder.rendered, builder.cache_hits)


def _relative(source: str, content: str) -> str:
    try:
        return Path(source).resolve().relative_to(Path(content).resolve()).as_posix()
    except ValueError:
        return source


def _report(source: str, field: str, value: str, exc: Exception) -> None:
    # the message says why; without the flag strict mode appends the raw OSError text
    explained = {"resonanz_explained": True}
    if isinstance(exc, FileNotFoundError) and field == "image":
        return  # resonanz_core reports a missing `image` already, once, as it does links
    if isinstance(exc, FileNotFoundError):
        logger.error("resonanz_images: %s: %s = %s: no such file under content/; check the "
                     "path (relative to content/, e.g. images/teaser.jpg)",
                     source, field, value, extra=explained)
    else:
        logger.error("resonanz_images: %s: %s = %s: %s; save it as JPEG, PNG or WebP",
                     source, field, value, exc, extra=explained)


def register() -> None:
    signals.article_generator_finalized.connect(attach_images)
