"""The dev-server row of `make bench`: from saving one post's text to the new text served.

The dev server runs as `python -m resonanz devserver` on the bench's synthetic site. Each
edit appends a paragraph to one post (after its summary, so the text alone changes),
then the post's URL is polled over HTTP until the new text is in the answer; the live
reload event for that page is timed on an open event stream at the same time. Memory is
the peak of the server and every process it starts (render workers, Pagefind) together,
sampled as in bench.py's MEASURE, until the search index has caught up with the edits.

When `hugo` is on PATH (never a dependency), the same posts are written as a minimal
Hugo site and `hugo server` is timed the same way, as a yardstick.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from .procmem import pss_kib, tree

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


def _hwm_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class _Memory(threading.Thread):
    """The peak PSS of a process tree, sampled every 50 ms until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kib = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.05):
            self.peak_kib = max(self.peak_kib, pss_kib(tree(self.pid)))

    def peak_mib(self) -> float:
        self.stopped.set()
        self.join()
        # no smaps_rollup (old kernels): the server's own high-water mark
        return self.peak_kib / 1024 if self.peak_kib else _hwm_mib(self.pid)


def _settle(pid: int, seconds: float = 120) -> None:
    """Wait until the server has no child process left (the background Pagefind run
    after the last edit), so that its memory is in the peak."""
    deadline = time.perf_counter() + seconds
    while len(tree(pid)) > 1 and time.perf_counter() < deadline:
        time.sleep(0.1)


def bench_devserver(conf: Path, content: Path, output: Path, edits: int = 5) -> dict:
    """Median seconds from save to the new text served and to the reload event, the
    number of edits rendered alone (not by a full build), first build and peak memory."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "resonanz", "devserver", str(content), "-o", str(output),
         "-s", str(conf), "-p", str(port)],
        # from the project: `-m resonanz` must find the package, not a file of the bench
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    log: list[str] = []
    ready = threading.Event()

    def read_log() -> None:
        for line in process.stdout:
            log.append(line)
            if "build in" in line:
                ready.set()

    threading.Thread(target=read_log, daemon=True).start()
    memory = _Memory(process.pid)
    memory.start()
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
        _settle(process.pid)
        result = {"served": statistics.median(served),
                  "reload": statistics.median(reloaded) if reloaded else None,
                  "alone": alone, "edits": edits, "first": first,
                  "peak_mib": memory.peak_mib()}
    finally:
        memory.stopped.set()
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    # after the dev server has stopped: the two servers do not share the machine
    result["hugo"] = bench_hugo(content, output.parent / "hugo-site", edits)
    return result


def devserver_table(rows: list[dict]) -> str:
    lines = ["| posts | episodes | saved → new text served, median s (×cold) | reload event s | "
             "rendered alone | first build s | peak memory MiB (×cold) | Hugo server s |",
             "|" + "---|" * 8]
    for r in rows:
        dev, cold = r["devserver"], r["cold"]
        reload = f"{dev['reload']:.3f}" if dev["reload"] is not None else "none"
        hugo = f"{dev['hugo']:.3f}" if dev.get("hugo") is not None else "–"
        lines.append(
            f"| {r['posts']} | {r['episodes']} | {dev['served']:.3f} "
            f"({dev['served'] / cold.seconds:.3f}) | {reload} | {dev['alone']} of "
            f"{dev['edits']} | {dev['first']:.1f} | {dev['peak_mib']:.0f} "
            f"({dev['peak_mib'] / cold.peak_mib:.2f}) | {hugo} |")
    return "\n".join(lines)


# -- Hugo as a yardstick ---------------------------------------------------------------

HUGO_CONFIG = """baseURL = "http://127.0.0.1/"
languageCode = "de"
title = "Resonanz-Bench"
paginate = 8
[taxonomies]
category = "categories"
tag = "tags"
author = "authors"
"""

HUGO_HEAD = ('<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
             '<title>{{ .Title }} – {{ .Site.Title }}</title></head><body>')
HUGO_LIST = ("{{ range .Pages }}<article><h2><a href=\"{{ .RelPermalink }}\">{{ .Title }}"
             "</a></h2><p>{{ .Summary }}</p></article>{{ end }}"
             '{{ template "_internal/pagination.html" . }}')
HUGO_LAYOUTS = {
    "single.html": HUGO_HEAD + "<main><h1>{{ .Title }}</h1>"
    "<time>{{ .Date.Format \"2006-01-02\" }}</time>"
    "{{ range .Params.tags }}<a href=\"{{ \"tags/\" | relURL }}{{ . | urlize }}/\">{{ . }}</a> "
    "{{ end }}{{ .Content }}</main></body></html>",
    "list.html": HUGO_HEAD + "<main><h1>{{ .Title }}</h1>"
    + HUGO_LIST.replace("range .Pages", "range .Paginator.Pages") + "</main></body></html>",
    "index.html": HUGO_HEAD + "<main>" + HUGO_LIST.replace(
        "range .Pages", "range (.Paginate (where .Site.RegularPages \"Section\" \"posts\"))"
        ".Pages") + "</main></body></html>",
}

_FIELD = re.compile(r"^(\w+):\s*(.*)$")


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def hugo_post(text: str) -> str:
    """A bench post (Pelican's `Key: value` lines) with TOML front matter for Hugo."""
    head, _, body = text.partition("\n\n")
    fields = {}
    for line in head.splitlines():
        found = _FIELD.match(line)
        if found:
            fields[found[1].lower()] = found[2].strip()
    lines = ["+++", f"title = {_toml(fields.get('title', ''))}"]
    if "date" in fields:
        day, _, clock = fields["date"].partition(" ")
        lines.append(f"date = {day}T{clock or '00:00'}:00")
    if "slug" in fields:
        lines.append(f"slug = {_toml(fields['slug'])}")
    if "summary" in fields:
        lines.append(f"summary = {_toml(fields['summary'])}")
    for key, name in (("category", "categories"), ("tags", "tags"), ("author", "authors")):
        values = [v.strip() for v in fields.get(key, "").split(",") if v.strip()]
        if values:
            lines.append(f"{name} = [{', '.join(_toml(v) for v in values)}]")
    return "\n".join(lines) + "\n+++\n\n" + body


def write_hugo_site(content: Path, site: Path) -> Path:
    """The bench's posts (content/posts/*.md) as a minimal Hugo site in `site`."""
    posts = site / "content" / "posts"
    posts.mkdir(parents=True, exist_ok=True)
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True, exist_ok=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        (layouts / name).write_text(text, encoding="utf-8")
    for post in sorted((content / "posts").glob("*.md")):
        (posts / post.name).write_text(hugo_post(post.read_text(encoding="utf-8")),
                                       encoding="utf-8")
    return site


def bench_hugo(content: Path, site: Path, edits: int = 5) -> float | None:
    """Median seconds from saving one post to `hugo server` serving the new text, the
    dev server's edit made the same way; None without `hugo` on PATH."""
    hugo = shutil.which("hugo")
    if hugo is None:
        return None
    shutil.rmtree(site, ignore_errors=True)
    write_hugo_site(content, site)
    port = _free_port()
    process = subprocess.Popen(
        [hugo, "server", "--source", str(site), "--port", str(port), "--bind", "127.0.0.1",
         "--disableLiveReload=false", "--baseURL", f"http://127.0.0.1:{port}/"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/posts/beitrag-00001/"
    post = site / "content" / "posts" / "beitrag-00001.md"
    try:
        deadline = time.perf_counter() + 600
        while "<h1>" not in _get(url):
            if process.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"hugo server did not serve {url}")
            time.sleep(0.1)
        served = []
        for number in range(edits):
            marker = f"Nachtrag Nummer {number} {time.time_ns()}"
            post.write_text(post.read_text(encoding="utf-8") + f"\n{marker}.\n",
                            encoding="utf-8")
            saved = time.perf_counter()
            while marker not in _get(url):
                if time.perf_counter() - saved > 600:
                    raise RuntimeError("hugo server: the edit was not served")
                time.sleep(0.005)
            served.append(time.perf_counter() - saved)
            time.sleep(0.3)
        return statistics.median(served)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
