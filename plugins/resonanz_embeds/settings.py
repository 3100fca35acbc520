"""Defaults of every EMBEDS_* setting; pelicanconf.py overrides any of them."""

from __future__ import annotations

import logging
from typing import Any

from . import share

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    # Turn YouTube/Vimeo URLs alone on a line (and `!video[Title](URL)`) into click-to-load
    # placeholders.
    "EMBEDS_VIDEOS": True,
    # Fetch missing preview images from the provider during the build (network!). Off by
    # default: without a preview in content/images/embeds/ a neutral placeholder is shown.
    "EMBEDS_FETCH_PREVIEWS": False,
    # Where `embed-previews` stores previews for the repository, relative to PATH (content/).
    "EMBEDS_PREVIEW_PATH": "images/embeds",
    # Build-time cache for fetched previews (EMBEDS_FETCH_PREVIEWS); relative = to PATH's parent.
    "EMBEDS_CACHE_PATH": ".cache/embeds",
    # Privacy page linked from the note under each video placeholder: its source file
    # relative to PATH, or an https:// URL; "" = no link.
    "EMBEDS_PRIVACY_PAGE": "pages/datenschutz.md",
    # Share links under articles, in this order. Known: email, copy, mastodon, bluesky,
    # linkedin, x, facebook, whatsapp.
    "EMBEDS_SHARE_SERVICES": [
        "email",
        "copy",
        "mastodon",
        "bluesky",
        "linkedin",
        "x",
        "facebook",
        "whatsapp",
    ],
    # The page where readers pick their Mastodon instance (no request before they submit).
    "EMBEDS_MASTODON_URL": "teilen/mastodon/",
    "EMBEDS_MASTODON_SAVE_AS": "teilen/mastodon/index.html",
    # The embeddable player of every episode, and its oEmbed document.
    "EMBEDS_PLAYER_URL": "episoden/{slug}/embed/",
    "EMBEDS_PLAYER_SAVE_AS": "episoden/{slug}/embed/index.html",
    "EMBEDS_OEMBED_URL": "episoden/{slug}/oembed.json",
    "EMBEDS_OEMBED_SAVE_AS": "episoden/{slug}/oembed.json",
    # Size of the iframe in the copyable embed code and in oEmbed (px).
    "EMBEDS_PLAYER_WIDTH": 640,
    "EMBEDS_PLAYER_HEIGHT": 260,
    # Response headers for static hosts (Netlify, Cloudflare Pages); "" = do not write the file.
    "EMBEDS_HEADERS_SAVE_AS": "_headers",
    # The same policy for nginx (CSP, framing, MIME types of feeds/.vtt/.opus, caching), to
    # include in a server block; under _hosting/, which the deploy targets never upload.
    "EMBEDS_NGINX_SAVE_AS": "_hosting/nginx.conf",
    # Content-Security-Policy of the site: directive -> sources. frame-ancestors is added per
    # page ('none' for the site, * for the embed player). Add the origin of a comment provider
    # (RESPONSES_PROVIDER) to script-src/frame-src/connect-src when you enable one.
    "EMBEDS_CSP": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["https://www.youtube-nocookie.com", "https://player.vimeo.com"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
    # Further headers sent with every response (not frame-related).
    "EMBEDS_EXTRA_HEADERS": {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    },
}


def embeds_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """DEFAULTS merged with the EMBEDS_* settings of this run, checked; bad values reset."""
    merged = {**DEFAULTS, **{k: v for k, v in settings.items() if k.startswith("EMBEDS_")}}
    services = merged["EMBEDS_SHARE_SERVICES"]
    if not isinstance(services, list | tuple) or any(s not in share.SERVICES for s in services):
        logger.error(
            "embeds: pelicanconf.py: EMBEDS_SHARE_SERVICES = %r: expected a list of %s",
            services,
            ", ".join(share.SERVICES),
        )
        # Keep the valid part of a list: one typo should not remove every share link.
        valid = isinstance(services, list | tuple)
        merged["EMBEDS_SHARE_SERVICES"] = (
            [s for s in services if s in share.SERVICES]
            if valid
            else DEFAULTS["EMBEDS_SHARE_SERVICES"]
        )
    for key in ("EMBEDS_PLAYER_URL", "EMBEDS_PLAYER_SAVE_AS", "EMBEDS_OEMBED_SAVE_AS"):
        value = merged[key]
        first = str(value).strip("/").split("/", 1)[0]
        if not isinstance(value, str) or "{slug}" not in value or "{slug}" in first:
            logger.error(
                "embeds: pelicanconf.py: %s = %r: expected a path with {slug} below a fixed "
                "folder, e.g. %r",
                key,
                value,
                DEFAULTS[key],
            )
            merged[key] = DEFAULTS[key]
    for key in ("EMBEDS_PLAYER_WIDTH", "EMBEDS_PLAYER_HEIGHT"):
        if not isinstance(merged[key], int) or merged[key] < 100:
            logger.error(
                "embeds: pelicanconf.py: %s = %r: expected pixels >= 100", key, merged[key]
            )
            merged[key] = DEFAULTS[key]
    if not isinstance(merged["EMBEDS_CSP"], dict):
        logger.error(
            "embeds: pelicanconf.py: EMBEDS_CSP = %r: expected a dict directive -> sources",
            merged["EMBEDS_CSP"],
        )
        merged["EMBEDS_CSP"] = DEFAULTS["EMBEDS_CSP"]
    return merged
