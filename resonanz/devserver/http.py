"""The dev server's HTTP side: output/ with Range requests, live reload over
Server-Sent Events and an error overlay. The script goes into HTML answers only; the
files in output/ stay as the build wrote them."""

from __future__ import annotations

import functools
import http.server
import io
import json
import queue
import threading
from http import HTTPStatus
from pathlib import Path

from resonanz.serve import RangeRequestHandler

EVENTS = "/__devserver/events"
SCRIPT = "/__devserver/live.js"
TAG = f'<script src="{SCRIPT}" data-build="{{build}}"></script>'.encode()

LIVE_JS = r"""(() => {
  const me = document.currentScript, build = me.dataset.build;
  const overlay = (errors) => {
    let box = document.getElementById("resonanz-devserver-overlay");
    if (!errors.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "resonanz-devserver-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;" +
        "z-index:2147483647;background:#2b0000;color:#fff;font:15px/1.5 monospace;" +
        "padding:1em 1.25em;border-top:4px solid #ff5c5c;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "Der letzte Build hat Fehler (die Seite zeigt den letzten guten Stand):\n\n" +
      errors.join("\n\n");
  };
  const here = () => decodeURI(location.pathname);
  const source = new EventSource("/__devserver/events");
  source.addEventListener("hello", (e) => {
    const state = JSON.parse(e.data);
    if (state.build !== build) location.reload();
    else overlay(state.errors);
  });
  source.addEventListener("built", (e) => {
    const state = JSON.parse(e.data);
    overlay(state.errors);
    if (state.pages.includes(here())) location.reload();
  });
})();
"""


class Hub:
    """The open event streams and the state of the last build."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.listeners: list[queue.Queue] = []
        self.build = "0"
        self.errors: list[str] = []

    def listen(self) -> queue.Queue:
        listener: queue.Queue = queue.Queue()
        with self.lock:
            self.listeners.append(listener)
        return listener

    def leave(self, listener: queue.Queue) -> None:
        with self.lock:
            self.listeners.remove(listener)

    def built(self, build: str, pages: list[str], errors: list[str]) -> None:
        data = json.dumps({"build": build, "pages": pages, "errors": errors})
        with self.lock:
            self.build, self.errors = build, errors
            for listener in self.listeners:
                listener.put(("built", data))

    def hello(self) -> str:
        with self.lock:
            return json.dumps({"build": self.build, "errors": self.errors})


class DevHandler(RangeRequestHandler):
    hub: Hub

    def do_GET(self) -> None:
        if self.path == EVENTS:
            self._events()
        elif self.path == SCRIPT:
            self._answer(LIVE_JS.encode(), "text/javascript; charset=utf-8")
        else:
            super().do_GET()

    def _answer(self, body: bytes, kind: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        listener = self.hub.listen()
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(f"event: hello\ndata: {self.hub.hello()}\n\n".encode())
            self.wfile.flush()
            while True:
                try:
                    event, data = listener.get(timeout=15)
                    message = f"event: {event}\ndata: {data}\n\n"
                except queue.Empty:
                    message = ": keep-alive\n\n"
                self.wfile.write(message.encode())
                self.wfile.flush()
        except OSError:
            pass  # the tab went away
        finally:
            self.hub.leave(listener)

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        if path.suffix != ".html" or not path.is_file() or self.headers.get("Range"):
            return super().send_head()
        body = path.read_bytes()
        tag = TAG.replace(b"{build}", self.hub.build.encode())
        at = body.rfind(b"</body>")
        body = body[:at] + tag + body[at:] if at >= 0 else body + tag
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        return io.BytesIO(body)


def make_server(directory: Path, bind: str, port: int, hub: Hub):
    handler = functools.partial(type("Handler", (DevHandler,), {"hub": hub}),
                                directory=str(directory))
    server = http.server.ThreadingHTTPServer((bind, port), handler)
    server.daemon_threads = True
    return server
