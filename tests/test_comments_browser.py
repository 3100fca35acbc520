"""Headless Chromium: a reader comments on a post with and without JavaScript and answers a
comment; a moderator approves; the live loop pushes one commit to a local bare remote; the
rebuilt page shows the comments threaded, as microformats. Pages are served with the CSP
the build wrote into `_headers`, so the form must work under it."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import mf2py
import pytest
from conftest import CHROMIUM, CONTENT, build_site, chromium_available, free_port
from test_comments_live import git, remote_log, touched

from resonanz.receiver.comment_store import CommentStore
from resonanz.receiver.config import ReceiverConfig
from resonanz.receiver.server import start_in_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason=f"{CHROMIUM} is not installed"),
]

TOKEN = "moderation-im-browser"
SLUG = "kundendialog-zuhoeren-statt-senden"
POST = f"2025/03/{SLUG}/"
RESPONSES = f"content/responses/{SLUG}.yaml"
SHOTS = Path("/tmp/resonanz-comment-shots")


def csp_of(output: Path) -> str:
    """The policy `_headers` gives every page that is not the episode player."""
    for line in (output / "_headers").read_text().splitlines():
        if line.strip().startswith("Content-Security-Policy:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError("no Content-Security-Policy in _headers")


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    csp = ""

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", self.csp)
        super().end_headers()

    def log_message(self, *args) -> None:
        pass


def serve(directory: Path, port: int, csp: str) -> http.server.ThreadingHTTPServer:
    handler = type("Handler", (SiteHandler,), {"csp": csp})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(handler, directory=str(directory))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def build(content: Path, output: Path, site_url: str, receiver_url: str) -> Path:
    result = build_site(
        content,
        output,
        SITEURL=site_url,
        CANONICAL_SITEURL=site_url,
        FEED_DOMAIN=site_url,
        RESPONSES_RECEIVER_URL=receiver_url,
        SEARCH_INDEX=False,  # Pagefind is not what this test is about
    )
    assert result.error is None, result.error
    return output


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("comments-browser")
    bare, editor, checkout = root / "remote.git", root / "editor", root / "checkout"
    git(root, "init", "--quiet", "--bare", "-b", "main", str(bare))
    git(root, "clone", "--quiet", str(bare), str(editor))
    shutil.copytree(CONTENT, editor / "content")
    git(editor, "add", "-A")
    git(editor, "commit", "--quiet", "-m", "demo site")
    git(editor, "push", "--quiet", "origin", "HEAD:main")
    git(root, "clone", "--quiet", str(bare), str(checkout))

    port = free_port()
    site_url = f"http://127.0.0.1:{port}"
    output = root / "output"
    config = ReceiverConfig(
        site_url=site_url + "/",
        db_path=root / "receiver.sqlite3",
        port=0,
        token=TOKEN,
        targets=str(output / "_resonanz" / "targets.json"),
        comment_min_seconds=1.0,
        git_checkout=str(checkout),
        git_batch_seconds=2.0,
    )
    receiver = start_in_thread(config, workers=True)
    build(editor / "content", output, site_url, receiver.url)
    server = serve(output, port, csp_of(output))
    yield {
        "root": root,
        "bare": bare,
        "url": site_url,
        "receiver": receiver,
        "before": remote_log(bare),
        "output": output,
    }
    server.shutdown()
    server.server_close()
    receiver.close()


def fill(page, name: str, text: str, email: str = "", website: str = "") -> None:
    """Fill the form as a reader does: by the labels they read."""
    page.get_by_label("Name *", exact=True).fill(name)
    if email:
        page.get_by_label("E-Mail (freiwillig, wird nie veröffentlicht)").fill(email)
    if website:
        page.get_by_label("Website (freiwillig)").fill(website)
    page.get_by_label("Kommentar *", exact=True).fill(text)
    page.get_by_label("Ich bin einverstanden").check()


def test_readers_comment_moderator_approves_site_shows_threads(site, browser):
    csp_errors: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security" in m.text else 0)
    page.goto(f"{site['url']}/{POST}")
    # with JavaScript: the answer appears in the page, which stays where it is
    fill(
        page,
        "Eva Browser",
        "Mit *Skript* geschrieben.",
        "eva@leser.example",
        "https://eva.example/",
    )
    page.get_by_label("Bei Antworten per E-Mail benachrichtigen").check()
    page.wait_for_timeout(1200)  # a person needs longer than the minimum fill time
    page.get_by_role("button", name="Kommentar absenden").click()
    status = page.get_by_role("status")
    status.filter(has_text="Danke!").wait_for()
    assert "erscheint nach der Freigabe" in status.inner_text()
    SHOTS.mkdir(exist_ok=True)
    page.locator("#kommentar-formular").screenshot(path=str(SHOTS / "form-sent-with-js.png"))
    assert page.url == f"{site['url']}/{POST}"

    # a reply: the reader clicks "Antworten" under Petra's first comment
    page.get_by_role("link", name="Antworten an Petra Lindner").first.click()
    assert page.get_by_label("Antwort auf", exact=True).input_value() == "c-2025-03-17-1"
    fill(page, "Jana Antwort", "Die Pinnwand-Idee übernehmen wir.")
    page.wait_for_timeout(1200)
    page.get_by_role("button", name="Kommentar absenden").click()
    page.get_by_role("status").filter(has_text="Danke!").wait_for()
    assert csp_errors == []
    context.close()

    # without JavaScript: a plain form post, then the site's thank-you page
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site['url']}/{POST}")
    fill(page, "Nora Ohne-Skript", "Geht auch ohne JavaScript.")
    with page.expect_navigation():
        page.get_by_role("button", name="Kommentar absenden").click()
    assert page.url == f"{site['url']}/kommentar-danke/"
    assert page.get_by_role("heading", name="Danke für deinen Kommentar!").is_visible()
    context.close()

    # the moderator approves all three on the moderation page
    receiver = site["receiver"]
    context = browser.new_context(http_credentials={"username": "red", "password": TOKEN})
    page = context.new_page()
    page.goto(f"{receiver.url}/moderation")
    items = page.locator("main ol > li")
    assert items.count() == 3
    text = page.locator("main").inner_text()
    for name in ("Eva Browser", "Jana Antwort", "Nora Ohne-Skript"):
        assert name in text
    assert "eva@leser.example" not in text
    for _ in range(3):
        page.locator("main ol > li").first.get_by_role("button", name="Freigeben").click()
        page.wait_for_load_state()
    assert page.locator("main ol > li").count() == 0
    context.close()

    comments = CommentStore(receiver.receiver.store)
    deadline = 60
    while comments.unpushed() and deadline > 0:
        page_wait = 0.25
        threading.Event().wait(page_wait)
        deadline -= page_wait
    assert comments.unpushed() == []
    after = remote_log(site["bare"])
    assert len(after) == len(site["before"]) + 1, "approvals close together make one commit"
    assert touched(site["bare"], after[0]) == [RESPONSES]

    # the next build (CI) from the remote shows them, threaded, as microformats
    html, entry = rebuilt_entry(site, receiver.url, "fresh", POST)
    top = entry["properties"]["comment"]
    names = [author(c) for c in top]
    assert "Eva Browser" in names and "Nora Ohne-Skript" in names
    assert "Jana Antwort" not in names
    [petra] = [c for c in top if author(c) == "Petra Lindner"]
    replies = [author(c) for c in petra["properties"]["comment"]]
    assert "Jana Antwort" in replies
    [eva] = [c for c in top if author(c) == "Eva Browser"]
    assert "<em>Skript</em>" in eva["properties"]["content"][0]["html"]
    assert eva["properties"]["author"][0]["properties"]["url"] == ["https://eva.example/"]
    assert "eva@leser.example" not in html


def author(item: dict) -> str:
    """The name of a comment's author (an h-cite in a parsed h-entry)."""
    return item["properties"]["author"][0]["properties"]["name"][0]


def rebuilt_entry(site: dict, receiver_url: str, name: str, path: str) -> tuple[str, dict]:
    """What the next build (CI) from the remote makes of the page at `path`: its HTML and
    its h-entry, parsed as microformats."""
    fresh = site["root"] / name
    git(site["root"], "clone", "--quiet", str(site["bare"]), str(fresh))
    output = build(fresh / "content", site["root"] / f"{name}-output", site["url"],
                   receiver_url)
    html = (output / path / "index.html").read_text(encoding="utf-8")
    parsed = mf2py.parse(doc=html, url=f"{site['url']}/{path}")
    [entry] = [i for i in parsed["items"] if "h-entry" in i["type"]]
    return html, entry


EPISODE_SLUG = "001-zuhoeren"
EPISODE = f"episoden/{EPISODE_SLUG}/"


def test_a_comment_on_an_episode_goes_live_in_the_episodes_own_file(site, browser):
    """Episodes carry responses like posts: the form, moderation, one commit that touches
    only content/responses/episodes/<slug>.yaml, and the comment on the rebuilt page."""
    before = remote_log(site["bare"])
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site['url']}/{EPISODE}")
    fill(page, "Olaf Hörer", "Die Folge höre ich auf dem Rad.")
    page.wait_for_timeout(1200)  # longer than the minimum fill time
    page.get_by_role("button", name="Kommentar absenden").click()
    page.get_by_role("status").filter(has_text="Danke!").wait_for()
    context.close()

    receiver = site["receiver"]
    context = browser.new_context(http_credentials={"username": "red", "password": TOKEN})
    page = context.new_page()
    page.goto(f"{receiver.url}/moderation")
    item = page.locator("main ol > li").filter(has_text="Olaf Hörer")
    assert item.count() == 1
    item.get_by_role("button", name="Freigeben").click()
    page.wait_for_load_state()
    context.close()

    comments = CommentStore(receiver.receiver.store)
    deadline = 60.0
    while comments.unpushed() and deadline > 0:
        threading.Event().wait(0.25)
        deadline -= 0.25
    assert comments.unpushed() == []
    after = remote_log(site["bare"])
    assert len(after) == len(before) + 1
    assert touched(site["bare"], after[0]) == [f"content/responses/episodes/{EPISODE_SLUG}.yaml"]

    _, entry = rebuilt_entry(site, receiver.url, "fresh-episode", EPISODE)
    names = [author(c) for c in entry["properties"].get("comment", [])]
    assert "Olaf Hörer" in names


@pytest.mark.parametrize("width,height", [(390, 844), (1366, 900)])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_form_is_readable_at_phone_and_desktop_size(site, browser, width, height, scheme):
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{site['url']}/{POST}")
    form = page.locator("#kommentar-formular")
    form.scroll_into_view_if_needed()
    for label in ("Name *", "Kommentar *", "Website (freiwillig)"):
        field = page.get_by_label(label, exact=True)
        box = field.bounding_box()
        assert field.is_visible() and box["width"] >= min(250, width * 0.6), label
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, label
        size = field.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 16, (label, size)  # phones zoom into smaller inputs
    button = page.get_by_role("button", name="Kommentar absenden")
    assert button.bounding_box()["height"] >= 44
    privacy = form.get_by_role("link", name="Datenschutzerklärung")
    assert privacy.get_attribute("href").endswith("datenschutz/")
    trap = page.locator("#kf-homepage").bounding_box()
    assert trap is None or trap["x"] + trap["width"] <= 0  # the honeypot is not on screen
    colours = button.evaluate(
        "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]"
    )
    assert colours[0] != colours[1]
    SHOTS.mkdir(exist_ok=True)
    form.screenshot(path=str(SHOTS / f"form-{width}-{scheme}.png"))
    context.close()


def test_the_receiver_is_asked_for_a_token_only_when_a_reader_starts_writing(site, browser):
    context = browser.new_context()
    page = context.new_page()
    receiver = site["receiver"].url
    asked: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if r.url.startswith(receiver) else 0)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else 0)
    page.goto(f"{site['url']}/{POST}", wait_until="networkidle")
    assert asked == []  # reading a post sends the receiver nothing
    with page.expect_request(lambda r: r.url.endswith("/comments/token")):
        page.get_by_label("Name *", exact=True).click()
    assert page.locator("#kommentar-formular input[name=token]").evaluate(
        "e => new Promise(done => setTimeout(() => done(e.value), 300))") != ""
    assert errors == []
    context.close()
