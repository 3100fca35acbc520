"""`make serve` and `make devserver` answer HTTP Range requests (206/416), so audio can seek."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest
from conftest import ROOT, free_port

from resonanz.serve import make_server, parse_range


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        ("bytes=0-99", 1000, (0, 99)),
        ("bytes=100-", 1000, (100, 999)),
        ("bytes=-100", 1000, (900, 999)),
        ("bytes=-5000", 1000, (0, 999)),
        ("bytes=990-5000", 1000, (990, 999)),
        ("bytes=0-0", 1, (0, 0)),
        ("bytes=0-1,5-6", 1000, None),  # several ranges: the whole file is a valid answer
        ("items=0-1", 1000, None),
        ("bytes=-", 1000, None),
    ],
)
def test_parse_range(header, size, expected):
    assert parse_range(header, size) == expected


@pytest.mark.parametrize(("header", "size"), [("bytes=1000-", 1000), ("bytes=5-2", 1000),
                                               ("bytes=-0", 1000), ("bytes=-1", 0)])
def test_parse_range_unsatisfiable(header, size):
    with pytest.raises(ValueError):
        parse_range(header, size)


def request(url: str, headers: dict[str, str] | None = None):
    """(status, headers, body) of a GET, error statuses included."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}),
                                    timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture
def served(tmp_path):
    audio = bytes(range(256)) * 40  # 10240 bytes, every offset recognisable
    (tmp_path / "podcast").mkdir()
    (tmp_path / "podcast" / "folge.mp3").write_bytes(audio)
    (tmp_path / "index.html").write_text("<!doctype html><title>x</title>", encoding="utf-8")
    (tmp_path / "admin").mkdir()
    (tmp_path / "admin" / "config.yml").write_text("backend: {}\n", encoding="utf-8")
    server = make_server(tmp_path, "127.0.0.1", free_port())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", audio
    server.shutdown()
    server.server_close()


def test_range_request_gets_206_with_exactly_those_bytes(served):
    base, audio = served
    status, headers, body = request(f"{base}/podcast/folge.mp3", {"Range": "bytes=1000-1999"})
    assert status == 206
    assert headers["Content-Range"] == f"bytes 1000-1999/{len(audio)}"
    assert headers["Content-Type"] == "audio/mpeg"
    assert body == audio[1000:2000]
    status, headers, body = request(f"{base}/podcast/folge.mp3", {"Range": "bytes=-10"})
    assert (status, body) == (206, audio[-10:])


def test_whole_file_advertises_ranges_and_bad_range_gets_416(served):
    base, audio = served
    status, headers, body = request(f"{base}/podcast/folge.mp3")
    assert (status, body, headers["Accept-Ranges"]) == (200, audio, "bytes")
    status, headers, _ = request(f"{base}/podcast/folge.mp3", {"Range": "bytes=99999-"})
    assert status == 416
    assert headers["Content-Range"] == f"bytes */{len(audio)}"
    # a stale If-Range date: the client gets the whole current file, not a piece of it
    status, _, body = request(f"{base}/podcast/folge.mp3",
                              {"Range": "bytes=0-9", "If-Range": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert (status, body) == (200, audio)
    status, _, body = request(f"{base}/")
    assert status == 200 and b"<title>x</title>" in body


def test_the_cms_config_is_served_as_yaml(served):
    base, _ = served
    status, headers, _ = request(f"{base}/admin/config.yml")
    assert (status, headers["Content-Type"]) == (200, "text/yaml")


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def _wait_for_range(url: str, seconds: float = 90.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            return request(url, {"Range": "bytes=0-14"})
        except OSError:
            time.sleep(0.3)
    return None


@pytest.mark.parametrize("target", ["serve", "devserver"])
def test_make_target_answers_range_requests(target, tmp_path):
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "posts" / "p.md").write_text(
        "Title: Range\nDate: 2026-11-23 09:30\nCategory: Test\nSlug: range\n\nText.\n",
        encoding="utf-8")
    output = tmp_path / "output"
    output.mkdir()
    (output / "folge.mp3").write_bytes(b"0123456789" * 100)
    port = free_port()
    process = subprocess.Popen(
        ["make", "--no-print-directory", target, f"PORT={port}", f"INPUTDIR={content}",
         f"OUTPUTDIR={output}"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, env={**os.environ, "RESONANZ_STRICT": "0"},
    )
    try:
        answer = _wait_for_range(f"http://127.0.0.1:{port}/folge.mp3")
        assert answer is not None, f"make {target} did not answer"
        status, headers, body = answer
        assert (status, body) == (206, b"012345678901234")
        assert headers["Content-Range"] == "bytes 0-14/1000"
        if target == "devserver":  # and it still builds the site beside serving it
            deadline = time.monotonic() + 90
            while not (output / "2026" / "11" / "range" / "index.html").is_file():
                assert time.monotonic() < deadline, "devserver did not build the site"
                time.sleep(0.3)
    finally:
        _stop(process)
    assert process.returncode is not None
