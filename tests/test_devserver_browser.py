"""Headless Chromium on `make devserver`: a saved edit reloads the open page by itself;
a broken file shows an overlay while the last good page stays served."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import ROOT, chromium_available, free_port
from test_devserver import fetch, wait_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium"),
]

OPENING = ("Gute Moderation beginnt mit Zuhören. " * 12).strip()
POST = ("Title: Zuhören lernen\nDate: 2026-11-23 09:30\nCategory: Praxis\nSlug: zuhoeren\n\n"
        f"{OPENING}\n\n{{second}}\n")
SHOTS = Path(os.environ.get("RESONANZ_SHOTS", "/tmp/resonanz-devserver-shots"))


def save(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    stamp = time.time_ns()
    os.utime(path, ns=(stamp, stamp))


@pytest.fixture
def devserver(tmp_path):
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    post = content / "posts" / "zuhoeren.md"
    save(post, POST.format(second="Der zweite Absatz, erste Fassung."))
    port = free_port()
    process = subprocess.Popen(
        ["make", "--no-print-directory", "devserver", f"PORT={port}",
         f"RECEIVER_PORT={free_port()}", f"RECEIVER_DB={tmp_path / 'receiver.sqlite3'}",
         f"INPUTDIR={content}", f"OUTPUTDIR={tmp_path / 'output'}"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "RESONANZ_STRICT": "0"},
    )
    url = f"http://127.0.0.1:{port}/2026/11/zuhoeren/"
    try:
        assert wait_for(lambda: (html := fetch(url)) and "erste Fassung" in html), \
            "the dev server did not serve the first build"
        yield url, post, tmp_path / "output"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode("utf-8", "replace")
        print(output)  # the terminal the editor sees, shown when a test fails


def test_an_edit_reloads_the_page_and_a_broken_file_shows_an_overlay(devserver, browser):
    url, post, output = devserver
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(url)
    page.wait_for_function("() => window.performance && document.readyState === 'complete'")
    # a mark that only this page load has: gone after a reload
    page.evaluate("() => { window.__notReloaded = true; }")
    time.sleep(0.5)  # the event stream is open
    save(post, POST.format(second="Der zweite Absatz, zweite Fassung."))
    page.wait_for_function("() => document.body.innerText.includes('zweite Fassung')",
                           timeout=30000)
    assert page.evaluate("() => window.__notReloaded") is None, "the page was not reloaded"
    assert "erste Fassung" not in page.inner_text(".e-content")
    # the script is the dev server's: output/ has none of it
    assert "__devserver" not in (output / "2026/11/zuhoeren/index.html").read_text("utf-8")

    save(post, "Title: Zuhören lernen\nDate: kein Datum\nSlug: zuhoeren\n\nKaputt.\n")
    overlay = page.locator("#resonanz-devserver-overlay")
    overlay.wait_for(state="visible", timeout=30000)
    assert "zuhoeren.md" in overlay.inner_text()
    assert "zweite Fassung" in fetch(url), "the last good page is no longer served"
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((390, 844), (1366, 900)):
        for scheme in ("light", "dark"):
            view = browser.new_page(viewport={"width": width, "height": height},
                                    color_scheme=scheme)
            view.goto(url)
            box = view.locator("#resonanz-devserver-overlay")
            box.wait_for(state="visible", timeout=15000)
            shape = box.bounding_box()
            assert shape["width"] == pytest.approx(width, abs=1)
            assert 40 < shape["height"] <= height * 0.6 + 1
            assert shape["y"] + shape["height"] <= height + 1  # on screen, not below it
            font = view.evaluate(
                "() => parseFloat(getComputedStyle(document.querySelector("
                "'#resonanz-devserver-overlay')).fontSize)")
            assert font >= 14
            view.screenshot(path=str(SHOTS / f"overlay-{width}-{scheme}.png"))
            view.close()

    save(post, POST.format(second="Der zweite Absatz, repariert."))
    page.wait_for_function("() => document.body.innerText.includes('repariert')",
                           timeout=30000)
    assert page.locator("#resonanz-devserver-overlay").count() == 0
