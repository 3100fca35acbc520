"""Webmention and Pingback sending: link extraction, endpoint discovery, notification."""

from __future__ import annotations

import dataclasses
import http.client
import re
import ssl
import urllib.error
import urllib.parse
import urllib.request
import xmlrpc.client
from html.parser import HTMLParser

# Pingback fault 48: "the pingback has already been registered" - the goal is reached.
PINGBACK_ALREADY_REGISTERED = 48
_LINK_VALUE = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]+)*)")
_REL_PARAM = re.compile(r"""rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))""", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Endpoints:
    """Where a target page wants to be notified (absolute URLs or '')."""

    webmention: str = ""
    pingback: str = ""


@dataclasses.dataclass(frozen=True)
class Outcome:
    """Result of notifying one target: sent, no-endpoint (both final) or failed (retried)."""

    result: str
    protocol: str = ""
    endpoint: str = ""
    detail: str = ""


class _Collector(HTMLParser):
    """Links of a page in document order: <a href> and rel-bearing <link>/<a> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.rels: list[tuple[set[str], str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("a", "link"):
            return
        values = dict(attrs)
        href = values.get("href")
        if href is None:
            return
        if tag == "a":
            self.hrefs.append(href.strip())
        rel = values.get("rel")
        if rel:
            self.rels.append(({r.lower() for r in rel.split()}, href.strip()))


def external_links(html: str, site_url: str) -> list[str]:
    """Absolute http(s) links of an article body that leave the site, first occurrence only."""
    collector = _Collector()
    collector.feed(html or "")
    own_host = (urllib.parse.urlsplit(site_url).hostname or "").lower()
    links: list[str] = []
    for href in collector.hrefs:
        parts = urllib.parse.urlsplit(href)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            continue
        if own_host and parts.hostname.lower() == own_host:
            continue
        if href not in links:
            links.append(href)
    return links


def _from_link_headers(values: list[str], base: str, rel_name: str) -> str:
    for value in values:
        for target, params in _LINK_VALUE.findall(value):
            for match in _REL_PARAM.finditer(params):
                rels = (match.group(1) or match.group(2) or "").lower().split()
                if rel_name in rels:
                    return urllib.parse.urljoin(base, target.strip())
    return ""


def discover(base_url: str, headers: list[tuple[str, str]], html: str) -> Endpoints:
    """Endpoints from HTTP headers (Link, X-Pingback) and the page's <link>/<a rel=...>.

    Follows the Webmention spec: the Link header wins, then the first element in document
    order; an empty href means the page itself; relative URLs resolve against base_url.
    """
    links = [v for k, v in headers if k.lower() == "link"]
    webmention = _from_link_headers(links, base_url, "webmention")
    pingback = next((v.strip() for k, v in headers if k.lower() == "x-pingback"), "")
    if html and (not webmention or not pingback):
        collector = _Collector()
        collector.feed(html)
        for rels, href in collector.rels:
            if not webmention and "webmention" in rels:
                webmention = urllib.parse.urljoin(base_url, href)
            if not pingback and "pingback" in rels and href:
                pingback = urllib.parse.urljoin(base_url, href)
    return Endpoints(webmention=webmention, pingback=pingback)


def _tls() -> ssl.SSLContext:
    # Certificates and host names are always verified; there is no switch to turn that off.
    return ssl.create_default_context()


def fetch(url: str, *, timeout: float, user_agent: str, max_bytes: int):
    """(final URL, headers, HTML text or '') of a target page, following redirects."""
    request = urllib.request.Request(
        url, headers={"User-Agent": user_agent, "Accept": "text/html, */*;q=0.5"}
    )
    with urllib.request.urlopen(request, timeout=timeout, context=_tls()) as response:
        headers = list(response.headers.items())
        content_type = response.headers.get_content_type()
        body = (
            response.read(max_bytes)
            if content_type in ("text/html", "application/xhtml+xml")
            else b""
        )
        charset = response.headers.get_content_charset() or "utf-8"
        return response.geturl(), headers, body.decode(charset, errors="replace")


def send_webmention(
    endpoint: str, source: str, target: str, *, timeout: float, user_agent: str
) -> int:
    """POST source and target to a Webmention endpoint; the HTTP status (2xx) or an error."""
    data = urllib.parse.urlencode({"source": source, "target": target}).encode()
    request = urllib.request.Request(
        endpoint,
        data=data,
        method="POST",
        headers={"User-Agent": user_agent, "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=timeout, context=_tls()) as response:
        return response.status


class _WithTimeout:
    """xmlrpc transports have no timeout of their own: set it on each connection."""

    timeout: float

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


class _Transport(_WithTimeout, xmlrpc.client.Transport):
    def __init__(self, timeout: float, user_agent: str) -> None:
        super().__init__()
        self.timeout = timeout
        self.user_agent = user_agent


class _SafeTransport(_WithTimeout, xmlrpc.client.SafeTransport):
    def __init__(self, timeout: float, user_agent: str) -> None:
        super().__init__(context=_tls())
        self.timeout = timeout
        self.user_agent = user_agent


def send_pingback(
    endpoint: str, source: str, target: str, *, timeout: float, user_agent: str
) -> str:
    """Call pingback.ping(source, target) over XML-RPC; the server's answer or an error."""
    transport_class = _SafeTransport if endpoint.startswith("https:") else _Transport
    proxy = xmlrpc.client.ServerProxy(endpoint, transport=transport_class(timeout, user_agent))
    try:
        return str(proxy.pingback.ping(source, target))
    except xmlrpc.client.Fault as fault:
        if fault.faultCode == PINGBACK_ALREADY_REGISTERED:
            return fault.faultString
        raise


def notify(
    source: str,
    target: str,
    *,
    timeout: float = 10,
    user_agent: str = "Resonanz",
    max_bytes: int = 1024 * 1024,
) -> Outcome:
    """Tell target that source links to it: Webmention if offered, else Pingback."""
    try:
        base, headers, html = fetch(
            target, timeout=timeout, user_agent=user_agent, max_bytes=max_bytes
        )
        endpoints = discover(base, headers, html)
        if endpoints.webmention:
            status = send_webmention(
                endpoints.webmention, source, target, timeout=timeout, user_agent=user_agent
            )
            return Outcome("sent", "webmention", endpoints.webmention, f"HTTP {status}")
        if endpoints.pingback:
            answer = send_pingback(
                endpoints.pingback, source, target, timeout=timeout, user_agent=user_agent
            )
            return Outcome("sent", "pingback", endpoints.pingback, answer[:200])
    except (
        OSError,
        urllib.error.URLError,
        http.client.HTTPException,
        xmlrpc.client.Error,
        ValueError,
    ) as error:
        return Outcome("failed", detail=f"{type(error).__name__}: {error}"[:300])
    return Outcome("no-endpoint")
