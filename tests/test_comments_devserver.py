"""`make devserver` also runs the receiver: the form on a preview page works end to end."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.parse

import lxml.html
from conftest import ROOT, free_port
from test_devserver import POST, fetch, wait_for
from test_receiver import raw_request


def test_devserver_form_posts_to_its_own_receiver(tmp_path):
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "posts" / "vorschau.md").write_text(POST.format(title="Mit Formular"))
    port, receiver_port = free_port(), free_port()
    page_url = f"http://127.0.0.1:{port}/2026/11/vorschau/"
    process = subprocess.Popen(
        [
            "make",
            "--no-print-directory",
            "devserver",
            f"PORT={port}",
            f"RECEIVER_PORT={receiver_port}",
            f"RECEIVER_DB={tmp_path / 'receiver.sqlite3'}",
            f"INPUTDIR={content}",
            f"OUTPUTDIR={tmp_path / 'output'}",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "RESONANZ_STRICT": "0"},
    )
    receiver = f"http://127.0.0.1:{receiver_port}"
    try:
        page = wait_for(lambda: (html := fetch(page_url)) and "kommentar-formular" in html and html)
        assert page, "the preview has no comment form"
        # The server serves each page as soon as it is written; the list of pages that
        # accept comments comes at the end of the build (a comment sent before it is
        # refused as "unavailable", as it should be).
        targets = tmp_path / "output" / "_resonanz" / "targets.json"
        assert wait_for(targets.is_file), "the build wrote no list of comment targets"
        form = lxml.html.fromstring(page).get_element_by_id("kommentar-formular")
        assert form.get("action") == f"{receiver}/comments"
        fields = {e.get("name"): e.get("value") for e in form.xpath(".//input[@type='hidden']")}
        assert fields["target"] == page_url
        body = urllib.parse.urlencode(
            {**fields, "name": "Demo", "text": "Hallo", "consent": "1"}
        ).encode()
        status, headers, answer = raw_request(
            receiver,
            "POST",
            "/comments",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
                "Origin": f"http://127.0.0.1:{port}",
            },
        )
        assert (status, json.loads(answer)["status"]) == (200, "pending"), answer
        assert headers["Access-Control-Allow-Origin"] == f"http://127.0.0.1:{port}"
        thanks = fetch(fields["thanks"])
        assert thanks and "Danke für deinen Kommentar" in thanks
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
