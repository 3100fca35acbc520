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
    "RESONANZ_RECEIVER_TARGETS": (
        "",
        "str",
        "list of pages that take responses: URL or file; default: from OUTPUT or the site",
    ),
    "RESONANZ_RECEIVER_RATE_EXEMPT": ("brid.gy", "list", "source hosts without rate limit"),
    "RESONANZ_RECEIVER_TRUSTED_PROXY": (
        "",
        "str",
        "address of a reverse proxy whose X-Forwarded-For names the client",
    ),
    "RESONANZ_RECEIVER_SECRET": (
        "",
        "str",
        "key for form tokens (default: random, kept in the DB)",
    ),
    "RESONANZ_COMMENT_RATE_LIMIT": ("5", "int", "comments per client address per window"),
    "RESONANZ_COMMENT_MIN_SECONDS": ("3", "float", "shortest time to fill the form (with JS)"),
    "RESONANZ_COMMENT_TOKEN_HOURS": ("6", "float", "form token lifetime, hours"),
    "RESONANZ_COMMENT_MAX_LINKS": ("5", "int", "most links in one comment"),
    "RESONANZ_COMMENT_MAX_CHARS": ("5000", "int", "longest comment text, characters"),
    "RESONANZ_COMMENT_AUTO_APPROVE": ("0", "bool", "approve e-mails with an approved comment"),
    "RESONANZ_SMTP_HOST": ("", "str", "SMTP server for notifications; empty = no e-mail"),
    "RESONANZ_SMTP_PORT": ("587", "int", "SMTP port"),
    "RESONANZ_SMTP_TLS": ("starttls", "str", "starttls, ssl or none"),
    "RESONANZ_SMTP_USER": ("", "str", "SMTP user name"),
    "RESONANZ_SMTP_PASSWORD": ("", "str", "SMTP password"),
    "RESONANZ_SMTP_FROM": ("", "str", "sender address of notifications"),
    "RESONANZ_MODERATORS": ("", "list", "e-mail addresses told about new comments"),
    "RESONANZ_GIT_CHECKOUT": ("", "str", "git checkout of the site; empty = no live loop"),
    "RESONANZ_GIT_REMOTE": ("origin", "str", "remote the live loop pushes to"),
    "RESONANZ_GIT_BRANCH": ("main", "str", "branch the live loop pushes to"),
    "RESONANZ_GIT_CONTENT": ("content", "str", "content folder inside the checkout"),
    "RESONANZ_GIT_BATCH_SECONDS": ("20", "float", "approvals this close go into one commit"),
    "RESONANZ_GIT_AUTHOR": (
        "Resonanz receiver <receiver@resonanz.invalid>",
        "str",
        "author of the live loop's commits",
    ),
}

SMTP_TLS_MODES = ("starttls", "ssl", "none")


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
    targets: str = ""
    rate_exempt: tuple[str, ...] = ("brid.gy",)
    secret: str = ""
    trusted_proxy: str = ""
    comment_rate_limit: int = 5
    comment_min_seconds: float = 3.0
    comment_token_hours: float = 6.0
    comment_max_links: int = 5
    comment_max_chars: int = 5000
    comment_auto_approve: bool = False
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_tls: str = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    moderators: tuple[str, ...] = ()
    git_checkout: str = ""
    git_remote: str = "origin"
    git_branch: str = "main"
    git_content: str = "content"
    git_batch_seconds: float = 20.0
    git_author: str = "Resonanz receiver <receiver@resonanz.invalid>"

    @property
    def targets_source(self) -> str:
        """Where the list of pages that take responses is read: a URL or a file."""
        if self.targets:
            return self.targets
        if self.output_dir:
            return str(Path(self.output_dir, "_resonanz", "targets.json"))
        return self.site_url.rstrip("/") + "/_resonanz/targets.json"

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
        if self.smtp_tls not in SMTP_TLS_MODES:
            raise ConfigError(
                f"RESONANZ_SMTP_TLS = {self.smtp_tls!r}: expected one of "
                + ", ".join(SMTP_TLS_MODES)
            )
        if self.git_checkout and not Path(self.git_checkout, ".git").exists():
            raise ConfigError(
                f"RESONANZ_GIT_CHECKOUT = {self.git_checkout!r}: not a git checkout; clone the "
                "site's repository there first"
            )


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
    if kind == "list":
        return tuple(part.strip() for part in raw.split(",") if part.strip())
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
        "targets": values["RESONANZ_RECEIVER_TARGETS"],
        "rate_exempt": values["RESONANZ_RECEIVER_RATE_EXEMPT"],
        "secret": values["RESONANZ_RECEIVER_SECRET"],
        "trusted_proxy": values["RESONANZ_RECEIVER_TRUSTED_PROXY"],
        "comment_rate_limit": values["RESONANZ_COMMENT_RATE_LIMIT"],
        "comment_min_seconds": values["RESONANZ_COMMENT_MIN_SECONDS"],
        "comment_token_hours": values["RESONANZ_COMMENT_TOKEN_HOURS"],
        "comment_max_links": values["RESONANZ_COMMENT_MAX_LINKS"],
        "comment_max_chars": values["RESONANZ_COMMENT_MAX_CHARS"],
        "comment_auto_approve": values["RESONANZ_COMMENT_AUTO_APPROVE"],
        "smtp_host": values["RESONANZ_SMTP_HOST"],
        "smtp_port": values["RESONANZ_SMTP_PORT"],
        "smtp_tls": values["RESONANZ_SMTP_TLS"],
        "smtp_user": values["RESONANZ_SMTP_USER"],
        "smtp_password": values["RESONANZ_SMTP_PASSWORD"],
        "smtp_from": values["RESONANZ_SMTP_FROM"],
        "moderators": values["RESONANZ_MODERATORS"],
        "git_checkout": values["RESONANZ_GIT_CHECKOUT"],
        "git_remote": values["RESONANZ_GIT_REMOTE"],
        "git_branch": values["RESONANZ_GIT_BRANCH"],
        "git_content": values["RESONANZ_GIT_CONTENT"],
        "git_batch_seconds": values["RESONANZ_GIT_BATCH_SECONDS"],
        "git_author": values["RESONANZ_GIT_AUTHOR"],
    }
    mapped.update({k: v for k, v in overrides.items() if v is not None})
    return ReceiverConfig(**mapped)  # type: ignore[arg-type]
