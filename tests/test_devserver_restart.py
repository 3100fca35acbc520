"""The dev server starts again when the settings change: imported code is not rebuilt in
place, the new settings are in the next page served, the server stays on its port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from conftest import ROOT, free_port
from test_devserver import POST, fetch, wait_for

CONF = """import sys
sys.path.insert(0, {root!r})
from pelicanconf import *  # noqa
THEME = {root!r} + "/theme"
PLUGIN_PATHS = [{root!r} + "/plugins"]
CACHE_PATH = {cache!r}
SITENAME = {name!r}
"""


def test_a_settings_change_restarts_the_server_with_the_new_settings(tmp_path):
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "posts" / "vorschau.md").write_text(POST.format(title="Neustart"), "utf-8")
    conf = tmp_path / "devconf.py"
    values = {"root": str(ROOT), "cache": str(tmp_path / "cache")}
    conf.write_text(CONF.format(name="Erster Name", **values), encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}/2026/11/vorschau/"
    process = subprocess.Popen(
        [sys.executable, "-m", "resonanz", "devserver", str(content), "-o",
         str(tmp_path / "output"), "-s", str(conf), "-p", str(port),
         "-e", f'SITEURL="http://127.0.0.1:{port}"', "RESONANZ_STRICT=false"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert wait_for(lambda: (page := fetch(url)) and "Erster Name" in page)
        conf.write_text(CONF.format(name="Zweiter Name", **values), encoding="utf-8")
        stamp = time.time_ns()
        os.utime(conf, ns=(stamp, stamp))
        assert wait_for(lambda: (page := fetch(url)) and "Zweiter Name" in page), \
            "the new settings were not built"
        assert process.poll() is None, "the server stopped instead of starting again"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        log = process.communicate(timeout=30)[0].decode("utf-8", "replace")
    assert "code or settings changed: starting again" in log
