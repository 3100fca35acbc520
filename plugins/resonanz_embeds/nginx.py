"""An nginx snippet with the same policy as `_headers`: CSP, framing, MIME types, caching."""

from __future__ import annotations

import re

# (location regex, Content-Type or "", Cache-Control, allow cross-origin reads)
# Order matters: nginx takes the first regex location that matches.
MEDIA_RULES: list[tuple[str, str, str, bool]] = [
    (r"^/feeds/.+\.atom\.xml$", "application/atom+xml; charset=utf-8", "public, max-age=300", True),
    (r"^/feeds/.+\.xml$", "application/rss+xml; charset=utf-8", "public, max-age=300", True),
    (r"\.vtt$", "text/vtt; charset=utf-8", "public, max-age=86400", True),
    (r"\.srt$", "application/x-subrip; charset=utf-8", "public, max-age=86400", True),
    (r"\.opus$", "audio/ogg; codecs=opus", "public, max-age=86400", True),
    (r"\.(mp3|m4a|ogg|flac)$", "", "public, max-age=86400", True),
    (r"\.json$", "", "public, max-age=300", True),
    (r"^/theme/", "", "public, max-age=604800", False),
]


def _headers(csp: str, frame_deny: bool, extra: dict[str, str], cors: bool) -> list[str]:
    # nginx drops inherited add_header lines in a location that has its own, so every
    # location repeats the full set.
    lines = [f'add_header Content-Security-Policy "{csp}" always;']
    if frame_deny:
        lines.append('add_header X-Frame-Options "DENY" always;')
    lines += [f'add_header {name} "{value}" always;' for name, value in extra.items()]
    if cors:
        lines.append('add_header Access-Control-Allow-Origin "*" always;')
    return lines


def _location(pattern: str, body: list[str]) -> list[str]:
    return [f"location ~ {pattern} {{", *(f"    {line}" for line in body), "}"]


def nginx_snippet(
    deny_csp: str, player_csp: str, player_url: str, oembed_url: str, extra: dict[str, str],
    own: dict[str, dict[str, str]] | None = None,
) -> str:
    """The text of `_hosting/nginx.conf`, to be included inside a `server { }` block."""
    player = "^/" + re.escape(player_url.strip("/")).replace(r"\{slug\}", "[^/]+") + "/"
    oembed = "^/" + re.escape(oembed_url.strip("/")).replace(r"\{slug\}", "[^/]+") + "$"
    lines = [
        "# Resonanz: include this inside your server { } block (root = the built site).",
        "# Written by the build (embeds plugin); same policy as _headers for Netlify/Cloudflare.",
        "# Redirects from an import: put `include .../redirects/nginx-redirects.map;` in the",
        "# http { } block and `if ($new_uri) { return 301 $new_uri; }` here.",
        "charset utf-8;",
        "index index.html;",
        "error_page 404 /404.html;",
        "gzip_static on;  # serves the precompressed .gz files that make publish writes",
        "# brotli_static on;  # with the ngx_brotli module: serves the .br files",
        "",
    ]
    for folder, values in sorted((own or {}).items()):
        # ^~: a folder with headers of its own (the CMS); the regex locations below skip it
        body = ["try_files $uri $uri/ =404;"]
        body += [f'add_header {name} "{value}" always;' for name, value in values.items()]
        body += [f'add_header {name} "{value}" always;' for name, value in extra.items()
                 if name not in values]
        lines += [f"location ^~ /{folder.strip('/')}/ {{", *(f"    {b}" for b in body), "}"]
    lines += _location(player, _headers(player_csp, False, extra, False))
    lines += _location(oembed, _headers(deny_csp, True, extra, True))
    for pattern, content_type, cache, cors in MEDIA_RULES:
        body = []
        if content_type:
            body += ["types { }", f'default_type "{content_type}";']
        body += _headers(deny_csp, True, extra, cors)
        body.append(f'add_header Cache-Control "{cache}" always;')
        lines += _location(pattern, body)
    lines += ["location / {", "    try_files $uri $uri/ =404;"]
    lines += [f"    {line}" for line in _headers(deny_csp, True, extra, False)]
    lines += ["}"]
    return "\n".join(lines) + "\n"
