"""Decap CMS configuration (config.yml) from the content model in resonanz_core.fields."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from resonanz_core.fields import CONTENT_TYPES, Field

from .settings import HOST_ORIGINS

# The custom file format registered by resonanz-cms.js: reads YAML front matter and
# Pelican's `Key: value` header, writes YAML front matter.
FORMAT = "resonanz-markdown"
DATETIME_FORMAT = "YYYY-MM-DD HH:mm"

# German labels of select values (the values are what the build checks).
OPTION_LABELS = {
    "open": "offen",
    "closed": "geschlossen (alte bleiben sichtbar)",
    "hidden": "ausgeblendet",
    "on": "an",
    "off": "aus",
    "full": "normale Folge",
    "trailer": "Trailer",
    "bonus": "Bonusfolge",
}

# (collection name, content type, folder under content/, label, singular, file name)
DATED_NAME = "{{year}}-{{month}}-{{day}}-{{fields.slug}}"  # like the demo's files
COLLECTIONS = (
    ("posts", "posts", "posts", "Beiträge", "Beitrag", DATED_NAME),
    ("case-studies", "case_studies", "case-studies", "Fallstudien", "Fallstudie", DATED_NAME),
    ("episodes", "episodes", "episodes", "Podcast-Folgen (Shownotes)", "Folge", "{{fields.slug}}"),
    ("pages", "pages", "pages", "Seiten", "Seite", "{{fields.slug}}"),
)


def widget(field: Field, categories: list[str], this_year: int) -> dict[str, Any]:
    """One Decap field from one content-model field."""
    entry: dict[str, Any] = {"name": field.name, "label": field.label, "required": field.required}
    if field.hint:
        entry["hint"] = field.hint
    kind = field.kind
    if kind in ("string", "text", "markdown", "boolean"):
        entry["widget"] = kind
    elif kind in ("image", "file"):
        # only files from the repository: an image "from a URL" would load from a third party
        entry.update(widget=kind, choose_url=False)
    elif kind == "datetime":
        entry.update(
            widget="datetime", format=DATETIME_FORMAT, date_format="DD.MM.YYYY",
            time_format="HH:mm", picker_utc=False,
        )
        if not field.required:
            entry["default"] = ""
    elif kind == "number":
        entry.update(widget="number", value_type="int")
        if field.min is not None:
            entry["min"] = field.min
        if field.max_this_year:
            entry["max"] = this_year
        elif field.max is not None:
            entry["max"] = field.max
    elif kind in ("select", "category"):
        values = list(field.options) if kind == "select" else categories
        entry["widget"] = "select"
        entry["options"] = [
            {"label": OPTION_LABELS.get(value, value), "value": value} for value in values
        ]
    elif kind == "list":
        entry["widget"] = "list"
        if field.pattern:
            # a list of one field stores plain strings, each checked against the pattern
            entry["field"] = {
                "name": field.name, "label": field.label, "widget": "string",
                "pattern": [field.pattern, field.pattern_hint],
            }
        if field.required:
            entry["min"] = 1
    else:
        raise ValueError(f"{field.name}: unknown kind {kind!r}")
    if field.pattern and kind != "list":
        entry["pattern"] = [field.pattern, field.pattern_hint]
    if kind == "image" and field.name == "image":
        # the teaser template writes SITEURL/<image>: a path relative to the site root
        entry["media_folder"] = "/{content}/images"
        entry["public_folder"] = "images"
    if kind == "markdown":
        entry["modes"] = ["rich_text", "raw"]
    return entry


def collection(
    name: str, content_type: str, folder: str, label: str, singular: str, slug: str,
    content_dir: str, categories: list[str], this_year: int,
) -> dict[str, Any]:
    fields = [widget(f, categories, this_year) for f in CONTENT_TYPES[content_type]]
    for entry in fields:
        if entry.get("media_folder"):
            entry["media_folder"] = entry["media_folder"].format(content=content_dir)
    result: dict[str, Any] = {
        "name": name,
        "label": label,
        "label_singular": singular,
        "folder": f"{content_dir}/{folder}",
        "extension": "md",
        "format": FORMAT,
        "create": True,
        "slug": slug,
        "identifier_field": "title",
        "summary": "{{title}}",
        "fields": fields,
    }
    if any(f.name == "date" for f in CONTENT_TYPES[content_type]):
        result["sortable_fields"] = ["date", "title"]
    if content_type == "episodes":
        # audio and covers sit next to the show notes: one episode = files sharing a stem
        result["media_folder"] = ""
        result["public_folder"] = ""
    return result


def backend(options: dict) -> dict[str, Any]:
    """Decap's backend section: the git host from CMS_BACKEND, the workflow, the proxy."""
    configured = dict(options["CMS_BACKEND"] or {})
    configured.setdefault("name", "github")
    configured.setdefault("branch", "main")
    if not configured.get("repo"):
        # Decap insists on a repo; the local proxy ignores it.
        configured["repo"] = "redaktion/resonanz"
    configured.setdefault("commit_messages", {
        "create": "CMS: {{collection}} „{{slug}}“ angelegt",
        "update": "CMS: {{collection}} „{{slug}}“ geändert",
        "delete": "CMS: {{collection}} „{{slug}}“ gelöscht",
        "uploadMedia": "CMS: Datei {{path}} hochgeladen",
        "deleteMedia": "CMS: Datei {{path}} gelöscht",
    })
    return configured


def cms_config(options: dict, categories: list[str], this_year: int) -> dict[str, Any]:
    """The whole config.yml as a dict."""
    content_dir = options["CMS_CONTENT_DIR"].strip("/")
    config: dict[str, Any] = {
        "locale": "de",
        "backend": backend(options),
        "media_folder": f"{content_dir}/images",
        # Markdown links to images: Pelican replaces {static} with the right relative URL
        "public_folder": "{static}/images",
        "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
        "collections": [
            collection(*spec, content_dir=content_dir, categories=categories, this_year=this_year)
            for spec in COLLECTIONS
        ],
    }
    if options["CMS_PUBLISH_MODE"]:
        config["publish_mode"] = options["CMS_PUBLISH_MODE"]
    if options["CMS_LOCAL_BACKEND"]:
        host = urlsplit(options["CMS_LOCAL_BACKEND"]).hostname or "127.0.0.1"
        config["local_backend"] = {
            "url": options["CMS_LOCAL_BACKEND"],
            "allowed_hosts": sorted({host, "127.0.0.1", "localhost"}),
        }
    return config


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def connect_origins(options: dict) -> list[str]:
    """Every origin /admin/ talks to besides itself: the git host's API, the local proxy."""
    backend_options = options["CMS_BACKEND"] or {}
    found = list(HOST_ORIGINS.get(backend_options.get("name", "github"), ())[:1])
    for key in ("api_root", "base_url"):
        if backend_options.get(key):
            found.append(origin(backend_options[key]))
    if options["CMS_LOCAL_BACKEND"]:
        found.append(origin(options["CMS_LOCAL_BACKEND"]))
    found += [origin(url) for url in options["CMS_CONNECT_ORIGINS"]]
    return sorted({o for o in found if o})


def content_security_policy(options: dict, in_page: bool = False) -> str:
    """The CSP of /admin/: Decap needs eval (its config schema check compiles code) and
    inline styles (CSS-in-JS); everything else stays on this site and the git host.

    in_page: the copy for the page's <meta> element, where browsers ignore (and warn
    about) frame-ancestors; the response header carries it.
    """
    backend_options = options["CMS_BACKEND"] or {}
    connect = connect_origins(options)
    avatars = list(HOST_ORIGINS.get(backend_options.get("name", "github"), ())[1:])
    policy = {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-eval'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *avatars],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'", "blob:", *connect],
        "frame-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    if in_page:
        del policy["frame-ancestors"]
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in policy.items())
