"""Receiver pure functions: target slugs, address checks, extraction, YAML appending."""

from __future__ import annotations

import pytest
import yaml

from resonanz.receiver.config import ConfigError, config_from_env
from resonanz.receiver.export import ExportError, append_entries
from resonanz.receiver.fetch import Page, address_refused
from resonanz.receiver.targets import TargetError, article_slug
from resonanz.receiver.verify import NoLinkError, exact_target, extract, iso_datetime

SITE = "https://resonanz.example/"
TARGET = SITE + "2026/03/markenstimme-finden/"


@pytest.mark.parametrize(
    ("target", "slug"),
    [
        (TARGET, "markenstimme-finden"),
        ("http://resonanz.example/2026/03/markenstimme-finden", "markenstimme-finden"),
        (
            "https://RESONANZ.example:443/2008/03/kundenbindung-2008/#kommentare",
            "kundenbindung-2008",
        ),
        ("https://resonanz.example/2008/03/kundenbindung-2008/index.html", "kundenbindung-2008"),
        ("https://resonanz.example/impressum/", "impressum"),
    ],
)
def test_article_slug(target, slug):
    assert article_slug(target, SITE) == slug


@pytest.mark.parametrize(
    ("target", "foreign"),
    [
        ("https://other.example/2026/03/x/", True),
        ("https://resonanz.example.evil/2026/03/x/", True),
        ("https://resonanz.example:8080/2026/03/x/", True),
        ("javascript:alert(1)", True),
        ("https://resonanz.example/", False),
        ("https://resonanz.example/kategorie/social-media/", False),
        ("https://resonanz.example/2026/03/..%2f..%2fetc/", False),
        ("https://resonanz.example/2026/03/ein%20slug/", False),
    ],
)
def test_article_slug_refuses(target, foreign):
    with pytest.raises(TargetError) as error:
        article_slug(target, SITE)
    assert error.value.foreign is foreign and target in str(error.value)


def test_site_below_a_path():
    site = "https://example.org/resonanz/"
    assert article_slug("https://example.org/resonanz/2026/03/a-b/", site) == "a-b"
    with pytest.raises(TargetError):
        article_slug("https://example.org/anderes/2026/03/a-b/", site)


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("127.0.0.1", True),
        ("10.0.0.1", True),
        ("172.16.5.4", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),
        ("224.0.0.1", True),
        ("0.0.0.0", True),
        ("100.64.0.1", True),
        ("::1", True),
        ("fe80::1%eth0", True),
        ("fc00::1", True),
        ("::ffff:127.0.0.1", True),
        ("ff02::1", True),
        ("93.184.216.34", False),
        ("2606:2800:220:1::1", False),
    ],
)
def test_address_refused(address, refused):
    assert address_refused(address) is refused


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2026-03-26T12:39:00+01:00", "2026-03-26T12:39:00+01:00"),
        ("2026-03-26 12:39:00Z", "2026-03-26T12:39:00+00:00"),
        ("2026-03-26T12:39", "2026-03-26T12:39:00+00:00"),
        ("gestern", ""),
        (None, ""),
    ],
)
def test_iso_datetime(value, iso):
    assert iso_datetime(value) == iso


def page(html: str, url: str = "https://anna.example/post") -> Page:
    return Page(url, 200, "text/html", "utf-8", html.encode())


def test_extract_like_and_relative_link():
    found = extract(
        page(
            '<div class="h-entry"><h1 class="p-name">&lt;script&gt;alert(1)&lt;/script&gt;Hi</h1>'
            '<a class="u-like-of" href="/x">x</a>'
            f'<a class="u-like-of" href="{TARGET}">gefällt</a>'
            '<span class="p-author h-card">Ben</span></div>'
        ),
        exact_target(TARGET),
    )
    assert (found.type, found.author, found.title) == ("like", "Ben", "Hi")
    relative = extract(
        page('<base href="https://resonanz.example/2026/"><a href="03/markenstimme-finden">x</a>'),
        exact_target(TARGET),
    )
    assert relative.target == "https://resonanz.example/2026/03/markenstimme-finden"


def test_extract_falls_back_to_html_metadata():
    html = (
        '<html><head><title>Ignoriert</title><meta property="og:title" content="OG-Titel">'
        '<meta name="author" content="Dora"><meta property="article:published_time" '
        'content="2026-01-02T03:04:05Z"></head><body><p>Vorher <a href="'
        + TARGET
        + '">Link</a> nachher &lt;b&gt;</p></body></html>'
    )
    found = extract(page(html), exact_target(TARGET))
    assert found.title == "OG-Titel" and found.author == "Dora"
    assert found.published == "2026-01-02T03:04:05+00:00"
    # plain text never keeps anything tag-like, even if the page escaped it
    assert found.content == "<p>Vorher Link nachher</p>"
    assert found.type == "webmention"


def test_extract_without_link():
    with pytest.raises(NoLinkError):
        extract(page(f"<p>{TARGET} nur als Text</p>"), exact_target(TARGET))


def test_append_entries_to_empty_flow_list(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("# leer\n[]\n", encoding="utf-8")
    entry = {
        "id": "webmention-1",
        "type": "webmention",
        "status": "approved",
        "url": "https://a.example/",
        "content": 'Ä: "x"\n- y',
    }
    assert append_entries(path, [entry]) == ["webmention-1"]
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == [entry]
    assert path.read_text(encoding="utf-8").startswith("# leer\n")
    assert append_entries(path, [entry]) == []
    path.write_text("- id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ExportError, match="a.yaml: not valid YAML"):
        append_entries(path, [entry])


def test_config_from_env():
    config = config_from_env({"RESONANZ_SITE_URL": SITE, "RESONANZ_RECEIVER_RATE_LIMIT": "5"})
    assert (config.rate_limit, config.allow_private, config.port) == (5, False, 8085)
    with pytest.raises(ConfigError, match="RESONANZ_RECEIVER_ALLOW_PRIVATE = 'vielleicht'"):
        config_from_env(
            {"RESONANZ_SITE_URL": SITE, "RESONANZ_RECEIVER_ALLOW_PRIVATE": "vielleicht"}
        )
    with pytest.raises(ConfigError, match="RESONANZ_SITE_URL"):
        config_from_env({"RESONANZ_SITE_URL": "resonanz.example"})
