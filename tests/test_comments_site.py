"""Whole-site build with a receiver set: the form where comments are open, the list of
pages that accept responses, TrackBack autodiscovery, security headers for the receiver."""

from __future__ import annotations

import json
import re

import lxml.html
import pytest
from conftest import CONTENT, TEST_SITEURL, build_site
from test_responses_site import ARTICLE, CLOSED

RECEIVER = "https://empfang.resonanz.example"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    result = build_site(
        CONTENT,
        tmp_path_factory.mktemp("comments-site") / "output",
        RESPONSES_RECEIVER_URL=RECEIVER,
        SEARCH_INDEX=False,
    )
    assert result.error is None, result.error
    return result.output


def page(site, path: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((site / path).read_bytes())


def test_form_under_open_posts_only(site):
    doc = page(site, ARTICLE)
    [form] = doc.xpath("//form[@id='kommentar-formular']")
    assert form.get("action") == f"{RECEIVER}/comments" and form.get("method") == "post"
    assert form.get("data-token-url") == f"{RECEIVER}/comments/token"
    fields = {e.get("name"): e for e in form.xpath(".//input|.//textarea|.//select")}
    assert (
        fields["target"].get("value")
        == f"{TEST_SITEURL}/2025/03/kundendialog-zuhoeren-statt-senden/"
    )
    assert fields["thanks"].get("value") == f"{TEST_SITEURL}/kommentar-danke/"
    for name in ("name", "email", "website", "text", "consent", "notify", "homepage"):
        field_id = fields[name].get("id")
        assert doc.xpath(f"//label[@for='{field_id}']"), name  # every field has a label
    assert fields["consent"].get("required") is not None
    assert form.xpath(".//a[contains(@href, 'datenschutz/')]")
    # the reply list holds the comments on the page; every comment has a reply link
    options = [o.get("value") for o in fields["in_reply_to"].xpath("option")]
    assert options[0] == "" and "c-2025-03-17-1" in options
    replies = doc.xpath("//a[@class='responses-comment__reply']/@data-reply-to")
    assert replies == options[1:]
    assert not doc.xpath("//*[@data-comments-provider]")  # no third-party widget
    closed = page(site, CLOSED)
    assert not closed.xpath("//form[@id='kommentar-formular']")
    assert not closed.xpath("//*[@data-reply-to]")
    for legal in ("impressum/index.html", "datenschutz/index.html"):
        assert not page(site, legal).xpath("//form[@id='kommentar-formular']")


def test_trackback_autodiscovery_rdf(site):
    text = (site / ARTICLE).read_text(encoding="utf-8")
    [rdf] = re.findall(r"<!--\s*(<rdf:RDF.*?</rdf:RDF>)\s*-->", text, re.DOTALL)
    description = lxml.etree.fromstring(rdf).find(
        "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description"
    )
    ping = description.get("{http://madskills.com/public/xml/rss/module/trackback/}ping")
    about = description.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    assert ping == f"{RECEIVER}/trackback/kundendialog-zuhoeren-statt-senden"
    assert about == f"{TEST_SITEURL}/2025/03/kundendialog-zuhoeren-statt-senden/"
    assert "rdf:RDF" not in (site / CLOSED).read_text(encoding="utf-8")


def test_targets_list_names_only_pages_that_accept_responses(site):
    document = json.loads((site / "_resonanz" / "targets.json").read_text())
    paths = {e["path"]: e for e in document["targets"]}
    assert paths["/2025/03/kundendialog-zuhoeren-statt-senden/"]["comments"] is True
    assert "/2025/05/beschwerden-als-chance/" not in paths  # comments closed
    for path in ("/archiv/", "/impressum/", "/datenschutz/", "/2026/03/", "/"):
        assert path not in paths
    # a page with open comments is a target, with its own responses file and TrackBack key
    about = paths["/ueber-uns/"]
    assert about["kind"] == "page" and about["comments"] is True
    assert about["responses"] == "responses/pages/ueber-uns.yaml"
    assert about["key"] == "pages/ueber-uns"
    sitemap = (site / "sitemap.xml").read_text()
    assert "_resonanz" not in sitemap and "kommentar-danke" not in sitemap
    thanks = page(site, "kommentar-danke/index.html")
    assert thanks.xpath("//meta[@name='robots']/@content") == ["noindex"]
    assert not thanks.xpath("//*[@data-pagefind-body]")


def test_a_build_without_receiver_removes_the_thank_you_page_of_one_with(tiny_content,
                                                                          tmp_path):
    # make publish or make devserver, then make html (and make check) into the same output/
    output = tmp_path / "output"
    with_receiver = build_site(tiny_content, output, RESPONSES_RECEIVER_URL=RECEIVER,
                               SEARCH_INDEX=False)
    assert with_receiver.error is None, with_receiver.error
    assert (output / "kommentar-danke" / "index.html").is_file()
    # make publish writes compressed copies of every page beside it
    (output / "kommentar-danke" / "index.html.gz").write_bytes(b"stale")
    (output / "kommentar-danke" / "index.html.br").write_bytes(b"stale")
    without = build_site(tiny_content, output, RESPONSES_RECEIVER_URL="", SEARCH_INDEX=False)
    assert without.error is None, without.error
    assert (output / "index.html").is_file()
    assert not (output / "kommentar-danke").exists()


def _without_admin(headers: str, nginx: str) -> tuple[str, str]:
    """The rules of the public pages: /admin/ (the CMS) has a policy of its own that talks
    to the git host, never to the receiver."""
    blocks = re.split(r"\n(?=\S)", headers)
    headers = "\n".join(b for b in blocks if not b.startswith("/admin/"))
    nginx = re.sub(r"location \^~ /admin/ \{.*?\n\}", "", nginx, flags=re.S)
    return headers, nginx


def test_headers_allow_exactly_the_receiver(site):
    headers, nginx = _without_admin((site / "_headers").read_text(),
                                    (site / "_hosting" / "nginx.conf").read_text())
    assert "/admin/" not in headers
    for text in (headers, nginx):
        policies = re.findall(r"Content-Security-Policy:? \"?([^\"\n]+)", text)
        assert policies
        for policy in policies:
            directives = dict(
                d.strip().split(" ", 1) for d in policy.split(";") if " " in d.strip()
            )
            assert directives["form-action"] == f"'self' {RECEIVER}"
            assert directives["connect-src"] == f"'self' {RECEIVER}"
            assert RECEIVER not in directives["script-src"]


def test_provider_setting_decides_when_both_are_set(tiny_content, tmp_path):
    (tiny_content / "posts" / "a.md").write_text(
        "Title: A\nDate: 2026-01-01\nSlug: a\n\nText.\n", encoding="utf-8"
    )
    both = {
        "RESPONSES_RECEIVER_URL": RECEIVER,
        "RESPONSES_PROVIDER": "isso",
        "RESPONSES_PROVIDER_URL": "https://isso.example",
    }
    form = build_site(tiny_content, tmp_path / "form", **both)
    doc = page(form.output, "2026/01/a/index.html")
    assert doc.xpath("//form[@id='kommentar-formular']") and not doc.xpath(
        "//*[@data-comments-provider]"
    )
    widget = build_site(
        tiny_content, tmp_path / "widget", RESPONSES_COMMENT_SYSTEM="provider", **both
    )
    doc = page(widget.output, "2026/01/a/index.html")
    assert doc.xpath("//*[@data-comments-provider='isso']") and not doc.xpath(
        "//form[@id='kommentar-formular']"
    )


def test_check_counts_the_receiver_as_first_party(site):
    from resonanz.check.cli import receiver_hosts

    document = json.loads((site / "_resonanz" / "targets.json").read_text())
    assert document["receiver"] == RECEIVER
    assert receiver_hosts(site) == {"empfang.resonanz.example"}
