"""The record of sent linkbacks: a JSON file (cacheable in CI) so each link is notified once."""

from __future__ import annotations

import json
import logging
from pathlib import Path

logger = logging.getLogger(__name__)


class Record:
    """source URL -> target URL -> what happened (only final outcomes are kept)."""

    def __init__(self, path: Path, entries: dict[str, dict[str, dict]] | None = None) -> None:
        self.path = path
        self.entries = entries or {}

    @classmethod
    def load(cls, path: Path) -> Record:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as error:
            # A broken record must not cause a flood of repeated notifications.
            raise ValueError(
                f"linkbacks_send: record {str(path)!r} is unreadable: {error}; fix or delete it"
            ) from error
        entries = data.get("sent", {}) if isinstance(data, dict) else {}
        return cls(path, entries if isinstance(entries, dict) else {})

    def done(self, source: str, target: str) -> bool:
        return target in self.entries.get(source, {})

    def add(self, source: str, target: str, outcome: dict) -> None:
        self.entries.setdefault(source, {})[target] = outcome

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(
            {"version": 1, "sent": self.entries}, indent=2, sort_keys=True, ensure_ascii=False
        )
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(text + "\n", encoding="utf-8")
        temporary.replace(self.path)
