"""The dev-server row of `make bench`: from saving one post's text to the new text served.

The dev server runs as `python -m resonanz devserver` on the bench's synthetic site. Each
edit appends a paragraph to one post (after its summary, so the text alone changes),
then the post's URL is polled over HTTP until the new text is in the answer; the live
reload event for that page is timed on an open event stream at the same time.
"""

from __future__ import annotations

import http.client
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.read().decode("utf-8")
    except OSError:
        return ""


class _Events(threading.Thread):
    """Arrival times of the `built` events that name `page`."""

    def __init__(self, port: int, page: str) -> None:
        super().__init__(daemon=True)
        self.port, self.page = port, page
        self.arrivals: list[float] = []

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        connection.request("GET", "/__devserver/events")
        stream = connection.getresponse()
        event = ""
        for raw in stream:
            line = raw.decode("utf-8").rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "built":
                if self.page in json.loads(line[6:])["pages"]:
                    self.arrivals.append(time.perf_counter())


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def bench_devserver(conf: Path, content: Path, output: Path, edits: int = 5) -> dict:
    """Median seconds from save to the new text served and to the reload event, the
    number of edits rendered alone (not by a full build), first build and peak memory."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "resonanz", "devserver", str(content), "-o", str(output),
         "-s", str(conf), "-p", str(port)],
        # not in the bench's folder: its resonanz.py (the settings) would be run instead
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    log: list[str] = []
    ready = threading.Event()

    def read_log() -> None:
        for line in process.stdout:
            log.append(line)
            if "build in" in line:
                ready.set()

    threading.Thread(target=read_log, daemon=True).start()
    started = time.perf_counter()
    try:
        while not ready.wait(0.5) and process.poll() is None:
            pass
        if not ready.is_set():
            raise RuntimeError("dev server: no first build\n" + "".join(log[-40:]))
        first = time.perf_counter() - started
        post = content / "posts" / "beitrag-00001.md"
        page = next(output.rglob("beitrag-00001/index.html")).parent.relative_to(output)
        path = f"/{page.as_posix()}/"
        url = f"http://127.0.0.1:{port}{path}"
        events = _Events(port, path)
        events.start()
        time.sleep(0.5)
        served, reloaded = [], []
        for number in range(edits):
            marker = f"Nachtrag Nummer {number} {time.time_ns()}"
            text = post.read_text(encoding="utf-8") + f"\n{marker}.\n"
            before = len(events.arrivals)
            post.write_text(text, encoding="utf-8")
            saved = time.perf_counter()
            while marker not in _get(url):
                if time.perf_counter() - saved > 600:
                    raise RuntimeError("dev server: the edit was not served\n"
                                       + "".join(log[-40:]))
                time.sleep(0.005)
            served.append(time.perf_counter() - saved)
            deadline = time.perf_counter() + 30
            while len(events.arrivals) == before and time.perf_counter() < deadline:
                time.sleep(0.005)
            if len(events.arrivals) > before:
                reloaded.append(events.arrivals[before] - saved)
            time.sleep(0.3)  # one save at a time, as an editor saves
        alone = sum("text build" in line for line in log)
        return {"served": statistics.median(served),
                "reload": statistics.median(reloaded) if reloaded else None,
                "alone": alone, "edits": edits, "first": first,
                "peak_mib": _peak_mib(process.pid)}
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def devserver_table(rows: list[dict]) -> str:
    lines = ["| posts | episodes | saved → new text served, median s (×cold) | reload event s | "
             "rendered alone | first build s | peak memory MiB (×cold) |",
             "|" + "---|" * 7]
    for r in rows:
        dev, cold = r["devserver"], r["cold"]
        reload = f"{dev['reload']:.3f}" if dev["reload"] is not None else "none"
        lines.append(
            f"| {r['posts']} | {r['episodes']} | {dev['served']:.3f} "
            f"({dev['served'] / cold.seconds:.3f}) | {reload} | {dev['alone']} of "
            f"{dev['edits']} | {dev['first']:.1f} | {dev['peak_mib']:.0f} "
            f"({dev['peak_mib'] / cold.peak_mib:.2f}) |")
    return "\n".join(lines)
