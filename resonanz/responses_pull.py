"""`make responses`: pull webmentions (webmention.io API or a jf2 file) into content/responses/."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import logging
import os
import re
import ssl
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

from resonanz import responses_format

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
TOKEN_ENV = "WEBMENTION_IO_TOKEN"
PER_PAGE = 100
TIMEOUT = 30
# webmention.io's wm-property -> our response type.
TYPE_BY_PROPERTY = {
    "in-reply-to": "comment",
    "like-of": "like",
    "repost-of": "repost",
    "bookmark-of": "webmention",
    "mention-of": "webmention",
    "rsvp": "webmention",
}


class PullError(Exception):
    """A problem that stops the pull; the message says what to fix."""


def _plugin_defaults() -> dict:
    sys.path.insert(0, str(ROOT / "plugins"))
    try:
        from resonanz_responses.settings import DEFAULTS
    finally:
        sys.path.remove(str(ROOT / "plugins"))
    return DEFAULTS


# --- mapping a jf2 mention to a response entry ------------------------------------------


def _iso(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    # webmention.io writes offsets without a colon (+0100); fromisoformat wants +01:00.
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.isoformat()


def _host(url: str) -> str:
    return (urllib.parse.urlsplit(url).hostname or "").removeprefix("www.")


def mention_id(mention: dict) -> str:
    """Stable id of a mention: webmention.io's wm-id, else a hash of source and target."""
    if mention.get("wm-id") not in (None, ""):
        return f"webmention-io-{mention['wm-id']}"
    key = f"{mention.get('wm-source') or mention.get('url')}\n{mention.get('wm-target')}"
    return "webmention-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def mention_to_entry(mention: dict, status: str) -> dict | None:
    """The response entry (shared YAML format) for one jf2 mention, None if unusable."""
    if not isinstance(mention, dict) or mention.get("wm-private"):
        return None
    url = mention.get("url") or mention.get("wm-source")
    published = _iso(mention.get("published")) or _iso(mention.get("wm-received"))
    if not isinstance(url, str) or not url.startswith(("http://", "https://")) or not published:
        return None
    kind = TYPE_BY_PROPERTY.get(mention.get("wm-property"), "webmention")
    author = mention.get("author") if isinstance(mention.get("author"), dict) else {}
    name = str(author.get("name") or "").strip()
    content = mention.get("content") if isinstance(mention.get("content"), dict) else {}
    body = content.get("html") or content.get("text") or ""
    title = str(mention.get("name") or "").strip()
    if title and content.get("text") and content["text"].strip().startswith(title[:40]):
        title = ""  # notes repeat their text as name
    entry: dict = {"id": mention_id(mention), "type": kind, "status": status}
    if name or kind == "comment":
        entry["author"] = name or _host(url)
    if isinstance(author.get("url"), str) and author["url"].startswith(("http://", "https://")):
        entry["author_url"] = author["url"]
    entry["url"] = url
    if title:
        entry["title"] = title
    if body:
        entry["content"] = str(body)
    entry["published"] = published
    return entry


# --- target URL -> article slug ----------------------------------------------------------


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"(\{[^}]*\})", template)
    regex = ""
    for part in parts:
        if part == "{slug}":
            regex += r"(?P<slug>[^/]+)"
        elif part.startswith("{") and part.endswith("}"):
            regex += r"[^/]+"
        else:
            regex += re.escape(part)
    return re.compile("^" + regex + r"(?:index\.html)?$")


def slug_for_target(target: str, site_url: str, url_templates: list[str]) -> str | None:
    """The article slug a target URL points to, None when it is no article of this site."""
    parts = urllib.parse.urlsplit(target or "")
    site = urllib.parse.urlsplit(site_url or "")
    if site.netloc and parts.netloc.lower() != site.netloc.lower():
        return None
    path = urllib.parse.unquote(parts.path)
    prefix = site.path.rstrip("/")
    if prefix and not path.startswith(prefix + "/"):
        return None
    path = path[len(prefix) :].lstrip("/")
    for template in url_templates:
        match = _pattern(template).match(path)
        # A slug names a file under content/responses/: nothing that could leave it.
        if match and re.fullmatch(r"\w[\w-]*(?:\.\w[\w-]*)*", match.group("slug")):
            return match.group("slug")
    return None


# --- merging into the YAML files ------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_entries(entries: list[dict]) -> str:
    """YAML text of entries as list items, ready to append to a responses file."""
    return yaml.dump(
        entries,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )


def merge(existing: str | None, entries: list[dict], rel: str) -> tuple[str | None, int]:
    """New file text with the entries not yet present appended, or None if none is new.

    Existing bytes are kept as they are (hand edits, comments, order); an entry is already
    present when its id is, or when an entry of the same type has the same source url.
    """
    try:
        current = responses_format.existing_entries(existing or "")
    except responses_format.FormatError as error:
        raise PullError(f"{rel}: {error}; fix it by hand first") from error
    ids = responses_format.known_ids(current)
    sources = {(e.get("type"), e.get("url")) for e in current}
    new = []
    for entry in entries:
        key = (entry["type"], entry["url"])
        if entry["id"] in ids or key in sources:
            continue
        ids.add(entry["id"])
        sources.add(key)
        new.append(entry)
    if not new:
        return None, 0
    if existing is None:
        existing = (f"# Antworten auf den Beitrag „{Path(rel).stem}“ "
                    "(Format: docs/redaktion.md, „Kommentare und Erwähnungen freischalten“).\n")
    try:
        return responses_format.append_text(existing, current, new, dump_entries), len(new)
    except responses_format.FormatError as error:
        raise PullError(f"{rel}: {error}; nothing written") from error


# --- reading mentions ---------------------------------------------------------------------


def read_jf2(data: object) -> list[dict]:
    """The mentions of a jf2 feed document (or a bare list of mentions)."""
    if isinstance(data, dict):
        data = data.get("children", [])
    if not isinstance(data, list):
        raise PullError('expected a jf2 feed: {"type": "feed", "children": [...]}')
    return [m for m in data if isinstance(m, dict)]


def fetch_api(api: str, token: str, since_id: int | None) -> list[dict]:
    """All mentions newer than since_id from a webmention.io-compatible API, oldest first."""
    mentions: list[dict] = []
    context = ssl.create_default_context()  # certificates are always verified
    page = 0
    while True:
        query = {"token": token, "per-page": PER_PAGE, "page": page, "sort-dir": "up"}
        if since_id is not None:
            query["since_id"] = since_id
        url = f"{api}?{urllib.parse.urlencode(query)}"
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT, context=context) as response:
                data = json.load(response)
        except (OSError, ValueError) as error:
            # The token is part of the URL: never print the URL.
            raise PullError(f"reading {api} failed: {error}") from error
        batch = read_jf2(data)
        mentions.extend(batch)
        if len(batch) < PER_PAGE:
            return mentions
        page += 1


# --- the command ---------------------------------------------------------------------------


def _known_slug(slug: str, content: Path, responses_dir: Path) -> bool:
    if (responses_dir / f"{slug}.yaml").exists():
        return True
    slug_line = re.compile(rf"^slug:\s*['\"]?{re.escape(slug)}['\"]?\s*$", re.MULTILINE)
    for path in content.rglob("*"):
        if path.suffix not in (".md", ".markdown", ".rst", ".html") or not path.is_file():
            continue
        if path.stem.endswith(slug):
            return True
        if slug_line.search(path.read_text(encoding="utf-8", errors="replace")[:4000]):
            return True
    return False


def pull(mentions: list[dict], settings: dict, options: dict) -> dict[str, int]:
    """Merge mentions into content/responses/<slug>.yaml; {relative path: entries added}."""
    content = Path(settings["PATH"])
    responses_dir = content / options["RESPONSES_PATH"]
    status = options["RESPONSES_PULL_STATUS"]
    site_url = settings.get("SITEURL") or settings.get("CANONICAL_SITEURL") or ""
    templates = [
        settings.get("ARTICLE_URL", "{slug}.html"),
        settings.get("ARTICLE_LANG_URL", "{slug}-{lang}.html"),
    ]
    blocked_domains = [d.lower().lstrip(".") for d in options["RESPONSES_BLOCKED_DOMAINS"]]
    by_slug: dict[str, list[dict]] = {}
    for mention in mentions:
        entry = mention_to_entry(mention, status)
        target = mention.get("wm-target") or ""
        if entry is None:
            logger.warning(
                "responses pull: mention %s: skipped (private, no source URL or date)",
                mention_id(mention),
            )
            continue
        slug = slug_for_target(target, site_url, templates)
        if slug is None or not _known_slug(slug, content, responses_dir):
            logger.warning(
                "responses pull: mention %s: wm-target = %r: no article of %s",
                entry["id"],
                target,
                site_url or "this site",
            )
            continue
        host = (urllib.parse.urlsplit(entry["url"]).hostname or "").lower()
        if any(host == d or host.endswith("." + d) for d in blocked_domains):
            entry["status"] = "spam"
        by_slug.setdefault(slug, []).append(entry)
    added: dict[str, int] = {}
    for slug in sorted(by_slug):
        path = responses_dir / f"{slug}.yaml"
        rel = path.relative_to(content).as_posix()
        existing = path.read_text(encoding="utf-8") if path.exists() else None
        text, count = merge(existing, by_slug[slug], rel)
        if text is not None:
            responses_format.write_atomically(path, text)
            added[rel] = count
    return added


def _read_state(path: Path) -> int | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8")).get("since_id")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


def _default_settings_file() -> str:
    for name in ("publishconf.py", "pelicanconf.py"):
        if Path(name).exists():
            return name
    return str(ROOT / "pelicanconf.py")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m resonanz.responses_pull",
        description="Pull webmentions into content/responses/<slug>.yaml (new entries only).",
    )
    parser.add_argument("jf2", nargs="?", help="a jf2 file to read instead of the API")
    parser.add_argument(
        "-s",
        "--settings",
        default=None,
        help="Pelican settings file (default: publishconf.py, else pelicanconf.py)",
    )
    parser.add_argument(
        "--status",
        choices=("pending", "approved"),
        default=None,
        help="status of new entries (default: RESPONSES_PULL_STATUS)",
    )
    parser.add_argument("--api", default=None, help="API URL (default: RESPONSES_PULL_API)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    from pelican.settings import read_settings

    settings = read_settings(args.settings or _default_settings_file())
    options = {
        **_plugin_defaults(),
        **{k: v for k, v in settings.items() if k.startswith("RESPONSES_")},
    }
    if args.status:
        options["RESPONSES_PULL_STATUS"] = args.status
    if options["RESPONSES_PULL_STATUS"] not in ("pending", "approved"):
        print(
            f"responses pull: setting RESPONSES_PULL_STATUS = "
            f"{options['RESPONSES_PULL_STATUS']!r}: expected pending or approved",
            file=sys.stderr,
        )
        return 2
    state_path = Path(settings["PATH"]) / options["RESPONSES_PULL_STATE"]
    try:
        if args.jf2:
            mentions = read_jf2(json.loads(Path(args.jf2).read_text(encoding="utf-8")))
        else:
            token = os.environ.get(TOKEN_ENV, "").strip()
            if not token:
                print(
                    f"responses pull: set {TOKEN_ENV} (webmention.io settings page) or "
                    "give a jf2 file",
                    file=sys.stderr,
                )
                return 2
            mentions = fetch_api(
                args.api or options["RESPONSES_PULL_API"], token, _read_state(state_path)
            )
        added = pull(mentions, settings, options)
    except (PullError, OSError, ValueError) as error:
        print(f"responses pull: {error}", file=sys.stderr)
        return 1
    if not args.jf2:
        ids = [m.get("wm-id") for m in mentions if isinstance(m.get("wm-id"), int)]
        newest = max(ids + [_read_state(state_path) or 0])
        if ids and newest != _read_state(state_path):
            responses_format.write_atomically(state_path, json.dumps({"since_id": newest}) + "\n")
    for rel, count in added.items():
        print(f"{rel}: {count} neu")
    print(
        f"responses pull: {sum(added.values())} neue Antwort(en) aus {len(mentions)} Erwähnung(en)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
