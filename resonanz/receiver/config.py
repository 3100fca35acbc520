"""Receiver settings, read once from RESONANZ_* environment variables and validated."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


class ConfigError(ValueError):
    """An environment variable has a value the receiver cannot use."""


# variable -> (default, kind, help); the README table is written from the same facts
ENVIRONMENT = {
    "RESONANZ_SITE_URL": (None, "url", "public URL of the static site; only targets below it"),
    "RESONANZ_RECEIVER_DB": ("receiver.sqlite3", "path", "SQLite database file"),
    "RESONANZ_RECEIVER_TOKEN": ("", "str", "token (password) for the moderation page"),
    "RESONANZ_RECEIVER_URL": ("", "str", "public URL of the receiver, for status URLs"),
    "RESONANZ_RECEIVER_HOST": ("127.0.0.1", "str", "address `serve` listens on"),
    "RESONANZ_RECEIVER_PORT": ("8085", "int", "port `serve` listens on"),
    "RESONANZ_RECEIVER_THREADS": ("8", "int", "waitress request threads"),
    "RESONANZ_RECEIVER_WORKERS": ("2", "int", "verification threads in `serve`"),
    "RESONANZ_RECEIVER_MAX_BYTES": ("1048576", "int", "largest source page fetched, bytes"),
    "RESONANZ_RECEIVER_TIMEOUT": ("10", "float", "time limit for one source fetch, seconds"),
    "RESONANZ_RECEIVER_RATE_LIMIT": ("20", "int", "requests per source host per window"),
    "RESONANZ_RECEIVER_RATE_WINDOW": ("600", "float", "rate limit window, seconds"),
    "RESONANZ_RECEIVER_MAX_QUEUE": ("10000", "int", "queued mentions before 503"),
    "RESONANZ_RECEIVER_BLOCKLIST": ("", "str", "file of blocked domains, one per line"),
    "RESONANZ_RECEIVER_OUTPUT": ("", "str", "built site folder: targets must exist there"),
    "RESONANZ_RECEIVER_ALLOW_PRIVATE": ("0", "bool", "allow loopback/private sources (tests only)"),
}


@dataclass(frozen=True)
class ReceiverConfig:
    """Everything the receiver needs to know; tests build one directly."""

    site_url: str
    db_path: Path = Path("receiver.sqlite3")
    token: str = ""
    public_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8085
    threads: int = 8
    workers: int = 2
    max_bytes: int = 1024 * 1024
    timeout: float = 10.0
    rate_limit: int = 20
    rate_window: float = 600.0
    max_queue: int = 10000
    blocklist_file: str = ""
    output_dir: str = ""
    allow_private: bool = False
    max_attempts: int = 3
    user_agent: str = "Resonanz-Receiver/0.1"
    max_request_bytes: int = 64 * 1024
    extra_blocked: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        parts = urlsplit(self.site_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(
                f"RESONANZ_SITE_URL = {self.site_url!r}: expected an http(s) URL such as "
                "https://resonanz.example/"
            )
        for name in ("port", "threads", "workers", "max_bytes", "rate_limit", "max_queue"):
            if getattr(self, name) < (0 if name == "port" else 1):
                raise ConfigError(f"{name} = {getattr(self, name)!r}: expected a positive number")


def _convert(name: str, raw: str, kind: str) -> object:
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError:
        raise ConfigError(f"{name} = {raw!r}: expected a {kind} number") from None
    if kind == "bool":
        if raw.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if raw.strip().lower() in ("", "0", "false", "no", "off"):
            return False
        raise ConfigError(f"{name} = {raw!r}: expected 1/0, true/false, yes/no")
    if kind == "path":
        return Path(raw)
    return raw


def config_from_env(
    environ: Mapping[str, str] | None = None, **overrides: object
) -> ReceiverConfig:
    """Read the RESONANZ_* variables; raises ConfigError naming the variable and value."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for name, (default, kind, _help) in ENVIRONMENT.items():
        raw = environ.get(name, default)
        if raw is None:
            if name not in overrides and "site_url" not in overrides:
                raise ConfigError(f"{name} is not set: expected the site's public URL")
            continue
        values[name] = _convert(name, raw, kind)
    mapped = {
        "site_url": values.get("RESONANZ_SITE_URL"),
        "db_path": values["RESONANZ_RECEIVER_DB"],
        "token": values["RESONANZ_RECEIVER_TOKEN"],
        "public_url": values["RESONANZ_RECEIVER_URL"],
        "host": values["RESONANZ_RECEIVER_HOST"],
        "port": values["RESONANZ_RECEIVER_PORT"],
        "threads": values["RESONANZ_RECEIVER_THREADS"],
        "workers": values["RESONANZ_RECEIVER_WORKERS"],
        "max_bytes": values["RESONANZ_RECEIVER_MAX_BYTES"],
        "timeout": values["RESONANZ_RECEIVER_TIMEOUT"],
        "rate_limit": values["RESONANZ_RECEIVER_RATE_LIMIT"],
        "rate_window": values["RESONANZ_RECEIVER_RATE_WINDOW"],
        "max_queue": values["RESONANZ_RECEIVER_MAX_QUEUE"],
        "blocklist_file": values["RESONANZ_RECEIVER_BLOCKLIST"],
        "output_dir": values["RESONANZ_RECEIVER_OUTPUT"],
        "allow_private": values["RESONANZ_RECEIVER_ALLOW_PRIVATE"],
    }
    mapped.update({k: v for k, v in overrides.items() if v is not None})
    return ReceiverConfig(**mapped)  # type: ignore[arg-type]
