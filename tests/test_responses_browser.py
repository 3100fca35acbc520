"""Headless Chromium: the comment widget loads nothing from the provider before the click."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest
from conftest import CHROMIUM, CONTENT, build_site, chromium_available, free_port
from test_responses_site import ARTICLE, with_responses

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason=f"{CHROMIUM} is not installed"),
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Provider(http.server.BaseHTTPRequestHandler):
    """Stands in for the Isso server: serves a tiny embed script."""

    def do_GET(self):  # noqa: N802
        body = b"document.documentElement.setAttribute('data-isso-geladen', '1');"
        self.send_response(200)
        self.send_header("Content-Type", "text/javascript")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _serve(handler) -> tuple[http.server.ThreadingHTTPServer, str]:
    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    provider, provider_url = _serve(_Provider)
    output = tmp_path_factory.mktemp("browser") / "output"
    result = build_site(
        CONTENT,
        output,
        **with_responses(RESPONSES_PROVIDER="isso", RESPONSES_PROVIDER_URL=provider_url + "/isso"),
    )
    assert result.error is None, result.error
    site, site_url = _serve(functools.partial(_Quiet, directory=str(Path(output))))
    yield site_url, provider_url
    for server in (site, provider):
        server.shutdown()
        server.server_close()


def test_nothing_from_the_provider_before_the_click(servers, browser):
    site_url, provider_url = servers
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{site_url}/{ARTICLE}", wait_until="load")
    page.wait_for_function("document.querySelector('.responses-widget__load') !== null")
    before = list(requests)
    assert before, "the page itself was requested"
    assert all(url.startswith(site_url + "/") for url in before), before
    assert page.get_attribute("html", "data-isso-geladen") is None

    with page.expect_request(lambda r: r.url.startswith(provider_url)) as loaded:
        page.click(".responses-widget__load")
    assert loaded.value.url == f"{provider_url}/isso/js/embed.min.js"
    page.wait_for_function("document.documentElement.getAttribute('data-isso-geladen') === '1'")
    assert page.locator("#isso-thread").get_attribute("data-isso-id") == (
        "kundendialog-zuhoeren-statt-senden"
    )
    assert all(u.startswith((site_url + "/", provider_url + "/")) for u in requests)
    context.close()


def test_remembered_choice_loads_without_asking(servers, browser):
    site_url, provider_url = servers
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site_url}/{ARTICLE}", wait_until="load")
    page.check(".responses-widget__remember-box")
    with page.expect_request(lambda r: r.url.startswith(provider_url)):
        page.click(".responses-widget__load")
    assert page.evaluate("localStorage.getItem('resonanz.kommentare.isso')") == "laden"
    with page.expect_request(lambda r: r.url.startswith(provider_url)) as loaded:
        page.reload(wait_until="load")
    assert loaded.value.url.endswith("/isso/js/embed.min.js")
    context.close()


def test_consent_button_and_checkbox_go_away_after_the_click(servers, browser):
    site_url, provider_url = servers
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{site_url}/{ARTICLE}", wait_until="load")
    button = page.get_by_role("button", name="Kommentare laden")
    box = page.get_by_label("Auswahl auf diesem Gerät merken")
    assert button.is_visible() and box.is_visible()
    with page.expect_request(lambda r: r.url.startswith(provider_url)):
        button.click()
    page.wait_for_function("document.documentElement.getAttribute('data-isso-geladen') === '1'")
    assert not button.is_visible()
    assert not box.is_visible()
    assert not page.locator(".responses-widget__notice").is_visible()
    context.close()


def test_a_provider_that_does_not_answer_gets_a_message_and_a_retry(servers, browser):
    site_url, provider_url = servers
    context = browser.new_context()
    page = context.new_page()
    held = []
    # the provider swallows the first request: no answer, no error, as a dead server would
    page.route(f"{provider_url}/**", lambda route: held.append(route) if not held
               else route.continue_())
    page.goto(f"{site_url}/{ARTICLE}", wait_until="load")
    page.get_by_role("button", name="Kommentare laden").click()
    status = page.locator(".responses-widget__status")
    status.wait_for(state="visible", timeout=15000)
    assert "antwortet gerade nicht" in status.inner_text()
    retry = page.get_by_role("button", name="Erneut versuchen")
    assert retry.is_visible()
    held[0].abort()  # the dead connection finally breaks; its late error must not count
    retry.click()
    page.wait_for_function("document.documentElement.getAttribute('data-isso-geladen') === '1'")
    assert not status.is_visible()
    assert page.locator("#isso-thread").count() == 1  # the failed try left nothing behind
    context.close()
