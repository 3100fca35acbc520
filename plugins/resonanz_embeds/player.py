"""The embeddable episode player: the iframe code other sites copy and its oEmbed document."""

from __future__ import annotations

import html
import json
from typing import Any


def embed_code(src: str, title: str, width: int, height: int) -> str:
    """The iframe other sites paste; nothing but our own player page inside it."""
    esc = html.escape
    return (
        f'<iframe src="{esc(src)}" title="{esc(title)}" width="{int(width)}" '
        f'height="{int(height)}" loading="lazy" style="border:0;max-width:100%" '
        'allow="autoplay; fullscreen" referrerpolicy="strict-origin-when-cross-origin"></iframe>'
    )


def oembed_document(
    *,
    title: str,
    player_url: str,
    width: int,
    height: int,
    provider_name: str,
    provider_url: str,
    author_name: str = "",
    author_url: str = "",
    thumbnail: tuple[str, int, int] | None = None,
    cache_age: int = 86400,
) -> dict[str, Any]:
    """An oEmbed 1.0 response of type "rich" whose html is the player iframe."""
    document: dict[str, Any] = {
        "version": "1.0",
        "type": "rich",
        "title": title,
        "provider_name": provider_name,
        "provider_url": provider_url,
        "html": embed_code(player_url, title, width, height),
        "width": int(width),
        "height": int(height),
        "cache_age": int(cache_age),
    }
    if author_name:
        document["author_name"] = author_name
    if author_url:
        document["author_url"] = author_url
    if thumbnail:
        document["thumbnail_url"], document["thumbnail_width"], document["thumbnail_height"] = (
            thumbnail
        )
    return document


def oembed_json(document: dict[str, Any]) -> str:
    """Stable bytes for the same episode (sorted keys), readable UTF-8."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
