"""Pipeline step 4, artwork: the show's and each episode's cover as square JPEG variants
(PODCAST_ARTWORK_SIZES), rendered once and cached, put into output as generated files."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from .artwork import ArtworkError, inspect_artwork, render_variants
from .audio import embedded_cover
from .context import PodcastBuild, problem
from .episode import Artwork, Episode

logger = logging.getLogger(__name__)

IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png"})


def _variants(build: PodcastBuild, data: bytes, name: str
              ) -> tuple[dict[int, bytes], list[dict[str, Any]]]:
    """The JPEG variants of one image by width and its problems, from the cache or
    rendered and cached (ArtworkError: unusable)."""
    limit = build.podcast["PODCAST_MAX_IMAGE_PIXELS"]
    sizes = list(build.podcast["PODCAST_ARTWORK_SIZES"])
    key = build.cache.bytes_key(data, "artwork:" + ",".join(map(str, sizes)))
    cached = build.cache.get_json(key)
    if cached is not None:
        blobs = build.cache.get_blobs(key, [str(w) for w in cached["widths"]])
        if blobs is not None:
            return {int(w): blob for w, blob in blobs.items()}, cached["problems"]
    _, found = inspect_artwork(data, name, limit)
    variants = render_variants(data, sizes, limit)
    problems = [{"field": p.field, "value": p.value, "fix": p.fix} for p in found]
    build.cache.put_json(key, {"problems": problems, "widths": sorted(variants)})
    build.cache.put_blobs(key, {str(w): blob for w, blob in variants.items()})
    return variants, problems


def render_artwork(build: PodcastBuild, data: bytes, name: str, source: str, prefix: str
                   ) -> Artwork | None:
    """The variants of one image as media/artwork/<prefix>-<width>.jpg, or None if unusable."""
    try:
        variants, problems = _variants(build, data, name)
    except ArtworkError as exc:
        problem(logging.ERROR, source, "cover", name, str(exc))
        return None
    for found_problem in problems:
        problem(logging.WARNING, source, found_problem["field"], found_problem["value"],
                found_problem["fix"])
    artwork = Artwork()
    for width, blob in variants.items():
        path = build.media_output_path(f"artwork/{prefix}-{width}.jpg")
        build.blobs[path] = blob
        artwork.variants[width] = path
    return artwork


def show_artwork_ahead(build: PodcastBuild) -> None:
    """The show cover's variants rendered into the cache, reporting nothing: what the
    first reading worker does while the build process reads the posts (plugin.py);
    show_artwork then finds them there and reports the problems."""
    image = build.podcast["PODCAST_IMAGE"]
    path = build.content_root / image if image else None
    if path is not None and Path(os.path.realpath(path)).is_relative_to(build.content_root):
        _variants(build, path.read_bytes(), path.name)


def show_artwork(build: PodcastBuild) -> Artwork | None:
    """The show's cover (PODCAST_IMAGE)."""
    image = build.podcast["PODCAST_IMAGE"]
    if not image:
        logger.warning(
            "podcast: pelicanconf.py: PODCAST_IMAGE = '': Apple requires show artwork; "
            "set it to a 1400-3000 px square JPEG under content/"
        )
        return None
    path = build.content_root / image
    if not Path(os.path.realpath(path)).is_relative_to(build.content_root):
        problem(logging.ERROR, "pelicanconf.py", "PODCAST_IMAGE", image,
                "leaves content/; put the artwork under content/images/")
        return None
    try:
        data = path.read_bytes()
    except OSError:
        problem(logging.ERROR, "pelicanconf.py", "PODCAST_IMAGE", image, "file not found")
        return None
    return render_artwork(build, data, path.name, build.rel(path), "show")


def _cover_file(build: PodcastBuild, rel: str, files: list[Path], metadata: dict
                ) -> Path | None:
    if not metadata.get("cover"):
        return next((f for f in files if f.suffix.lower() in IMAGE_EXTENSIONS), None)
    path = build.inside_content(rel, "cover", str(metadata["cover"]))
    if path is not None and not path.is_file():
        problem(logging.WARNING, rel, "cover", metadata["cover"], "file not found")
        return None
    return path


def episode_artwork(build: PodcastBuild, episode: Episode, rel: str, files: list[Path],
                    metadata: dict, show: Artwork | None) -> Artwork | None:
    """The episode's cover: `cover:`, an image next to the notes, the audio's embedded
    cover, else the show's."""
    cover = _cover_file(build, rel, files, metadata)
    if cover is not None:
        return render_artwork(build, cover.read_bytes(), cover.name, build.rel(cover),
                              episode.slug) or show
    main = episode.main_media
    if main.facts.cover_mime:
        data = embedded_cover(build.content_root / main.source)
        if data:
            label = f"{main.filename} (embedded cover)"
            return render_artwork(build, data, label, main.source, episode.slug) or show
    return show
