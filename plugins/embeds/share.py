"""Share links as plain URLs: no script, no counter, no request before the reader clicks."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

# service -> German label (English via the core plugin's translation table).
SERVICES: dict[str, str] = {
    "email": "Per E-Mail versenden",
    "copy": "Link kopieren",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "linkedin": "LinkedIn",
    "x": "X",
    "facebook": "Facebook",
    "whatsapp": "WhatsApp",
}
# Services whose link stays on this site (or in the reader's own mail client).
ON_SITE = frozenset({"email", "copy", "mastodon"})


@dataclass(frozen=True)
class ShareLink:
    """One entry of the share list: the service key, its label and where the link goes."""

    service: str
    label: str
    href: str
    external: bool  # goes to another site (rel=noopener noreferrer)


def _query(pairs: list[tuple[str, str]]) -> str:
    # %20 rather than +: mail clients and some share intents show a literal plus otherwise.
    return urlencode(pairs, quote_via=quote)


def share_href(service: str, title: str, url: str, mastodon_page: str = "") -> str:
    """The link for one service; `url` is the absolute URL of the shared page."""
    text = f"{title} {url}"
    if service == "email":
        return "mailto:?" + _query([("subject", title), ("body", f"{title}\n\n{url}")])
    if service == "copy":
        return url
    if service == "mastodon":
        return f"{mastodon_page}?" + _query([("text", title), ("url", url)])
    if service == "bluesky":
        return "https://bsky.app/intent/compose?" + _query([("text", text)])
    if service == "linkedin":
        return "https://www.linkedin.com/sharing/share-offsite/?" + _query([("url", url)])
    if service == "x":
        return "https://x.com/intent/post?" + _query([("text", title), ("url", url)])
    if service == "facebook":
        return "https://www.facebook.com/sharer/sharer.php?" + _query([("u", url)])
    if service == "whatsapp":
        return "https://wa.me/?" + _query([("text", text)])
    raise ValueError(f"unknown share service {service!r}; known: {', '.join(SERVICES)}")


def share_links(
    services: list[str], title: str, url: str, mastodon_page: str = ""
) -> list[ShareLink]:
    """Links for the configured services in their order (unknown ones are checked earlier)."""
    links = []
    for service in services:
        if service not in SERVICES:
            continue
        href = share_href(service, title, url, mastodon_page)
        links.append(ShareLink(service, SERVICES[service], href, service not in ON_SITE))
    return links
