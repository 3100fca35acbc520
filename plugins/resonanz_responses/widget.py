"""Comment provider settings -> data for the click-to-load placeholder (nothing loads before)."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

from .settings import PROVIDERS

NAMES = {
    "isso": "Isso",
    "remark42": "Remark42",
    "giscus": "giscus",
    "comentario": "Comentario",
    "disqus": "Disqus",
}


class WidgetConfigError(ValueError):
    """A provider setting is missing or malformed; the message names the setting."""


@dataclasses.dataclass(frozen=True)
class Widget:
    """What comments.js needs to load a provider, and what the placeholder tells the reader."""

    provider: str
    name: str
    origin: str  # host the reader's browser will contact, shown in the placeholder
    script: str  # URL of the provider script, injected on click
    script_attrs: dict[str, str]  # extra attributes on the injected <script>
    container: dict[str, object]  # {"tag": ..., "attrs": {...}}: element the widget renders in
    config: dict[str, object]  # globals some providers read (remark42, disqus)


def _base(url: str, setting: str = "RESPONSES_PROVIDER_URL") -> str:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise WidgetConfigError(
            f"{setting} = {url!r}: expected the provider's base URL, e.g. https://kommentare.example/"
        )
    return url.rstrip("/")


def _option(options: dict, key: str, provider: str) -> str:
    value = options.get(key)
    if not isinstance(value, str) or not value.strip():
        raise WidgetConfigError(
            f"RESPONSES_PROVIDER_OPTIONS[{key!r}] = {value!r}: required for {provider}"
        )
    return value.strip()


def _host(url: str) -> str:
    return urlsplit(url).netloc


def widget_for(
    provider: str,
    base_url: str,
    options: dict,
    *,
    page_url: str,
    page_id: str,
    title: str,
    lang: str = "de",
) -> Widget | None:
    """The widget of one article page, None for provider 'none'; WidgetConfigError if misset."""
    if provider not in PROVIDERS:
        raise WidgetConfigError(
            f"RESPONSES_PROVIDER = {provider!r}: expected one of " + ", ".join(PROVIDERS)
        )
    if provider == "none":
        return None
    options = options or {}
    if provider == "isso":
        base = _base(base_url)
        return Widget(
            provider,
            NAMES[provider],
            _host(base),
            f"{base}/js/embed.min.js",
            {"data-isso": base + "/", "data-isso-lang": lang},
            {
                "tag": "section",
                "attrs": {"id": "isso-thread", "data-isso-id": page_id, "data-title": title},
            },
            {},
        )
    if provider == "remark42":
        base = _base(base_url)
        site_id = _option(options, "site_id", provider)
        return Widget(
            provider,
            NAMES[provider],
            _host(base),
            f"{base}/web/embed.js",
            {},
            {"tag": "div", "attrs": {"id": "remark42"}},
            {
                "remark_config": {
                    "host": base,
                    "site_id": site_id,
                    "url": page_url,
                    "page_title": title,
                    "locale": lang,
                    "components": ["embed"],
                }
            },
        )
    if provider == "giscus":
        base = _base(base_url or "https://giscus.app")
        attrs = {
            "data-repo": _option(options, "repo", provider),
            "data-repo-id": _option(options, "repo_id", provider),
            "data-category": _option(options, "category", provider),
            "data-category-id": _option(options, "category_id", provider),
            "data-mapping": "specific",
            "data-term": page_id,
            "data-reactions-enabled": "1",
            "data-input-position": "bottom",
            "data-theme": str(options.get("theme", "preferred_color_scheme")),
            "data-lang": str(options.get("lang", lang)),
            "data-loading": "lazy",
            "crossorigin": "anonymous",
        }
        return Widget(
            provider,
            NAMES[provider],
            _host(base),
            f"{base}/client.js",
            attrs,
            {"tag": "div", "attrs": {"class": "giscus"}},
            {},
        )
    if provider == "comentario":
        base = _base(base_url)
        return Widget(
            provider,
            NAMES[provider],
            _host(base),
            f"{base}/comentario.js",
            {},
            {"tag": "comentario-comments", "attrs": {"page-id": page_id, "lang": lang}},
            {},
        )
    # disqus
    shortname = _option(options, "shortname", provider)
    base = _base(base_url or f"https://{shortname}.disqus.com")
    return Widget(
        provider,
        NAMES[provider],
        _host(base),
        f"{base}/embed.js",
        {},
        {"tag": "div", "attrs": {"id": "disqus_thread"}},
        {"disqus": {"url": page_url, "identifier": page_id, "title": title, "language": lang}},
    )
