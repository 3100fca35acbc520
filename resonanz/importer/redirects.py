"""Old permalinks -> new URLs: _redirects, an nginx map and HTML redirect pages."""

from __future__ import annotations

import contextlib
import html
import json
import logging
import os
import posixpath
import re
import shutil
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from .model import ImportInputError

logger = logging.getLogger(__name__)

STORE = "redirects.json"
NETLIFY = "_redirects"
NGINX = "nginx-redirects.map"
PAGES = "html"
_SLASHES = re.compile(r"/{2,}")
# Cloudflare Pages reads at most 2,000 static redirects from _redirects.
CLOUDFLARE_LIMIT = 2000


def old_path(url: str) -> str | None:
    """The decoded path of an old permalink, or None if only a query tells posts apart.

    Normalised the way servers compare: nginx merges slashes and compares the decoded path,
    so '//greek/%CE%B1/' is '/greek/α/'.
    """
    parts = urlsplit(url.strip())
    path = _SLASHES.sub("/", unquote(parts.path or "/"))
    if (parts.query and path in ("", "/")) or parts.query.startswith(("p=", "page_id=")):
        return None
    normal = posixpath.normpath(path)
    if normal.startswith("..") or "/../" in path or not path.startswith("/"):
        return None
    if path.endswith("/") and normal != "/":
        normal += "/"
    return normal


def target_url(target: str) -> str:
    """A redirect target as it goes into a Location header: non-ASCII percent-encoded."""
    return quote(target, safe="/%:@!$&()*+,;=~#?")


def _variants(path: str) -> list[str]:
    # nginx compares $uri exactly: /2008/03/x/ and /2008/03/x both reach the old post.
    if path.endswith("/") and path != "/":
        return [path, path.rstrip("/")]
    return [path]


def _power_of_two(value: int, least: int) -> int:
    size = least
    while size < value:
        size *= 2
    return size


def _nginx_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_file(path: str) -> str:
    """Where the HTML redirect page for an old path lives, relative to the html/ folder."""
    relative = path.strip("/")
    last = relative.rsplit("/", 1)[-1]
    # /2008/03/x.html is a file on a static host; /2008/03/x/ is a folder with index.html.
    if "." in last and not path.endswith("/"):
        return relative
    return posixpath.join(relative, "index.html") if relative else "index.html"


def redirect_page(target: str, title: str, site_url: str = "") -> str:
    """A tiny page that sends readers and search engines to target."""
    absolute = site_url.rstrip("/") + target if site_url and target.startswith("/") else target
    href = html.escape(absolute, quote=True)
    label = html.escape(title or absolute)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="de">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Umgezogen: {label}</title>\n"
        f'<link rel="canonical" href="{href}">\n'
        '<meta name="robots" content="noindex">\n'
        f'<meta http-equiv="refresh" content="0; url={href}">\n'
        "</head>\n<body>\n"
        f'<p>Dieser Beitrag ist umgezogen: <a href="{href}">{label}</a></p>\n'
        "</body>\n</html>\n"
    )


def _write(path: Path, text: str) -> None:
    with contextlib.suppress(OSError):
        if path.read_text(encoding="utf-8") == text:
            return  # a re-import leaves unchanged files (and their times) alone
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def load_store(directory: Path) -> dict[str, dict[str, str]]:
    """Redirects written by earlier imports: old path -> {"to": new URL, "title": ...}."""
    try:
        data = json.loads((directory / STORE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise ImportInputError(
            f"{directory / STORE}: unreadable ({error}); delete it to start over"
        ) from None
    return {k: v for k, v in data.get("redirects", {}).items() if isinstance(v, dict)}


def write_redirects(
    directory: Path, redirects: dict[str, dict[str, str]], site_url: str = ""
) -> dict[str, dict[str, str]]:
    """Merge redirects into the store of directory and rewrite every output file from it."""
    # keys of earlier imports are normalised too (they may hold a '//' an older version kept)
    merged = {_SLASHES.sub("/", path): redirect
              for path, redirect in {**load_store(directory), **redirects}.items()}
    ordered = dict(sorted(merged.items()))
    _write(directory / STORE,
           json.dumps({"version": 1, "redirects": ordered}, ensure_ascii=False, indent=2) + "\n")
    netlify = ["# Old permalinks of the imported blog (written by `python -m resonanz import`)."]
    keys = [v.encode("utf-8") for path in ordered for v in _variants(path)]
    nginx = [
        "# Old permalinks of the imported blog (written by `python -m resonanz import`).",
        "# Include in the http block; in the server block: if ($new_uri) { return 301 $new_uri; }",
        "# The hash sizes fit these keys (nginx refuses to start when a key does not fit);",
        "# remove the two lines if your http block sets them already.",
        f"map_hash_bucket_size {_power_of_two(max((len(k) for k in keys), default=0) + 32, 64)};",
        f"map_hash_max_size {_power_of_two(2 * len(keys), 2048)};",
        "map $uri $new_uri {",
        '    default "";',
    ]
    for path, redirect in ordered.items():
        target = target_url(redirect["to"])
        # Netlify compares the path as the browser sends it (percent-encoded), nginx's $uri
        # is decoded: each file gets the form its server compares.
        encoded = quote(path, safe="/:@!$&()*+,;=~")
        netlify.append(f"{encoded} {target} 301")
        # Browsers send %CE%B5, old links (WordPress wrote them) often %ce%b5: a host that
        # compares the bytes gets both.
        lower = re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), encoded)
        if lower != encoded:
            netlify.append(f"{lower} {target} 301")
        for variant in _variants(path):
            nginx.append(f"    {_nginx_quote(variant)} {_nginx_quote(target)};")
        _write(directory / PAGES / page_file(path),
               redirect_page(target, redirect.get("title", ""), site_url))
    nginx.append("}")
    _write(directory / NETLIFY, "\n".join(netlify) + "\n")
    _write(directory / NGINX, "\n".join(nginx) + "\n")
    return ordered


def install_redirect_pages(directory: str | Path, output: str | Path) -> list[str]:
    """Copy <directory>/html/** and _redirects into a built site, never over a built page.

    Returns the output paths (relative) that were copied. Meant for the build's `finalized`
    step; a missing directory copies nothing, so a build never depends on an import.
    """
    source, output = Path(directory), Path(output)
    copied: list[str] = []
    pages = source / PAGES
    if pages.is_dir():
        for file in sorted(pages.rglob("*")):
            if not file.is_file():
                continue
            relative = file.relative_to(pages)
            target = output / relative
            if target.exists():
                if target.read_bytes() == file.read_bytes():
                    continue  # copied by the previous build into an output kept since
                logger.warning(
                    "import: %s: redirect page not copied, the site already has %s",
                    file, relative.as_posix(),
                )
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, target)
            copied.append(relative.as_posix())
    if (source / NETLIFY).is_file() and not (output / NETLIFY).exists():
        shutil.copyfile(source / NETLIFY, output / NETLIFY)
        copied.append(NETLIFY)
    return copied
