"""`make devserver` rebuilds on change and serves on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from conftest import ROOT, free_port

POST = "Title: {title}\nDate: 2026-11-23 09:30\nCategory: Test\nSlug: vorschau\n\nText.\n"


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def wait_for(predicate, seconds: float = 90.0):
    """Poll until predicate() is truthy; a bound on waiting, not a timing assertion."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    return None


def test_make_devserver_rebuilds_on_change(tmp_path):
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    post = content / "posts" / "vorschau.md"
    post.write_text(POST.format(title="Erster Entwurf"), encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}/2026/11/vorschau/"
    process = subprocess.Popen(
        ["make", "--no-print-directory", "devserver", f"PORT={port}",
         f"INPUTDIR={content}", f"OUTPUTDIR={tmp_path / 'output'}"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True, env={**os.environ, "RESONANZ_STRICT": "0"},
    )
    try:
        first = wait_for(lambda: (page := fetch(url)) and "Erster Entwurf" in page and page)
        assert first, "devserver did not serve the first build"
        assert "<h1" in first
        # Pelican's autoreload compares modification times: make the change visible.
        time.sleep(1.1)
        post.write_text(POST.format(title="Zweiter Entwurf"), encoding="utf-8")
        second = wait_for(lambda: (page := fetch(url)) and "Zweiter Entwurf" in page and page)
        assert second, "devserver did not rebuild after the change"
        assert not (content / "output").exists() and sorted(p.name for p in content.rglob("*")) == [
            "posts", "vorschau.md"
        ]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    assert Path(tmp_path / "output" / "index.html").is_file()
