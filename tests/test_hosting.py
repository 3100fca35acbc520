"""Host configuration written by the build: nginx serves the demo with our snippet."""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def fetch(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def nginx_site(demo_site, tmp_path_factory):
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: run `make sysdeps`")
    work = tmp_path_factory.mktemp("nginx")
    port = free_port()
    root = demo_site.output
    config = work / "nginx.conf"
    config.write_text(
        f"daemon off;\nmaster_process off;\npid {work / 'nginx.pid'};\n"
        f"error_log {work / 'error.log'};\nevents {{ }}\nhttp {{\n"
        f"  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
        f"  access_log off;\n  client_body_temp_path {work};\n  proxy_temp_path {work};\n"
        f"  fastcgi_temp_path {work};\n  uwsgi_temp_path {work};\n  scgi_temp_path {work};\n"
        f"  server {{\n    listen 127.0.0.1:{port};\n    root {root};\n"
        f"    include {root / '_hosting' / 'nginx.conf'};\n  }}\n}}\n",
        encoding="utf-8",
    )
    check = subprocess.run([NGINX, "-t", "-c", str(config)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([NGINX, "-c", str(config)], stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            fetch(base + "/")
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.terminate()
        pytest.fail(f"nginx did not answer on {base}: {(work / 'error.log').read_text()}")
    yield base, root
    process.terminate()
    process.wait(timeout=10)


def test_feeds_and_media_get_their_types_and_cache_headers(nginx_site):
    base, root = nginx_site
    status, headers, body = fetch(base + "/feeds/podcast.xml")
    assert status == 200 and headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=300" in headers["Cache-Control"]
    assert body == (root / "feeds" / "podcast.xml").read_bytes()
    status, headers, _ = fetch(base + "/feeds/alle.atom.xml")
    assert headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    vtt = next(root.glob("podcast/**/*.vtt")).relative_to(root).as_posix()
    status, headers, _ = fetch(f"{base}/{vtt}")
    assert status == 200 and headers["Content-Type"].startswith("text/vtt")
    opus = next(root.glob("podcast/**/*.opus")).relative_to(root).as_posix()
    status, headers, _ = fetch(f"{base}/{opus}")
    assert status == 200 and headers["Content-Type"].startswith("audio/ogg")
    assert "max-age=86400" in headers["Cache-Control"]


def test_pages_forbid_framing_and_the_player_allows_it(nginx_site):
    base, root = nginx_site
    article = next(root.glob("2025/03/*/index.html")).parent.relative_to(root).as_posix()
    status, headers, _ = fetch(f"{base}/{article}/")
    assert status == 200 and headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    player = next(root.glob("episoden/*/embed/index.html")).parent.relative_to(root).as_posix()
    status, headers, _ = fetch(f"{base}/{player}/")
    assert status == 200 and "X-Frame-Options" not in headers
    assert "frame-ancestors *" in headers["Content-Security-Policy"]


def test_missing_page_gets_our_404(nginx_site):
    base, _ = nginx_site
    status, _, body = fetch(base + "/gibt-es-nicht/")
    assert status == 404 and b"Seite nicht gefunden" in body


def test_headers_file_names_the_podcast_feeds_and_media(demo_site):
    text = (demo_site.output / "_headers").read_text(encoding="utf-8")
    rules = text.split("\n/")
    podcast_rule = next(r for r in rules if r.startswith("feeds/podcast.xml\n"))
    assert "Content-Type: application/rss+xml; charset=utf-8" in podcast_rule
    media_rules = [r for r in rules if r.startswith("podcast/*\n")]
    assert any("Access-Control-Allow-Origin: *" in rule for rule in media_rules)
