"""The `_headers` file (Netlify, Cloudflare Pages): a CSP for every page, framing only for
the episode player.

Both hosts apply *every* rule whose path matches and join repeated headers, and a browser
enforces every CSP it gets, so a site-wide `/*` rule with `frame-ancestors 'none'` would
also forbid framing the player. The frame-related headers therefore go to rules that never
match a player page: one per top-level folder of the output, and exact paths next to the
player pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

# Cloudflare Pages reads at most this many rules (Netlify has no such limit).
CLOUDFLARE_RULE_LIMIT = 100


def csp_value(policy: dict[str, list[str]], frame_ancestors: str) -> str:
    """`directive source source; ...` with frame-ancestors last (it differs per rule)."""
    parts = [f"{name} {' '.join(sources)}".strip() for name, sources in policy.items()]
    parts = [p for p in parts if not p.startswith("frame-ancestors")]
    parts.append(f"frame-ancestors {frame_ancestors}")
    return "; ".join(parts)


def allow_receiver(policy: dict[str, list[str]], receiver_url: str) -> None:
    """Let pages post the comment form to the receiver (form-action) and the form's script
    fetch its token and send comments there (connect-src): exactly that origin, no more."""
    parts = urlsplit(receiver_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return
    origin = f"{parts.scheme}://{parts.netloc}"
    for directive in ("form-action", "connect-src"):
        sources = policy.setdefault(directive, ["'self'"])
        if origin not in sources:
            sources.append(origin)


def player_rule(player_url: str) -> str:
    """`episoden/{slug}/embed/` -> `/episoden/*/embed/*` (the path pattern of every player)."""
    return "/" + player_url.strip("/").replace("{slug}", "*") + "/*"


def player_regex(player_url: str) -> re.Pattern:
    """Matches the output folder of a player page, e.g. `episoden/zuhoeren/embed`."""
    parts = re.escape(player_url.strip("/")).split(re.escape("{slug}"))
    return re.compile("^" + "[^/]+".join(parts) + "$")


def deny_paths(output: Path, player_url: str, own: Iterable[str] = ()) -> list[str]:
    """URL paths that must carry `frame-ancestors 'none'`, none of which matches a player.

    Top-level folders get a wildcard; the folder the players live in is listed page by page.
    Folders in `own` have a policy of their own (own_rules) and are left out.
    """
    player_top = player_url.strip("/").split("/", 1)[0]
    is_player = player_regex(player_url)
    paths = ["/"]
    for entry in sorted(output.iterdir(), key=lambda p: p.name):
        if entry.is_file() and entry.suffix == ".html":
            paths.append(f"/{entry.name}")
        elif (entry.is_dir() and entry.name != player_top and not entry.name.startswith(".")
              and entry.name not in own):
            paths.append(f"/{entry.name}/*")
    top = output / player_top
    if top.is_dir():
        folders = sorted(
            index.parent.relative_to(output).as_posix() for index in top.rglob("index.html")
        )
        paths += [f"/{folder}/" for folder in folders if not is_player.match(folder)]
    return paths


def headers_file(
    denied: Iterable[str],
    player_url: str,
    policy: dict[str, list[str]],
    extra_headers: dict[str, str],
    oembed_url: str = "",
) -> str:
    """The whole `_headers` text."""
    lines = [
        "# Response headers for Netlify and Cloudflare Pages, written by the embeds plugin.",
        "# Framing is forbidden everywhere except the episode player pages.",
    ]
    if extra_headers:
        lines += ["/*"] + [f"  {name}: {value}" for name, value in extra_headers.items()]
    deny_csp = csp_value(policy, "'none'")
    for path in denied:
        lines += [path, f"  Content-Security-Policy: {deny_csp}", "  X-Frame-Options: DENY"]
    lines += [
        player_rule(player_url),
        f"  Content-Security-Policy: {csp_value(policy, '*')}",
    ]
    if oembed_url:
        lines += [
            "/" + oembed_url.strip("/").replace("{slug}", "*"),
            "  Access-Control-Allow-Origin: *",
        ]
    return "\n".join(lines) + "\n"


def own_rules(policies: dict[str, dict[str, str]]) -> str:
    """Rules for folders with headers of their own, e.g. the CMS at /admin/ (its CSP)."""
    lines = []
    for folder, values in sorted(policies.items()):
        lines.append(f"/{folder.strip('/')}/*")
        lines += [f"  {name}: {value}" for name, value in values.items()]
    return "\n".join(lines) + "\n" if lines else ""


def rule_count(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.startswith("/"))


def media_rules(podcast_feeds: list[str], media_path: str, theme_dir: str) -> str:
    """Caching, cross-origin reads and types for feeds, podcast media and theme files.

    Hosts serve `.xml` as application/xml; podcast feeds are named exactly so that apps
    get RSS. Chapters JSON and transcripts are fetched by web players on other sites,
    hence Access-Control-Allow-Origin.
    """
    lines = [
        "/feeds/*",
        "  Cache-Control: public, max-age=300",
        "  Access-Control-Allow-Origin: *",
        f"/{media_path.strip('/')}/*",
        "  Cache-Control: public, max-age=86400",
        "  Access-Control-Allow-Origin: *",
        f"/{theme_dir.strip('/')}/*",
        "  Cache-Control: public, max-age=604800",
    ]
    for feed in sorted(podcast_feeds):
        lines += [f"/{feed.lstrip('/')}", "  Content-Type: application/rss+xml; charset=utf-8"]
    return "\n".join(lines) + "\n"
