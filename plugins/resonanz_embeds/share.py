"""Share links as plain URLs: no script, no counter, no request before the reader clicks."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

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


def _q(value: str) -> str:
    # %20 rather than +: mail clients and some share intents show a literal plus otherwise.
    return quote(value, safe="")


def _hrefs(title: str, url: str, mastodon_page: str) -> dict[str, str]:
    """Every service's link; title, URL and text are quoted once (every article page
    has the whole list)."""
    t, u = _q(title), _q(url)
    text = _q(f"{title} {url}")
    body = _q(title + "\n\n" + url)
    return {
        "email": f"mailto:?subject={t}&body={body}",
        "copy": url,
        "mastodon": f"{mastodon_page}?text={t}&url={u}",
        "bluesky": f"https://bsky.app/intent/compose?text={text}",
        "linkedin": f"https://www.linkedin.com/sharing/share-offsite/?url={u}",
        "x": f"https://x.com/intent/post?text={t}&url={u}",
        "facebook": f"https://www.facebook.com/sharer/sharer.php?u={u}",
        "whatsapp": f"https://wa.me/?text={text}",
    }


def share_href(service: str, title: str, url: str, mastodon_page: str = "") -> str:
    """The link for one service; `url` is the absolute URL of the shared page."""
    if service not in SERVICES:
        raise ValueError(f"unknown share service {service!r}; known: {', '.join(SERVICES)}")
    return _hrefs(title, url, mastodon_page)[service]


def share_links(
    services: list[str], title: str, url: str, mastodon_page: str = ""
) -> list[ShareLink]:
    """Links for the configured services in their order (unknown ones are checked earlier)."""
    hrefs = _hrefs(title, url, mastodon_page)
    return [
        ShareLink(service, SERVICES[service], hrefs[service], service not in ON_SITE)
        for service in services
        if service in SERVICES
    ]
