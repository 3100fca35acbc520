"""Fetch a source page safely: SSRF checks on every hop, size and time limits."""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 5
ACCEPTED_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


class FetchError(Exception):
    """The source could not be fetched; `kind` says how (for fault codes and retries)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind  # refused|not_found|gone|too_large|bad_type|upstream|temporary


@dataclass(frozen=True)
class Page:
    url: str  # final URL after redirects
    status: int
    content_type: str
    charset: str | None
    body: bytes


def address_refused(address: str) -> bool:
    """True for addresses a public receiver must never connect to."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified


def resolve_source(url: str, allow_private: bool) -> list[tuple[int, str]]:
    """Resolve the URL's host; raise FetchError('refused') if any address is not public.

    All addresses must be public, not just one: otherwise a name with a public and a
    private record would let the connection land on the private one.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("refused", f"source {url!r} is not an http(s) URL")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchError("refused", f"source {url!r} has an invalid port") from None
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("not_found", f"source host {parts.hostname!r} not found: {exc}") from None
    addresses = [(info[0], info[4][0]) for info in infos]
    if not allow_private:
        for _family, address in addresses:
            if address_refused(address):
                raise FetchError(
                    "refused",
                    f"source host {parts.hostname!r} resolves to non-public address {address}",
                )
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address checked beforehand, not to whatever DNS says now."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def fetch(
    url: str,
    *,
    max_bytes: int,
    timeout: float,
    allow_private: bool,
    user_agent: str,
) -> Page:
    """GET `url` with redirects; every hop is resolved and checked before connecting."""
    deadline = time.monotonic() + timeout
    for _hop in range(MAX_REDIRECTS + 1):
        addresses = resolve_source(url, allow_private)
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        connection_class = (
            _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        )
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("temporary", f"fetching {url!r} took longer than {timeout}s")
        conn = connection_class(parts.hostname, port, addresses[0][1], remaining)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        try:
            conn.request(
                "GET",
                path,
                headers={
                    "User-Agent": user_agent,
                    "Accept": "text/html, application/xhtml+xml;q=0.9, text/plain;q=0.5",
                    # a compressed body could expand past the size limit unnoticed
                    "Accept-Encoding": "identity",
                },
            )
            response = conn.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                conn.close()
                if not location:
                    raise FetchError("upstream", f"{url!r} redirects without a Location")
                url = urljoin(url, location)
                continue
            if response.status in (404, 410):
                raise FetchError(
                    "gone" if response.status == 410 else "not_found",
                    f"source {url!r} answered {response.status}",
                )
            if response.status != 200:
                kind = (
                    "temporary" if response.status >= 500 or response.status == 429 else "upstream"
                )
                raise FetchError(kind, f"source {url!r} answered {response.status}")
            content_type = response.getheader("Content-Type", "text/html")
            media_type = content_type.split(";")[0].strip().lower()
            if media_type not in ACCEPTED_TYPES:
                raise FetchError("bad_type", f"source {url!r} is {media_type}, not HTML")
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError(
                    "too_large", f"source {url!r} is larger than {max_bytes} bytes ({length})"
                )
            chunks: list[bytes] = []
            size = 0
            while True:
                if time.monotonic() > deadline:
                    raise FetchError("temporary", f"fetching {url!r} took longer than {timeout}s")
                chunk = response.read(16384)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(
                        "too_large", f"source {url!r} is larger than {max_bytes} bytes"
                    )
                chunks.append(chunk)
            return Page(url, 200, media_type, _charset(content_type), b"".join(chunks))
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError("temporary", f"fetching {url!r} failed: {exc}") from None
        finally:
            conn.close()
    raise FetchError("upstream", f"source redirects more than {MAX_REDIRECTS} times")
