"""Defaults of every EMBEDS_* setting; pelicanconf.py overrides any of them."""

from __future__ import annotations

from typing import Any

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
