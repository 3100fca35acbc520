"""Receiver end to end over 127.0.0.1: Webmention, Pingback, TrackBack, refusals, export."""

from __future__ import annotations

import base64
import http.client
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xmlrpc.client
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
import yaml

from resonanz.receiver import cli, fetch
from resonanz.receiver.config import ReceiverConfig
from resonanz.receiver.server import start_in_thread

ROOT = Path(__file__).resolve().parent.parent

SITE_URL = "https://resonanz.example/"
TARGET = SITE_URL + "2026/03/markenstimme-finden/"
TOKEN = "geheimes-moderationswort"


def h_entry(
    target: str = TARGET,
    name: str = "Antwort auf die Markenstimme",
    author: str = "Anna Beispiel",
    extra: str = "",
) -> str:
    return f"""<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>Annas Blog</title></head><body>
<article class="h-entry">
  <h1 class="p-name">{name}</h1>
  <a class="p-author h-card" href="https://anna.example/">{author}</a>
  <time class="dt-published" datetime="2026-03-26T12:39:00+01:00">26. März 2026</time>
  <div class="e-content"><p>Sehr lesenswert: <a href="{target}">Markenstimme finden</a>.</p>
  <script>alert("xss")</script><img src="x" onerror="alert(1)">{extra}</div>
</article></body></html>"""


@dataclass
class SourceSite:
    """A second local server that plays the blogs sending us mentions."""

    pages: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)
    requested: list[str] = field(default_factory=list)
    hold: threading.Event | None = None  # if set, /slow/ pages wait for it
    arrived: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def add(
        self,
        path: str,
        html: str | bytes,
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
    ) -> str:
        body = html.encode() if isinstance(html, str) else html
        self.pages[path] = (status, content_type, body)
        return self.url + path

    def start(self) -> SourceSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                site.requested.append(self.path)
                if self.path.startswith("/slow/") and site.hold is not None:
                    site.arrived.set()
                    site.hold.wait(60)
                status, content_type, body = site.pages.get(
                    self.path, (404, "text/plain", b"not found")
                )
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                if not self.path.startswith("/stream/"):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()


def post_form(url: str, fields: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """POST a form with urllib; returns status, headers and body also for 4xx answers."""
    request = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode())
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def wait_until_verified(status_url: str, deadline_seconds: float = 60.0) -> dict:
    """Poll the status URL (a worker thread verifies); a deadline only against hangs."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        status = get_json(status_url)
        if status["status"] != "queued" or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def raw_request(
    base: str, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def content_dir(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    (content / "responses").mkdir(parents=True)
    return content


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def source_site():
    site = SourceSite().start()
    yield site
    site.stop()


@pytest.fixture
def make_receiver(tmp_path, monkeypatch):
    """Start receivers on 127.0.0.1:<free port>; the CLI sees the same database via env."""
    running = []

    targets = write_targets(tmp_path / "targets.json", [TARGET])

    def start(workers: bool = False, **overrides):
        settings = {
            "targets": str(targets),
            "site_url": SITE_URL,
            "db_path": tmp_path / "receiver.sqlite3",
            "host": "127.0.0.1",
            "port": 0,
            "threads": 4,
            "workers": 1,
            "token": TOKEN,
            "allow_private": True,  # the source site is on loopback
            "timeout": 10.0,
            **overrides,
        }
        config = ReceiverConfig(**settings)
        monkeypatch.setenv("RESONANZ_SITE_URL", SITE_URL)
        monkeypatch.setenv("RESONANZ_RECEIVER_DB", str(config.db_path))
        instance = start_in_thread(config, workers=workers)
        running.append(instance)
        return instance

    yield start
    for instance in running:
        instance.close()


def write_targets(path: Path, urls: list[str], **flags: bool) -> Path:
    """The list of pages that accept responses, as the build publishes it."""
    entries = [
        {
            "path": "/" + url.removeprefix(SITE_URL),
            "url": url,
            "kind": "article",
            "slug": url.rstrip("/").rsplit("/", 1)[1],
            "comments": flags.get("comments", True),
            "pings": flags.get("pings", True),
        }
        for url in urls
    ]
    path.write_text(json.dumps({"version": 1, "site_url": SITE_URL, "targets": entries}))
    return path


def stored(running) -> list:
    return running.receiver.store.list("all")


def cli_run(capsys, *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv))
    return code, capsys.readouterr().out


def trackback_reply(body: bytes) -> tuple[str, str | None]:
    root = lxml.etree.fromstring(body)
    assert root.tag == "response"
    return root.findtext("error"), root.findtext("message")


def auth_header(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"moderator:{token}".encode()).decode()}


# -- the whole path: three protocols, moderation, export -------------------------------------


def test_three_protocols_end_in_the_responses_yaml(make_receiver, source_site, tmp_path, capsys):
    running = make_receiver(workers=True)
    wm_source = source_site.add("/webmention-post", h_entry())
    pb_source = source_site.add("/pingback-post", h_entry(name="Pingback-Beitrag", author="Ben"))
    tb_source = source_site.add("/trackback-post", h_entry(name="Alter Blog", author="Carla"))

    # Webmention: 202 with a status URL, verified by the worker thread of the server
    status, headers, body = post_form(
        running.url + "/webmention", {"source": wm_source, "target": TARGET}
    )
    assert status == 202
    assert headers["Location"].startswith(running.url + "/webmention/status/")
    assert headers["Location"] in body.decode()
    assert wait_until_verified(headers["Location"])["status"] == "pending"

    # Pingback: a real XML-RPC call
    proxy = xmlrpc.client.ServerProxy(running.url + "/xmlrpc")
    assert "registered" in proxy.pingback.ping(pb_source, TARGET)

    # TrackBack: form POST to /trackback/<slug>, XML answer
    status, headers, body = post_form(
        running.url + "/trackback/markenstimme-finden",
        {
            "url": tb_source,
            "title": "Ein Trackback",
            "blog_name": "Carlas Altblog",
            "excerpt": "Kurz <b>gesagt</b>: gut.",
        },
    )
    assert status == 200 and headers["Content-Type"].startswith("text/xml")
    assert trackback_reply(body) == ("0", None)

    code, out = cli_run(capsys, "list", "--json")
    pending = {m["kind"]: m for m in map(json.loads, out.splitlines())}
    assert code == 0 and set(pending) == {"webmention", "pingback", "trackback"}
    assert all(m["status"] == "pending" for m in pending.values())

    # moderation: two by CLI, one through the moderation page form
    assert cli_run(capsys, "approve", str(pending["webmention"]["id"]))[0] == 0
    assert cli_run(capsys, "approve", str(pending["trackback"]["id"]))[0] == 0
    status, _, page = raw_request(running.url, "GET", "/moderation", headers=auth_header())
    assert status == 200
    document = lxml.html.fromstring(page)
    form = document.get_element_by_id(f"mention-{pending['pingback']['id']}").find(".//form")
    fields = {i.get("name"): i.get("value") for i in form.iter("input")}
    fields["action"] = "approve"
    status, headers, _ = raw_request(
        running.url,
        "POST",
        form.get("action"),
        urllib.parse.urlencode(fields).encode(),
        {**auth_header(), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 303
    code, out = cli_run(capsys, "list", "--status", "approved", "--json")
    assert len(out.splitlines()) == 3

    # export into a content folder; the file is a YAML list in the shared format
    content = content_dir(tmp_path)
    code, out = cli_run(capsys, "export", "--content", str(content))
    assert code == 0
    written = content / "responses" / "markenstimme-finden.yaml"
    entries = yaml.safe_load(written.read_text(encoding="utf-8"))
    by_type = {entry["type"]: entry for entry in entries}
    assert set(by_type) == {"webmention", "pingback", "trackback"}
    assert len({entry["id"] for entry in entries}) == 3
    assert all(entry["status"] == "approved" for entry in entries)
    webmention = by_type["webmention"]
    assert webmention["url"] == wm_source
    assert webmention["author"] == "Anna Beispiel"
    assert webmention["author_url"] == "https://anna.example/"
    assert webmention["title"] == "Antwort auf die Markenstimme"
    assert str(webmention["published"]).startswith("2026-03-26T12:39:00+01:00")
    assert "Markenstimme finden" in webmention["content"]
    for entry in entries:  # nothing unsanitised is stored or exported
        assert "<script" not in entry["content"] and "onerror" not in entry["content"]
    assert by_type["pingback"]["author"] == "Ben"
    assert by_type["trackback"]["author"] == "Carlas Altblog"
    assert by_type["trackback"]["title"] == "Ein Trackback"
    assert by_type["trackback"]["content"] == "<p>Kurz gesagt: gut.</p>"

    # a second export adds nothing and leaves the file alone
    before = written.read_bytes()
    code, out = cli_run(capsys, "export", "--content", str(content), "--all")
    assert "nothing new" in out and written.read_bytes() == before


def test_export_appends_without_touching_hand_edits(make_receiver, source_site, tmp_path, capsys):
    running = make_receiver()
    source = source_site.add("/post", h_entry())
    assert post_form(running.url + "/webmention", {"source": source, "target": TARGET})[0] == 202
    assert running.receiver.process_queue() == 1
    (mention,) = running.receiver.store.list("pending")
    running.receiver.store.moderate(mention.id, "approved")

    content = content_dir(tmp_path)
    hand_written = (
        "# von Hand gepflegt\n"
        "- id: wp-comment-1\n"
        "  type: comment\n"
        "  status: approved\n"
        "  author: Lena   # Tippfehler korrigiert\n"
        "  content: Danke!\n"
        "  published: 2026-03-20T09:00:00+01:00\n"
    )
    path = content / "responses" / "markenstimme-finden.yaml"
    path.write_text(hand_written, encoding="utf-8")
    code, _ = cli_run(capsys, "export", "--content", str(content))
    text = path.read_text(encoding="utf-8")
    assert code == 0 and text.startswith(hand_written)
    entries = yaml.safe_load(text)
    assert [e["id"] for e in entries][0] == "wp-comment-1"
    assert entries[1]["id"] == mention.response_id and entries[1]["type"] == "webmention"


def test_export_refuses_a_broken_file_and_names_it(make_receiver, source_site, tmp_path, capsys):
    running = make_receiver()
    source = source_site.add("/post", h_entry())
    post_form(running.url + "/webmention", {"source": source, "target": TARGET})
    running.receiver.process_queue()
    (mention,) = running.receiver.store.list("pending")
    running.receiver.store.moderate(mention.id, "approved")
    content = content_dir(tmp_path)
    path = content / "responses" / "markenstimme-finden.yaml"
    path.write_text("author: keine Liste\n", encoding="utf-8")
    code = cli.main(["export", "--content", str(content)])
    err = capsys.readouterr().err
    assert code == 1 and str(path) in err and "expected a YAML list" in err
    assert path.read_text(encoding="utf-8") == "author: keine Liste\n"


# -- refusals: right status or fault code, nothing stored ------------------------------------


@pytest.fixture
def no_connections(monkeypatch):
    """Fail loudly if the receiver opens a connection to a source."""
    attempts = []

    def refuse(self):
        attempts.append(self._address)
        raise AssertionError(f"receiver connected to {self._address}")

    monkeypatch.setattr(fetch._PinnedHTTPConnection, "connect", refuse)
    monkeypatch.setattr(fetch._PinnedHTTPSConnection, "connect", refuse)
    return attempts


@pytest.mark.parametrize(
    "source",
    [
        "http://127.0.0.1:{port}/post",
        "http://10.0.0.1/post",
        "http://[::1]:{port}/post",
        "http://169.254.169.254/meta",
    ],
)
def test_private_sources_are_refused_before_connecting(
    make_receiver, source_site, no_connections, source
):
    running = make_receiver(allow_private=False, workers=True)
    source = source.format(port=source_site.server.server_address[1])
    source_site.add("/post", h_entry())

    status, _, body = post_form(running.url + "/webmention", {"source": source, "target": TARGET})
    assert status == 400 and b"non-public address" in body
    with pytest.raises(xmlrpc.client.Fault) as fault:
        xmlrpc.client.ServerProxy(running.url + "/xmlrpc").pingback.ping(source, TARGET)
    assert fault.value.faultCode == 0x0031
    status, _, body = post_form(running.url + "/trackback/markenstimme-finden", {"url": source})
    assert trackback_reply(body)[0] == "1"
    assert stored(running) == [] and no_connections == [] and source_site.requested == []


def test_source_without_link_is_not_stored(make_receiver, source_site, tmp_path, capsys):
    running = make_receiver()
    source = source_site.add("/unrelated", h_entry(target="https://elsewhere.example/x/"))

    with pytest.raises(xmlrpc.client.Fault) as fault:
        xmlrpc.client.ServerProxy(running.url + "/xmlrpc").pingback.ping(source, TARGET)
    assert fault.value.faultCode == 0x0011
    body = post_form(running.url + "/trackback/markenstimme-finden", {"url": source})[2]
    error, message = trackback_reply(body)
    assert error == "1" and "does not link" in message
    assert stored(running) == []

    # Webmention verifies later: the status URL says why, no response data is kept
    status, headers, _ = post_form(
        running.url + "/webmention", {"source": source, "target": TARGET}
    )
    assert status == 202
    running.receiver.process_queue()
    result = get_json(headers["Location"])
    assert result["status"] == "failed" and "does not link" in result["reason"]
    (row,) = stored(running)
    assert (row.author, row.title, row.content) == ("", "", "")
    assert running.receiver.store.list("pending") == []
    assert cli_run(capsys, "export", "--content", str(content_dir(tmp_path)))[1].startswith(
        "nothing new"
    )


@pytest.mark.parametrize("path", ["/big/page", "/stream/page"])
def test_oversized_source_is_refused(make_receiver, source_site, path):
    """Refused by Content-Length, and while reading when the size is not announced."""
    running = make_receiver(max_bytes=4000)
    source = source_site.add(path, h_entry(extra="<p>" + "Füllwort " * 1000 + "</p>"))

    with pytest.raises(xmlrpc.client.Fault) as fault:
        xmlrpc.client.ServerProxy(running.url + "/xmlrpc").pingback.ping(source, TARGET)
    assert fault.value.faultCode == 0x0032 and "4000 bytes" in fault.value.faultString
    assert stored(running) == []
    status, headers, _ = post_form(
        running.url + "/webmention", {"source": source, "target": TARGET}
    )
    running.receiver.process_queue()
    result = get_json(headers["Location"])
    assert result["status"] == "failed" and "4000 bytes" in result["reason"]
    assert running.receiver.store.list("pending") == []


@pytest.mark.parametrize(
    "target",
    [
        "https://other.example/2026/03/markenstimme-finden/",
        "http://resonanz.example.evil/2026/03/x/",
        "https://resonanz.example:8443/2026/03/x/",
        "ftp://resonanz.example/2026/03/x/",
    ],
)
def test_target_on_another_site_is_refused(make_receiver, source_site, target):
    running = make_receiver()
    source = source_site.add("/post", h_entry(target=target))
    status, _, body = post_form(running.url + "/webmention", {"source": source, "target": target})
    assert status == 400 and b"not" in body
    with pytest.raises(xmlrpc.client.Fault) as fault:
        xmlrpc.client.ServerProxy(running.url + "/xmlrpc").pingback.ping(source, target)
    assert fault.value.faultCode == 0x0021
    assert stored(running) == [] and source_site.requested == []


def test_flood_from_one_host_is_rate_limited(make_receiver, source_site):
    running = make_receiver(rate_limit=3, rate_window=3600)
    answers = [
        post_form(
            running.url + "/webmention",
            {"source": source_site.add(f"/flood/{n}", h_entry()), "target": TARGET},
        )
        for n in range(8)
    ]
    assert [status for status, _, _ in answers] == [202] * 3 + [429] * 5
    assert answers[-1][1]["Retry-After"] == "3600"
    assert len(stored(running)) == 3
    with pytest.raises(xmlrpc.client.Fault) as fault:
        xmlrpc.client.ServerProxy(running.url + "/xmlrpc").pingback.ping(
            source_site.add("/flood/pb", h_entry()), TARGET
        )
    assert fault.value.faultCode == 0x0031
    assert len(stored(running)) == 3


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"<?xml version='1.0'?><methodCall><methodName>pingback.ping", -32700),
        (b"kein XML", -32700),
        (
            b"<?xml version='1.0'?><methodCall><methodName>pingback.ping</methodName><params>"
            b"<param><value><int>1</int></value></param></params></methodCall>",
            -32602,
        ),
        (xmlrpc.client.dumps(("http://127.0.0.1/a",), "pingback.ping").encode(), -32602),
        (xmlrpc.client.dumps(("a", "b"), "system.shutdown").encode(), -32601),
        (
            b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;"
            b"&a;&a;&a;&a;'>]><methodCall><methodName>&b;</methodName></methodCall>",
            -32601,
        ),
    ],
)
def test_malformed_xmlrpc_gets_a_fault(make_receiver, body, code):
    running = make_receiver()
    status, headers, answer = raw_request(
        running.url, "POST", "/xmlrpc", body, {"Content-Type": "text/xml"}
    )
    assert status == 200 and headers["Content-Type"].startswith("text/xml")
    with pytest.raises(xmlrpc.client.Fault) as fault:
        xmlrpc.client.loads(answer)
    assert fault.value.faultCode == code
    assert stored(running) == []


def test_blocked_domain_and_oversized_request(make_receiver, source_site, tmp_path):
    blocklist = tmp_path / "blocked.txt"
    blocklist.write_text("# Spam\nlocalhost\n", encoding="utf-8")
    running = make_receiver(blocklist_file=str(blocklist))
    source = source_site.add("/post", h_entry()).replace("127.0.0.1", "localhost")
    assert post_form(running.url + "/webmention", {"source": source, "target": TARGET})[0] == 403
    status, _, _ = raw_request(
        running.url,
        "POST",
        "/webmention",
        b"source=" + b"x" * 70000,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 413
    assert stored(running) == [] and source_site.requested == []


# -- duplicates, updates, deletion ---------------------------------------------------------


def test_duplicates_are_suppressed_and_updates_reverified(make_receiver, source_site):
    running = make_receiver()
    source = source_site.add("/post", h_entry())
    first = post_form(running.url + "/webmention", {"source": source, "target": TARGET})
    second = post_form(running.url + "/webmention", {"source": source, "target": TARGET})
    assert first[1]["Location"] == second[1]["Location"] and len(stored(running)) == 1
    running.receiver.process_queue()
    proxy = xmlrpc.client.ServerProxy(running.url + "/xmlrpc")
    pb = source_site.add("/pb", h_entry())
    proxy.pingback.ping(pb, TARGET)
    with pytest.raises(xmlrpc.client.Fault) as fault:
        proxy.pingback.ping(pb, TARGET)
    assert fault.value.faultCode == 0x0030
    tb = {"url": source_site.add("/tb", h_entry())}
    for _ in range(2):
        reply = post_form(running.url + "/trackback/2026/03/markenstimme-finden", tb)[2]
        assert trackback_reply(reply)[0] == "0"
    assert len(stored(running)) == 3

    # the source is deleted (410): a re-sent Webmention removes the mention
    source_site.add("/post", "weg", status=410)
    post_form(running.url + "/webmention", {"source": source, "target": TARGET})
    running.receiver.process_queue()
    assert get_json(first[1]["Location"])["status"] == "deleted"
    assert len(running.receiver.store.list("pending")) == 2


# -- moderation page -----------------------------------------------------------------------


def test_moderation_page_needs_the_token_and_escapes(make_receiver, source_site):
    running = make_receiver()
    source = source_site.add("/post", h_entry(name="<i>Kursiv</i> &amp; <b>fett</b>"))
    post_form(running.url + "/webmention", {"source": source, "target": TARGET})
    running.receiver.process_queue()
    assert raw_request(running.url, "GET", "/moderation")[0] == 401
    assert raw_request(running.url, "GET", "/moderation", headers=auth_header("falsch"))[0] == 401
    status, headers, page = raw_request(
        running.url, "GET", "/moderation", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert status == 200 and "default-src 'none'" in headers["Content-Security-Policy"]
    document = lxml.html.fromstring(page)
    assert document.findtext(".//h1") == "Resonanz: Erwähnungen moderieren"
    assert not document.xpath("//script") and not document.xpath("//main//i")
    (mention,) = running.receiver.store.list("pending")
    forged = urllib.parse.urlencode({"id": mention.id, "action": "approve", "csrf": "x"})
    status, _, _ = raw_request(
        running.url,
        "POST",
        "/moderation",
        forged.encode(),
        {**auth_header(), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 403 and running.receiver.store.get(mention.id).moderation == "pending"


def test_cli_spam_blocks_the_domain(make_receiver, source_site, capsys):
    running = make_receiver()
    post_form(
        running.url + "/webmention",
        {"source": source_site.add("/spam", h_entry()), "target": TARGET},
    )
    running.receiver.process_queue()
    (mention,) = running.receiver.store.list("pending")
    code, out = cli_run(capsys, "spam", str(mention.id), "--block")
    assert code == 0 and "blocked 127.0.0.1" in out
    assert running.receiver.store.get(mention.id).moderation == "spam"
    status, _, _ = post_form(
        running.url + "/webmention",
        {"source": source_site.add("/mehr", h_entry()), "target": TARGET},
    )
    assert status == 403
    assert cli.main(["approve", "999"]) == 1 and "no mention with id 999" in capsys.readouterr().err


# -- nothing is lost: a crash during verification leaves the mention queued ----------------


def test_crash_during_verification_leaves_mention_queued(
    source_site, tmp_path, monkeypatch, capsys
):
    from resonanz.receiver.loadtest import free_port, wait_for_port

    source_site.hold = threading.Event()
    source = source_site.add("/slow/post", h_entry())
    db = tmp_path / "receiver.sqlite3"
    port = free_port()
    env = dict(
        os.environ,
        RESONANZ_SITE_URL=SITE_URL,
        RESONANZ_RECEIVER_DB=str(db),
        RESONANZ_RECEIVER_PORT=str(port),
        RESONANZ_RECEIVER_ALLOW_PRIVATE="1",
        RESONANZ_RECEIVER_TARGETS=str(write_targets(tmp_path / "targets.json", [TARGET])),
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "resonanz", "receiver", "serve"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        status, headers, _ = post_form(
            f"http://127.0.0.1:{port}/webmention", {"source": source, "target": TARGET}
        )
        assert status == 202
        assert source_site.arrived.wait(30), "the worker never fetched the source"
        server.kill()  # mid-verification: the source has not answered yet
        server.wait(30)
    finally:
        if server.poll() is None:
            server.kill()
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT verification FROM mentions").fetchall()
        assert rows == [("queued",)]
        # the dead worker's lease runs out (normally after two minutes)
        connection.execute("UPDATE mentions SET lease_until = 0")
    source_site.hold.set()
    monkeypatch.setenv("RESONANZ_SITE_URL", SITE_URL)
    monkeypatch.setenv("RESONANZ_RECEIVER_DB", str(db))
    monkeypatch.setenv("RESONANZ_RECEIVER_ALLOW_PRIVATE", "1")
    code, out = cli_run(capsys, "verify")
    assert code == 0 and "verified 1" in out
    code, out = cli_run(capsys, "list", "--json")
    (mention,) = map(json.loads, out.splitlines())
    assert mention["status"] == "pending" and mention["author"] == "Anna Beispiel"


def test_configuration_errors_name_the_variable(monkeypatch, capsys):
    monkeypatch.delenv("RESONANZ_SITE_URL", raising=False)
    assert cli.main(["list"]) == 2
    assert "RESONANZ_SITE_URL" in capsys.readouterr().err
    monkeypatch.setenv("RESONANZ_SITE_URL", SITE_URL)
    monkeypatch.setenv("RESONANZ_RECEIVER_TIMEOUT", "zehn")
    assert cli.main(["list"]) == 2
    assert "RESONANZ_RECEIVER_TIMEOUT = 'zehn'" in capsys.readouterr().err


def test_target_missing_from_the_built_site(make_receiver, source_site, tmp_path):
    output = tmp_path / "output"
    (output / "2026" / "03" / "markenstimme-finden").mkdir(parents=True)
    (output / "2026" / "03" / "markenstimme-finden" / "index.html").write_text("<p>da</p>")
    running = make_receiver(output_dir=str(output))
    missing = SITE_URL + "2026/03/gibt-es-nicht/"
    proxy = xmlrpc.client.ServerProxy(running.url + "/xmlrpc")
    with pytest.raises(xmlrpc.client.Fault) as fault:
        proxy.pingback.ping(source_site.add("/a", h_entry(target=missing)), missing)
    # not on the site's list of pages that accept responses
    assert fault.value.faultCode == 0x0021
    with pytest.raises(xmlrpc.client.Fault) as fault:
        proxy.pingback.ping(source_site.add("/b", h_entry(target=SITE_URL)), SITE_URL)
    assert fault.value.faultCode == 0x0021
    assert stored(running) == []
    assert "registered" in proxy.pingback.ping(source_site.add("/c", h_entry()), TARGET)
