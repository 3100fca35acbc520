"""Episode GUIDs that survive renaming the title, slug, audio file and site URL."""

from __future__ import annotations

import uuid
from datetime import datetime

# Used only when PODCAST_GUID is not set: a fixed namespace + the show title.
_FALLBACK_NAMESPACE = uuid.UUID("5f0c1f6e-3c1d-5b8e-9b7a-2d3c4e5f6a7b")


def show_namespace(show_guid: str, show_title: str) -> uuid.UUID:
    """The UUID episode GUIDs are derived from: PODCAST_GUID, else derived from the title."""
    if show_guid:
        return uuid.UUID(show_guid)
    return uuid.uuid5(_FALLBACK_NAMESPACE, show_title)


def identity(number: int | None, episode_type: str, date: datetime) -> str:
    """The stable identity of an episode: its number, else its type and publication minute.

    Numbers are unique across the show (checked at build time) and are what listeners and
    hosts already use to name an episode; unnumbered trailers and bonus episodes fall back to
    their date, which does not change once published.
    """
    if number is not None:
        return f"episode:{number}"
    return f"{episode_type}:{date.strftime('%Y-%m-%dT%H:%M')}"


def episode_guid(namespace: uuid.UUID, stable_identity: str) -> str:
    """UUIDv5 of the identity inside the show's namespace."""
    return str(uuid.uuid5(namespace, stable_identity))
