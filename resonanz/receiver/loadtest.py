"""Load test (benchmark, not a pytest test): Webmentions per second with no mention lost.

Starts the receiver (`python -m resonanz receiver serve`) as its own process and a source
site on 127.0.0.1, sends Webmentions from client threads for a bounded time, waits until
every accepted mention is verified and reports the rates.
"""

from __future__ import annotations

import argparse
import http.client
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

from .store import Store

logger = logging.getLogger(__name__)

SITE_URL = "https://resonanz.example/"
TARGET = SITE_URL + "2026/03/markenstimme-finden/"


class SourcePage(BaseHTTPRequestHandler):
    """Every path is an h-entry that links to TARGET."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = (
            '<!DOCTYPE html><html lang="de"><head><title>Lasttest</title></head><body>'
            '<article class="h-entry"><h1 class="p-name">Eintrag ' + self.path[1:40] + "</h1>"
            '<a class="p-author h-card" href="https://last.example/">Last Test</a>'
            '<time class="dt-published" datetime="2026-03-26T12:39:00+01:00">26.3.</time>'
            f'<div class="e-content"><p>Siehe <a href="{TARGET}">Markenstimme</a>.</p></div>'
            "</article></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds}s")


def send_webmentions(
    port: int, source_port: int, client: int, stop_at: float, results: dict[int, int]
) -> list[str]:
    """One client: keep-alive POSTs until stop_at; returns the status URLs of accepted ones."""
    accepted: list[str] = []
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    number = 0
    while time.monotonic() < stop_at:
        number += 1
        body = urlencode(
            {"source": f"http://127.0.0.1:{source_port}/c{client}/n{number}", "target": TARGET}
        )
        connection.request(
            "POST",
            "/webmention",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        response = connection.getresponse()
        response.read()
        results[response.status] = results.get(response.status, 0) + 1
        if response.status == 202:
            accepted.append(response.getheader("Location", ""))
    connection.close()
    return accepted


def run_load_test(seconds: float = 10.0, clients: int = 4, drain_limit: float = 300.0) -> int:
    """Print the figures; exit status 1 if a mention was lost or never verified."""
    workdir = Path(tempfile.mkdtemp(prefix="resonanz-loadtest-"))
    db_path = workdir / "receiver.sqlite3"
    port = free_port()
    source = ThreadingHTTPServer(("127.0.0.1", 0), SourcePage)
    source.daemon_threads = True
    threading.Thread(target=source.serve_forever, daemon=True).start()
    source_port = source.server_address[1]
    env = dict(
        os.environ,
        RESONANZ_SITE_URL=SITE_URL,
        RESONANZ_RECEIVER_DB=str(db_path),
        RESONANZ_RECEIVER_PORT=str(port),
        RESONANZ_RECEIVER_HOST="127.0.0.1",
        RESONANZ_RECEIVER_ALLOW_PRIVATE="1",
        RESONANZ_RECEIVER_RATE_LIMIT="100000000",
        RESONANZ_RECEIVER_MAX_QUEUE="100000000",
    )
    receiver = subprocess.Popen(
        [sys.executable, "-m", "resonanz", "receiver", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        results: dict[int, int] = {}
        accepted: list[list[str]] = [[] for _ in range(clients)]
        started = time.monotonic()
        stop_at = started + seconds

        def client(n: int) -> None:
            accepted[n] = send_webmentions(port, source_port, n, stop_at, results)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        sending = time.monotonic() - started
        status_urls = [url for part in accepted for url in part]
        sent = sum(results.values())

        store = Store(db_path)
        drain_deadline = time.monotonic() + drain_limit
        while store.count_queued() and time.monotonic() < drain_deadline:
            time.sleep(0.2)
        drained = time.monotonic() - started
        keys = {url.rsplit("/", 1)[1] for url in status_urls}
        verified = {m.key for m in store.list("pending")}
        lost = len(keys - verified)
    finally:
        receiver.terminate()
        receiver.wait(timeout=30)
        source.shutdown()
    print(f"clients:              {clients}")
    print(f"requests sent:        {sent} in {sending:.1f} s")
    print(f"responses:            {dict(sorted(results.items()))}")
    print(f"accepted/s (202):     {len(status_urls) / sending:.0f}")
    print(
        f"verified:             {len(keys & verified)} of {len(keys)} "
        f"(all done {drained:.1f} s after start, {len(verified) / drained:.0f}/s end to end)"
    )
    print(f"lost:                 {lost}")
    return 0 if lost == 0 and len(keys) == len(status_urls) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m resonanz.receiver.loadtest")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args(argv)
    return run_load_test(args.seconds, args.clients)


if __name__ == "__main__":
    sys.exit(main())
