"""The browser CMS at /admin/: an editor writes a post and edits a case study in Chromium,
against Decap's local proxy on 127.0.0.1, in a copy of the demo content."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import yaml
from conftest import (
    ROOT,
    build_site,
    chromium_available,
    copy_demo_content,
    free_port,
)
from lxml import html

NODE = shutil.which("node")
NODE_MODULES = ROOT / "tools" / "cms" / "node_modules"
PROXY = NODE_MODULES / "decap-server" / "dist" / "index.js"
ARTIFACTS = Path(os.environ.get("RESONANZ_ARTIFACTS", ROOT / "test-artifacts")) / "cms"

pytestmark = [
    pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium"),
    pytest.mark.skipif(NODE is None, reason="needs node (Debian package nodejs)"),
    pytest.mark.skipif(
        not PROXY.is_file(), reason="Decap CMS not installed: npm ci --prefix tools/cms"
    ),
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".yml": "text/yaml", ".js": "text/javascript"}

    def log_message(self, *args) -> None:
        pass


def _wait_for_port(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


@pytest.fixture(scope="module")
def cms(tmp_path_factory):
    """A project copy (content/ only), its site built with /admin/, the proxy writing into
    the copy and a server for the site; all on 127.0.0.1."""
    project = tmp_path_factory.mktemp("cms-project")
    content = copy_demo_content(project / "content")
    proxy_port = free_port()
    site = build_site(
        content, project / "output",
        CMS_LOCAL_BACKEND=f"http://127.0.0.1:{proxy_port}/api/v1",
    )
    assert site.error is None, site.error
    assert (site.output / "admin" / "decap-cms.js").is_file()
    proxy = subprocess.Popen(
        [NODE, str(PROXY)],
        env={**os.environ, "PORT": str(proxy_port), "BIND_HOST": "127.0.0.1", "MODE": "fs",
             "GIT_REPO_DIRECTORY": str(project), "LOG_LEVEL": "warn"},
        cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    web_port = free_port()
    handler = functools.partial(_QuietHandler, directory=str(site.output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", web_port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        _wait_for_port(proxy_port)
        yield {"project": project, "content": content, "url": f"http://127.0.0.1:{web_port}",
               "baseline": site.problems}
    finally:
        server.shutdown()
        server.server_close()
        proxy.terminate()
        proxy.wait(timeout=10)


@pytest.fixture
def editor(browser):
    """A German editor's browser page that records CSP violations and foreign requests
    (which are refused: only 127.0.0.1 answers)."""
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="de-DE", timezone_id="Europe/Berlin"
    )
    page = context.new_page()
    page.csp_violations = []
    page.foreign_requests = []
    page.on("console", lambda message: "Content Security Policy" in message.text
            and page.csp_violations.append(message.text))

    def route(request_route):
        url = request_route.request.url
        if url.startswith(("http://127.0.0.1", "blob:", "data:")):
            request_route.continue_()
        else:
            page.foreign_requests.append(url)
            request_route.abort()

    context.route("**/*", route)
    yield page
    context.close()


def fresh_page(page):
    """Another tab of the same editor (signed in, same checks): no leftover notices."""
    tab = page.context.new_page()
    tab.on("console", lambda message: "Content Security Policy" in message.text
           and page.csp_violations.append(message.text))
    return tab


def field(page, name: str):
    """A Decap form control by its field name (ids are `<name>-field-<n>`)."""
    return page.locator(f"[id^='{name}-field-']").first


def open_admin(page, base: str, fragment: str) -> None:
    page.goto(f"{base}/admin/#{fragment}")
    page.get_by_role("button", name="Login").click()
    field(page, "title").wait_for()


def publish_now(page) -> None:
    page.get_by_role("button", name="Veröffentlichen").first.click()
    page.get_by_text("Jetzt veröffentlichen").click()


def wait_for_file(page, path: Path, contains: str = "", seconds: float = 15) -> str:
    # page.wait_for_timeout, not time.sleep: the route handler that lets the page's
    # requests through runs only while Playwright has control
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            if contains in text:
                return text
        page.wait_for_timeout(100)
    raise AssertionError(f"{path} not written (with {contains!r})")


def front_matter(text: str) -> dict:
    assert text.startswith("---\n"), text[:80]
    return yaml.safe_load(text.split("---\n", 2)[1])


def new_problems(cms: dict, result) -> list[str]:
    return [p for p in result.problems if p not in cms["baseline"]]


def test_editor_writes_a_post_that_the_next_build_shows(cms, editor, tmp_path):
    page = editor
    open_admin(page, cms["url"], "/collections/posts/new")
    field(page, "title").fill("Grüße aus Köln")
    field(page, "date").fill("2026-11-30T10:00")
    field(page, "category").click()
    page.get_by_text("Kundendialog", exact=True).click()
    field(page, "tags").fill("Köln, Community")
    field(page, "tags").blur()

    picture = tmp_path / "koeln-rheinufer.jpg"
    from PIL import Image

    Image.new("RGB", (1200, 630), (196, 82, 60)).save(picture, quality=80)
    page.get_by_role("button", name="Wähle ein Bild").click()
    page.locator("input[type=file]").set_input_files(str(picture))
    page.get_by_role("button", name="Ausgewähltes Element verwenden").click()

    page.get_by_role("switch").first.click()  # the Markdown editor: what the file will hold
    body = page.locator("[data-slate-editor]").last
    body.click()
    page.keyboard.type("Ein **Gruß** vom Rhein.\n\n## Was wir sahen\n\n- den Dom\n- die Brücke\n")

    # a teaser image without alternative text is refused, and nothing is written
    publish_now(page)
    refusal = page.get_by_text("„Alternativtext des Teaserbilds“ fehlt")
    refusal.wait_for()
    assert refusal.is_visible()
    posts = cms["content"] / "posts"
    assert not list(posts.glob("*koeln*"))

    field(page, "image_alt").fill("Rotes Abendlicht über dem Rheinufer in Köln")
    publish_now(page)

    source = posts / "2026-11-30-gruesse-aus-koeln.md"
    text = wait_for_file(page, source)
    meta = front_matter(text)
    assert meta["title"] == "Grüße aus Köln"
    assert meta["category"] == "Kundendialog"
    assert meta["tags"] == ["Köln", "Community"]
    assert meta["image"] == "images/koeln-rheinufer.jpg"
    assert meta["slug"] == "gruesse-aus-koeln"
    assert (cms["content"] / "images" / "koeln-rheinufer.jpg").is_file()
    assert "## Was wir sahen" in text and "**Gruß**" in text
    # the saved post opens again, with its preview in the site's look
    tab = fresh_page(page)
    tab.goto(f"{cms['url']}/admin/#/collections/posts/entries/2026-11-30-gruesse-aus-koeln")
    preview = tab.frame_locator("iframe").first
    preview.locator("figure img").wait_for()
    assert preview.locator("h1").inner_text() == "Grüße aus Köln"
    assert preview.locator("figure img").get_attribute("alt") == meta["image_alt"]
    assert preview.locator(".e-content h2").inner_text() == "Was wir sahen"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "cms-beitrag-editor.png"))
    assert page.csp_violations == []
    assert page.foreign_requests == []

    # the next build reads it without a warning and shows it
    result = build_site(cms["content"], cms["project"] / "output-after-post")
    assert result.error is None
    assert new_problems(cms, result) == []
    built = result.output / "2026" / "11" / "gruesse-aus-koeln" / "index.html"
    doc = html.parse(str(built)).getroot()
    assert doc.xpath("string(//h1)").strip() == "Grüße aus Köln"
    assert doc.xpath("string(//*[contains(@class,'kicker')])").strip() == "Kundendialog"
    assert {a.text_content() for a in doc.xpath("//p[@class='tags']/a")} == {"Köln", "Community"}
    teaser = doc.xpath("//figure[contains(@class,'article__image')]//img")[0]
    assert teaser.get("alt") == "Rotes Abendlicht über dem Rheinufer in Köln"
    assert (result.output / "images" / "koeln-rheinufer.jpg").is_file()
    assert doc.xpath("string(//div[contains(@class,'e-content')]//h2)") == "Was wir sahen"
    assert doc.xpath("string(//div[contains(@class,'e-content')]//strong)") == "Gruß"


def test_editor_changes_a_case_study_and_cannot_save_one_without_required_fields(cms, editor):
    page = editor
    case = cms["content"] / "case-studies" / "2025-06-03-velo-verde-reparaturcafe.md"
    before = front_matter(case.read_text(encoding="utf-8"))
    open_admin(page, cms["url"], "/collections/case-studies/entries/"
               "2025-06-03-velo-verde-reparaturcafe")
    assert field(page, "brand").input_value() == "Velo Verde"
    field(page, "industry").fill("Fahrradhandel")
    publish_now(page)
    after = front_matter(wait_for_file(page, case, "industry: Fahrradhandel"))
    assert after == {**before, "industry": "Fahrradhandel"}

    result = build_site(cms["content"], cms["project"] / "output-after-case")
    assert result.error is None
    assert new_problems(cms, result) == []
    built = result.output / "fallstudien" / "velo-verde-reparaturcafe" / "index.html"
    assert "Fahrradhandel" in html.parse(str(built)).getroot().text_content()

    # a new case study without industry, challenge, outcome and sources is not saved
    existing = sorted(p.name for p in case.parent.iterdir())
    page = fresh_page(editor)
    page.goto(f"{cms['url']}/admin/#/collections/case-studies/new")
    field(page, "title").fill("Rheinfähre: Fahrplan im Dialog")
    field(page, "date").fill("2026-11-02T09:00")
    field(page, "brand").fill("Rheinfähre")
    field(page, "year").fill("2024")
    publish_now(page)
    page.get_by_text("Branche ist erforderlich").first.wait_for()
    for label in ("Branche", "Herausforderung", "Ergebnis"):
        assert page.get_by_text(f"{label} ist erforderlich").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "cms-fallstudie-pflichtfelder.png"))
    page.wait_for_timeout(1000)  # a save that went through would have written by now
    assert sorted(p.name for p in case.parent.iterdir()) == existing
    assert editor.csp_violations == []
    assert editor.foreign_requests == []


def test_editor_adds_an_episode_with_its_audio_next_to_the_notes(cms, editor, tmp_path):
    page = editor
    audio = tmp_path / "004-gruesse-aus-koeln.mp3"
    shutil.copy(ROOT / "tests" / "fixtures" / "audio" / "cbr.mp3", audio)
    open_admin(page, cms["url"], "/collections/episodes/new")
    field(page, "title").fill("Grüße aus Köln – die Folge")
    field(page, "date").fill("2026-11-30T12:00")
    field(page, "number").fill("4")
    field(page, "summary").fill("Wie eine Stadt mit ihren Gästen spricht.")
    page.get_by_role("button", name="Wählen Sie eine Datei").click()
    page.locator("input[type=file]").set_input_files(str(audio))
    page.get_by_role("button", name="Ausgewähltes Element verwenden").click()
    player = page.frame_locator("iframe").first.locator("audio.episode-audio")
    player.wait_for()
    assert player.bounding_box()["height"] > 20  # drawn, not 0 px tall
    page.screenshot(path=str(ARTIFACTS / "cms-episode-neu.png"))
    publish_now(page)

    episodes = cms["content"] / "episodes"
    meta = front_matter(wait_for_file(page, episodes / "004-gruesse-aus-koeln.md"))
    assert meta["audio"] == "004-gruesse-aus-koeln.mp3" and meta["number"] == 4
    assert (episodes / "004-gruesse-aus-koeln.mp3").read_bytes() == audio.read_bytes()
    assert page.csp_violations == [] and page.foreign_requests == []

    result = build_site(cms["content"], cms["project"] / "output-after-episode")
    assert result.error is None
    assert new_problems(cms, result) == []
    built = result.output / "episoden" / "004-gruesse-aus-koeln" / "index.html"
    doc = html.parse(str(built)).getroot()
    assert doc.xpath("string(//h1)").strip() == "Grüße aus Köln – die Folge"
    sources = doc.xpath("//audio//source/@src | //audio/@src")
    assert any(src.endswith("004-gruesse-aus-koeln.mp3") for src in sources), sources


def test_a_post_in_pelicans_own_header_format_is_saved_as_yaml_that_builds(cms, editor):
    page = editor
    post = cms["content"] / "posts" / "2026-01-19-crm-trend-chatbots.md"
    body_before = post.read_text(encoding="utf-8").split("\n\n", 1)[1]
    assert post.read_text(encoding="utf-8").startswith("Title: ")
    open_admin(page, cms["url"], "/collections/posts/entries/2026-01-19-crm-trend-chatbots")
    assert field(page, "series_index").input_value() == "2"
    field(page, "summary").fill("Wofür Chatbots im Kundenservice taugen und wofür nicht.")
    publish_now(page)
    text = wait_for_file(page, post, "summary: Wofür Chatbots")
    meta = front_matter(text)
    assert meta["tags"] == ["CRM", "Chatbots", "Service"]
    assert meta["series"] == "CRM-Trend der Woche" and meta["series_index"] == 2
    assert meta["comments"] == "open" and meta["slug"] == "crm-trend-chatbots"
    assert text.split("---\n", 2)[2].strip() == body_before.strip()
    assert page.csp_violations == [] and page.foreign_requests == []

    result = build_site(cms["content"], cms["project"] / "output-after-old-post")
    assert result.error is None
    assert new_problems(cms, result) == []
    built = result.output / "2026" / "01" / "crm-trend-chatbots" / "index.html"
    doc = html.parse(str(built)).getroot()
    description = doc.xpath("string(//meta[@name='description']/@content)")
    assert "Wofür Chatbots im Kundenservice" in description
    assert {a.text_content() for a in doc.xpath("//p[@class='tags']/a")} == {
        "CRM", "Chatbots", "Service"}
