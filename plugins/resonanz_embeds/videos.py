"""Videos in content: a paragraph that is only a YouTube or Vimeo link becomes a
placeholder that loads the player on click (with a stored or fetched preview image)."""

from __future__ import annotations

import functools
import logging
import os
import posixpath
from pathlib import Path
from typing import Any

from resonanz_fastbuild.compat import raw_content, set_raw_content

from .previews import PreviewError, fetch_preview
from .settings import embeds_settings
from .strings import translate
from .video import (
    Video,
    VideoLabels,
    VideoParagraph,
    parse_video_url,
    placeholder_html,
    replace_videos,
)

logger = logging.getLogger(__name__)


def _content_root(settings: dict[str, Any]) -> Path:
    return Path(settings["PATH"]).resolve()


def cache_dir(settings: dict[str, Any], options: dict[str, Any]) -> Path:
    cache = Path(options["EMBEDS_CACHE_PATH"])
    return cache if cache.is_absolute() else _content_root(settings).parent / cache


def _site_link(content: Any, target: str) -> str:
    """URL of an output path as seen from this content's page (relative when the site is)."""
    settings = content.settings
    if settings.get("RELATIVE_URLS"):
        here = posixpath.dirname(content.url.rstrip("/") + "/x") if content.url else ""
        return posixpath.relpath(target, here or ".")
    return f"{settings.get('SITEURL', '').rstrip('/')}/{target}"


def _preview_src(content: Any, video: Video, options: dict[str, Any]) -> str:
    settings = content.settings
    folder = options["EMBEDS_PREVIEW_PATH"].strip("/")
    if (_content_root(settings) / folder / video.preview_name).is_file():
        # Stored in the repository by `embed-previews`: Pelican copies and links it.
        return "{static}/" + f"{folder}/{video.preview_name}"
    if not options["EMBEDS_FETCH_PREVIEWS"]:
        return ""
    cached = cache_dir(settings, options) / video.preview_name
    if not cached.is_file():
        try:
            data = fetch_preview(video)
        except PreviewError as exc:
            logger.warning("embeds: preview of %s not fetched: %s", video.watch_url, exc)
            return ""
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(data)
    return _site_link(content, f"{folder}/{video.preview_name}")


def _privacy_href(content: Any, options: dict[str, Any]) -> str:
    page = options["EMBEDS_PRIVACY_PAGE"]
    if not page or page.startswith(("http:", "https:")):
        return page or ""
    if not (_content_root(content.settings) / page).is_file():
        return ""  # a site without that page: no dead link
    # Pelican resolves {filename} on every page it writes, summaries on listings included.
    return "{filename}/" + page.lstrip("/")


def _relative_source(content: Any) -> str:
    try:
        return os.path.relpath(content.source_path, _content_root(content.settings))
    except (TypeError, ValueError):
        return str(content.source_path)


def _render_video(content: Any, options: dict[str, Any], found: VideoParagraph) -> str | None:
    video = parse_video_url(found.url)
    if video is None:
        if found.explicit:
            logger.warning(
                "embeds: %s: video = %r: expected a YouTube or Vimeo URL "
                "(youtube.com/watch?v=…, youtu.be/…, vimeo.com/…)",
                _relative_source(content),
                found.url,
            )
        return None
    lang = getattr(content, "lang", None)
    labels = VideoLabels(
        play=translate("Video abspielen", lang),
        note=translate(
            "Erst beim Abspielen wird das Video von {provider} geladen; dabei erhält {provider} "
            "Daten wie deine IP-Adresse.",
            lang,
        ),
        privacy=translate("Datenschutz", lang),
        watch=translate("auf {provider} ansehen", lang),
    )
    title = found.title or translate("Video auf {provider}", lang).format(
        provider=video.provider_name
    )
    return placeholder_html(
        video,
        title,
        labels,
        preview_src=_preview_src(content, video, options),
        privacy_href=_privacy_href(content, options),
    )


def on_content_init(content: Any) -> None:
    """Replace video paragraphs of articles, pages and episodes with placeholders."""
    raw = raw_content(content)
    if not raw or "http" not in raw:
        return
    options = embeds_settings(content.settings)
    if not options["EMBEDS_VIDEOS"]:
        return
    new, count = replace_videos(raw, functools.partial(_render_video, content, options))
    if count:
        set_raw_content(content, new)
