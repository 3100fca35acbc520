"""Sending Webmention and Pingback at publish time, to receivers started on 127.0.0.1."""

from __future__ import annotations

import http.server
import json
import threading
import urllib.parse
import xmlrpc.client
from pathlib import Path

import pytest
from conftest import build_site, free_port
from pelican.settings import read_settings
from resonanz_linkbacks.sender import discover, external_links, notify

ROOT = Path(__file__).resolve().parent.parent


class Receiver(http.server.BaseHTTPRequestHandler):
    """Target pages with different endpoint announcements, and the endpoints themselves."""

    requests: list[tuple[str, str, dict]] = []

    def log_message(self, *args):
        pass

    def _page(self, body: str, headers: dict | None = None, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body.encode())

    def do_GET(self):  # noqa: N802
        type(self).requests.append(("GET", self.path, {}))
        port = self.server.server_address[1]
        if self.path == "/header":
            self._page(
                "<p>Link header</p>",
                {"Link": f'<http://127.0.0.1:{port}/wm-header>; rel="webmention"'},
            )
        elif self.path == "/html":
            self._page(
                '<html><head><link rel="stylesheet" href="/s.css">'
                '<link rel="webmention" href="/wm-html"></head><body></body></html>'
            )
        elif self.path == "/pingback":
            self._page('<html><head><link rel="pingback" href="/xmlrpc"></head></html>')
        elif self.path == "/nichts":
            self._page("<p>no endpoint here</p>")
        else:
            self._page("kaputt", status=500)

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/xmlrpc":
            params, method = xmlrpc.client.loads(body)
            type(self).requests.append(("PINGBACK", method, {"args": list(params)}))
            answer = xmlrpc.client.dumps(("Danke für den Pingback",), methodresponse=True)
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.end_headers()
            self.wfile.write(answer.encode())
            return
        form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
        type(self).requests.append(("POST", self.path, form))
        self.send_response(202)
        self.end_headers()


@pytest.fixture
def receiver():
    Receiver.requests = []
    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "headers, html, webmention, pingback",
    [
        ([("Link", '<https://a.example/wm>; rel="webmention"')], "", "https://a.example/wm", ""),
        (
            [("Link", '<https://a.example/x>; rel="other", </wm>; rel="foo webmention"')],
            "",
            "https://t.example/wm",
            "",
        ),
        (
            [],
            '<a rel="webmention" href="/a-wm">x</a><link rel="webmention" href="/l-wm">',
            "https://t.example/a-wm",
            "",
        ),
        ([], '<link rel="webmention" href="">', "https://t.example/post/1", ""),
        ([("X-Pingback", "https://t.example/xmlrpc.php")], "", "", "https://t.example/xmlrpc.php"),
        ([], '<link rel="pingback" href="/xmlrpc.php">', "", "https://t.example/xmlrpc.php"),
        ([], "<p>nichts</p>", "", ""),
    ],
)
def test_discovery(headers, html, webmention, pingback):
    found = discover("https://t.example/post/1", headers, html)
    assert (found.webmention, found.pingback) == (webmention, pingback)


def test_external_links():
    html = (
        '<a href="https://extern.example/a">a</a> <a href="/intern">i</a>'
        '<a href="https://resonanz.example/2026/x/">own</a><a href="mailto:a@b">m</a>'
        '<a href="https://extern.example/a">again</a><a href="http://zwei.example/">z</a>'
    )
    assert external_links(html, "https://resonanz.example") == [
        "https://extern.example/a",
        "http://zwei.example/",
    ]


def test_notify_each_protocol(receiver):
    source = "https://resonanz.example/2026/03/testbeitrag/"
    outcomes = {
        path: notify(source, receiver + path, timeout=5)
        for path in ("/header", "/html", "/pingback", "/nichts", "/kaputt")
    }
    assert {p: (o.result, o.protocol) for p, o in outcomes.items()} == {
        "/header": ("sent", "webmention"),
        "/html": ("sent", "webmention"),
        "/pingback": ("sent", "pingback"),
        "/nichts": ("no-endpoint", ""),
        "/kaputt": ("failed", ""),
    }
    posts = [r for r in Receiver.requests if r[0] != "GET"]
    assert ("POST", "/wm-header", {"source": source, "target": receiver + "/header"}) in posts
    assert ("POST", "/wm-html", {"source": source, "target": receiver + "/html"}) in posts
    assert ("PINGBACK", "pingback.ping", {"args": [source, receiver + "/pingback"]}) in posts


POST = """---
title: Testbeitrag
date: 2026-03-01 10:00
category: Kundendialog
author: Lena Hoffmann
slug: testbeitrag
summary: Ein Beitrag mit Links.
---

Wir verweisen auf [A]({base}/header), [B]({base}/html), [C]({base}/pingback),
[D]({base}/nichts), [E]({base}/kaputt) und [uns selbst](https://resonanz.example/ueber-uns/).
"""


def plugins() -> list[str]:
    names = list(read_settings(str(ROOT / "pelicanconf.py"))["PLUGINS"])
    return names + [n for n in ("linkbacks_send",) if n not in names]


def test_publish_sends_once_and_records(receiver, tiny_content, tmp_path):
    (tiny_content / "posts" / "2026-03-01-testbeitrag.md").write_text(
        POST.format(base=receiver), encoding="utf-8"
    )
    record = tmp_path / "cache" / "linkbacks-sent.json"
    common = {
        "PLUGINS": plugins(),
        "LINKBACKS_RECORD": str(record),
        "LINKBACKS_TIMEOUT": 5,
        "SITEURL": "https://resonanz.example",
        "RELATIVE_URLS": False,
    }

    # `make html`: the plugin is loaded but LINKBACKS_SEND is off -> no request at all
    build_site(tiny_content, tmp_path / "html", **common)
    assert Receiver.requests == [] and not record.exists()

    result = build_site(tiny_content, tmp_path / "publish", LINKBACKS_SEND=True, **common)
    assert result.error is None
    source = "https://resonanz.example/2026/03/testbeitrag/"
    sent = [r for r in Receiver.requests if r[0] != "GET"]
    assert sorted(r[1] for r in sent) == ["/wm-header", "/wm-html", "pingback.ping"]
    assert all(source in (r[2].get("source"), *r[2].get("args", [])) for r in sent)
    saved = json.loads(record.read_text(encoding="utf-8"))["sent"][source]
    assert {k.removeprefix(receiver): v["result"] for k, v in saved.items()} == {
        "/header": "sent",
        "/html": "sent",
        "/pingback": "sent",
        "/nichts": "no-endpoint",
    }
    assert saved[receiver + "/pingback"]["protocol"] == "pingback"

    # publishing again: recorded links are not fetched or notified again; the failed one is
    Receiver.requests = []
    build_site(tiny_content, tmp_path / "publish2", LINKBACKS_SEND=True, **common)
    assert Receiver.requests == [("GET", "/kaputt", {})]


def test_publish_needs_absolute_siteurl(tiny_content, tmp_path):
    (tiny_content / "posts" / "2026-03-01-testbeitrag.md").write_text(
        POST.format(base="http://127.0.0.1:9"), encoding="utf-8"
    )
    result = build_site(
        tiny_content,
        tmp_path / "out",
        PLUGINS=plugins(),
        LINKBACKS_SEND=True,
        SITEURL="",
        LINKBACKS_RECORD=str(tmp_path / "r.json"),
    )
    assert any("linkbacks_send: setting SITEURL = ''" in p for p in result.problems)
    assert not (tmp_path / "r.json").exists()
