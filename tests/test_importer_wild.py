"""Exports as old blogs really wrote them, imported, built and served by the real nginx.

Each fixture under fixtures/import/wild/ reproduces defects found in real exports:
undeclared prefixes (excerpt:, app:, thr:), HTML entities and control characters in XML,
UTF-8 with stray Windows-1252 bytes and mojibake, <pre> poems with <br>, WXR 1.0 tags,
pingback titles "Post « Blog", comments on pages, Greek percent-encoded slugs, a link
with a double slash, Movable Type entries without BASENAME.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import re
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import lxml.html
import pytest
from conftest import build_site, free_port, tree_digest
from test_importer_site import _plugins

from resonanz.importer import cli

WILD = Path(__file__).parent / "fixtures" / "import" / "wild"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
GREEK = "/2008/05/ελληνικά/"

CASES = {
    "wordpress-com-2008": {
        "args": ["--from", "wordpress", str(WILD / "wordpress-com-2008.xml")],
        "entries": {
            "/2008/05/ein-gedicht/": "Ein Gedicht in Zeilen",
            GREEK: "Ελληνικά στο ιστολόγιο",
            "/2008/05/cafe-kuchen/": "Café & Kuchen\u00a0am Sonntag",
            "/ueber/": "Über dieses Blog",
            "/σχετικά/": "Σχετικά",
        },
        "responses": {
            "/2008/05/ein-gedicht/": ["Bernd", "Blog"],
            GREEK: ["Γιώργος"],
            "/2008/05/cafe-kuchen/": ["Kuchenblog"],
            "/ueber/": ["Carla", "Anna"],
        },
        "hidden": {"/2008/05/ein-gedicht/": "Billige Uhren"},
        "pre_lines": {"/2008/05/ein-gedicht/": 32},
        "linkbacks": {"/2008/05/ein-gedicht/": ["Ping 3"],
                      "/2008/05/cafe-kuchen/": ["Torten am Sonntag"]},
        # old URL as a browser sends it -> new URL
        "old": {
            "/2008/05/03/ein-gedicht/": "/2008/05/ein-gedicht/",
            "/2008/05/03/ein-gedicht": "/2008/05/ein-gedicht/",
            "//greek/2008/05/10/%ce%b5%ce%bb%ce%bb%ce%b7%ce%bd%ce%b9%ce%ba%ce%ac/": GREEK,
            "/greek/2008/05/10/%CE%B5%CE%BB%CE%BB%CE%B7%CE%BD%CE%B9%CE%BA%CE%AC/": GREEK,
            "/2008/05/18/cafe-kuchen/": "/2008/05/cafe-kuchen/",
            "/ueber/": "/ueber/",
            "/%cf%83%cf%87%ce%b5%cf%84%ce%b9%ce%ba%ce%ac/": "/σχετικά/",
        },
        "notes": [
            "XML: prefix excerpt: was not declared",
            "XML: 2 HTML entities (&nbsp; ...) read as the characters they stand for",
            "XML: 1 control character that XML does not allow removed",
        ],
    },
    "wordpress-test-data": {
        "args": ["--from", "wordpress", str(WILD / "wordpress-test-data.xml")],
        "entries": {
            "/2011/01/vorlage-kommentare/": "Vorlage: Kommentare",
            "/2011/01/zitat-hallo/": "Zitat „Hallo“ & mehr",
            "/2011/01/zukunft/": "Zukunft",
            "/ueber-uns/": "Über uns",
            "/team/": "Team",
            "/impressum/": "Impressum",
        },
        "responses": {
            "/2011/01/vorlage-kommentare/": [f"Ebene {n}" for n in range(6)] + ["Andere Seite"],
            "/ueber-uns/": ["Leserin"],
            "/impressum/": ["Korrektor"],
        },
        "hidden": {"/2011/01/vorlage-kommentare/": "Weg damit"},
        "linkbacks": {"/2011/01/vorlage-kommentare/": ["Ein Link hierher"]},
        "absent": ["/2011/01/geschuetzt/"],
        # the old blog had comments open on its legal page: they stay open
        "open": ["/impressum/", "/ueber-uns/"],
        "old": {
            "/2011/01/03/vorlage-kommentare/": "/2011/01/vorlage-kommentare/",
            "/2011/01/04/zitat-hallo/": "/2011/01/zitat-hallo/",
            "/2011/01/06/zukunft/": "/2011/01/zukunft/",
            "/ueber-uns/team/": "/team/",
            "/ueber-uns/": "/ueber-uns/",
            "/impressum/": "/impressum/",
        },
        "notes": ["item 12 'Geschützt': password-protected, imported as draft"],
    },
    "blogger-2008": {
        "args": ["--from", "blogger", str(WILD / "blogger-2008.xml")],
        "entries": {
            "/2008/11/dom-rhein-im-november/": "Dom & Rhein im November",
            "/2008/11/weihnachtsmarkt/": "Weihnachtsmarkt",
        },
        "responses": {"/2008/11/dom-rhein-im-november/": ["Petra", "Jörg"]},
        "pre_lines": {"/2008/11/dom-rhein-im-november/": 3},
        "hidden": {},
        "old": {
            "/2008/11/dom-rhein-im-november.html": "/2008/11/dom-rhein-im-november/",
            "/2008/11/weihnachtsmarkt.html": "/2008/11/weihnachtsmarkt/",
        },
        "notes": ["XML: prefixes app:, thr: were not declared"],
    },
    "movabletype-mixed": {
        "args": ["--from", "movabletype", str(WILD / "movabletype-mixed.txt"),
                 "--old-base-url", "http://mara.example/blog/"],
        "entries": {
            "/2008/03/grusse_aus_koln/": "Grüße aus Köln",
            "/2008/04/ein_sehr_langer_titel_uber_mod/":
                "Ein sehr langer Titel über Moderation und Regeln",
            "/2008/05/grusse_aus_koln_1/": "Grüße aus Köln",
        },
        "responses": {
            "/2008/03/grusse_aus_koln/": ["Jens", "Reiseblog"],
            "/2008/04/ein_sehr_langer_titel_uber_mod/": ["Ute"],
        },
        "pre_lines": {"/2008/04/ein_sehr_langer_titel_uber_mod/": 3},
        "texts": {
            "/2008/03/grusse_aus_koln/": ["“Schön war’s” – sagte sie.",
                                          "Jens’ Kommentar: „großartig“ – wirklich!"],
            "/2008/04/ein_sehr_langer_titel_uber_mod/": ["Danke für die Regeln!"],
        },
        "hidden": {},
        "old": {
            "/blog/2008/03/grusse_aus_koln.html": "/2008/03/grusse_aus_koln/",
            "/blog/2008/04/ein_sehr_langer_titel_uber_mod.html":
                "/2008/04/ein_sehr_langer_titel_uber_mod/",
            "/blog/2008/05/grusse_aus_koln_1.html": "/2008/05/grusse_aus_koln_1/",
        },
        "notes": [
            "encoding: 6 bytes not valid UTF-8 (Movable Type exports are UTF-8), first at "
            "line 14, column 35 (byte 93, '“'): read as Windows-1252",
            "encoding: UTF-8 text that had been read as Windows-1252 repaired in 1 line",
            "3 entries without BASENAME: basename made from the title as Movable Type does",
        ],
    },
}


def run_import(args: list[str], content: Path, redirects: Path) -> str:
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        code = cli.main([*args, "--content", str(content), "--redirects-dir", str(redirects)])
    assert code == 0, report.getvalue()
    return report.getvalue()


@pytest.fixture(scope="module", params=sorted(CASES))
def imported(request, tmp_path_factory):
    case = CASES[request.param]
    base = tmp_path_factory.mktemp(request.param)
    content = base / "content"
    content.mkdir()
    report = run_import(case["args"], content, base / "redirects")
    result = build_site(content, base / "output", PLUGINS=_plugins())
    assert result.error is None, result.error
    return case, base, report, result


def output_file(result, url: str) -> Path:
    return result.output / unquote(url).strip("/") / "index.html"


def page(result, url: str):
    return lxml.html.fromstring(output_file(result, url).read_bytes())


def test_every_entry_has_its_exact_title(imported):
    case, _, _, result = imported
    for url, title in case["entries"].items():
        headings = page(result, url).xpath("//main//h1") or page(result, url).xpath("//h1")
        assert headings[0].text_content().strip() == title, url


def test_every_approved_response_is_shown_on_its_page(imported):
    case, _, _, result = imported
    for url, names in case["responses"].items():
        section = page(result, url).get_element_by_id("antworten")
        shown = [re.sub(r"\s+", " ", a.text_content()).strip()
                 for a in section.xpath(".//*[contains(@class,'p-author')]")]
        assert sorted(shown) == sorted(names), url
    for url, text in case["hidden"].items():
        assert text not in output_file(result, url).read_text(encoding="utf-8")
    for url in case.get("open", []):
        assert page(result, url).xpath("//p[@class='responses-closed']") == [], url
    for url in case.get("absent", []):
        assert not output_file(result, url).exists(), url


def test_what_readers_see_is_kept(imported):
    case, _, _, result = imported
    for url, lines in case.get("pre_lines", {}).items():
        pre = page(result, url).xpath("//div[contains(@class,'e-content')]//pre")[0]
        assert len(pre.text_content().strip("\n").split("\n")) == lines, url
    for url, titles in case.get("linkbacks", {}).items():
        shown = page(result, url).xpath("//p[@class='responses-linkback__title']/a/text()")
        assert shown == titles, url
    for url, texts in case.get("texts", {}).items():
        body = re.sub(r"\s+", " ", page(result, url).text_content())
        for text in texts:
            assert text in body, (url, text)


def test_the_build_reports_nothing(imported):
    _, _, _, result = imported
    assert result.problems == []


def test_the_report_says_what_was_recovered(imported):
    case, _, report, _ = imported
    for note in case["notes"]:
        assert note in report
    # no line of the report ends in an empty list ("the others became tags: ")
    assert not re.search(r"^ +- .*: *$", report, re.MULTILINE)


@pytest.fixture(scope="module")
def nginx(imported, tmp_path_factory):
    """The real nginx serving the built site with the import's redirect map."""
    _, base, _, result = imported
    work = tmp_path_factory.mktemp("nginx")
    port = free_port()
    config = work / "nginx.conf"
    config.write_text(
        f"daemon off;\nmaster_process off;\npid {work / 'nginx.pid'};\n"
        f"error_log {work / 'error.log'};\nevents {{ }}\nhttp {{\n"
        f"  include /etc/nginx/mime.types;\n  access_log off;\n"
        f"  client_body_temp_path {work};\n  proxy_temp_path {work};\n"
        f"  fastcgi_temp_path {work};\n  uwsgi_temp_path {work};\n  scgi_temp_path {work};\n"
        f"  include {base / 'redirects' / 'nginx-redirects.map'};\n"
        f"  server {{\n    listen 127.0.0.1:{port};\n    root {result.output};\n"
        f"    index index.html;\n    if ($new_uri) {{ return 301 $new_uri; }}\n  }}\n}}\n",
        encoding="utf-8",
    )
    check = subprocess.run([NGINX, "-t", "-c", str(config)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([NGINX, "-c", str(config)], stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            get(port, "/")
            break
        except OSError:
            time.sleep(0.1)
    yield port
    process.terminate()
    process.wait(timeout=10)


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, response.getheader("Location") or ""


def test_every_old_url_is_redirected_by_nginx(imported, nginx):
    case, _, _, _ = imported
    for old, new in case["old"].items():
        status, location = get(nginx, old)
        if unquote(old) == new:
            assert status == 200, old  # the old slug was kept: the old URL still works
            continue
        assert status == 301, (old, status)
        assert unquote(urlsplit(location).path) == new, old
        assert get(nginx, urlsplit(location).path)[0] == 200, location


def test_every_old_url_has_a_netlify_rule_and_a_page(imported):
    case, base, _, result = imported
    rules = {}
    for line in (result.output / "_redirects").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            source, target, status = line.split()
            assert status == "301" and target.isascii() and source.isascii()
            rules[source] = target
    for old, new in case["old"].items():
        if unquote(old) == new:
            continue
        # Netlify compares the path as the browser sends it (the old link's own
        # percent-encoding, or the browser's for typed text); a trailing slash is optional
        for path in (re.sub("/{2,}", "/", old), re.sub("/{2,}", "/", quote(unquote(old)))):
            path = path if path in rules else path.rstrip("/") + "/"
            assert unquote(rules[path]) == new, old
        # static hosts without rules: the redirect page the build copied
        old_page = result.output / unquote(path).strip("/")
        old_page = old_page / "index.html" if path.endswith("/") else old_page
        assert f"url={rules[path]}" in old_page.read_text(encoding="utf-8")


def test_reimport_changes_nothing(imported):
    case, base, _, _ = imported
    before = tree_digest(base / "content"), tree_digest(base / "redirects")
    report = run_import(case["args"], base / "content", base / "redirects")
    assert re.search(r"files written\s+0$", report, re.MULTILINE)
    assert (tree_digest(base / "content"), tree_digest(base / "redirects")) == before


def test_rebuild_after_an_edit_warns_about_nothing(imported):
    case, base, _, result = imported
    post = sorted((base / "content" / "posts").glob("*.md"))[0]
    post.write_text(post.read_text(encoding="utf-8") + "\nVon Hand ergänzt.\n",
                    encoding="utf-8")
    again = build_site(base / "content", result.output, PLUGINS=_plugins())
    assert again.error is None, again.error
    assert again.problems == []
