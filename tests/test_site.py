"""Whole-site tests of the bundled demo: structure, language, feeds, SEO metadata."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import feedparser
import pytest
from conftest import TEST_SITEURL, build_site
from lxml import etree, html

GERMAN_MONTHS = (
    "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split()
)


def html_pages(output: Path) -> list[Path]:
    # embed player pages are meant for iframes and have their own minimal layout; the CMS
    # at admin/ is an app shell for editors (tests/test_cms_config.py checks it)
    return sorted(
        p for p in output.rglob("*.html")
        if "/embed/" not in str(p) and p.relative_to(output).parts[0] != "admin"
    )


def parse(path: Path):
    return html.fromstring(path.read_bytes())


def jsonld_blocks(doc) -> list:
    blocks = []
    for script in doc.xpath('//script[@type="application/ld+json"]'):
        data = json.loads(script.text)
        blocks.extend(data if isinstance(data, list) else [data])
    return blocks


def test_demo_builds_without_content_problems(demo_site):
    # the same condition as a strict build: not a single warning about the demo content
    assert demo_site.problems == []
    assert (demo_site.output / "index.html").is_file()


def test_every_page_has_one_h1_lang_canonical_and_feed_links(demo_site):
    pages = html_pages(demo_site.output)
    assert len(pages) > 30
    for page in pages:
        doc = parse(page)
        name = page.relative_to(demo_site.output)
        assert len(doc.xpath("//h1")) == 1, f"{name}: expected exactly one h1"
        assert doc.get("lang") in ("de", "en"), f"{name}: html lang missing"
        canonical = doc.xpath('//link[@rel="canonical"]/@href')
        assert len(canonical) == 1 and canonical[0].startswith(TEST_SITEURL + "/"), name
        types = doc.xpath('//link[@rel="alternate"]/@type')
        assert "application/atom+xml" in types and "application/rss+xml" in types, name
        assert doc.xpath('//a[@class="skip-link"][@href="#inhalt"]'), name
        assert doc.xpath('//main[@id="inhalt"]') and doc.xpath("//header") and doc.xpath(
            "//footer"
        ), f"{name}: landmarks missing"
        for block in jsonld_blocks(doc):
            assert block["@context"] == "https://schema.org" and block["@type"], name


def test_images_have_alt_text_and_no_third_party_resources(demo_site):
    for page in html_pages(demo_site.output):
        doc = parse(page)
        name = page.relative_to(demo_site.output)
        for img in doc.xpath("//img"):
            assert img.get("alt") is not None, f"{name}: <img src={img.get('src')}> has no alt"
        for url in doc.xpath("//link[@rel='stylesheet']/@href | //script/@src | //img/@src"):
            assert not urlparse(url).netloc, f"{name}: loads {url} from another host"
        for script in doc.xpath("//script[not(@src)]"):
            assert script.get("type") == "application/ld+json", f"{name}: inline script"
        assert not doc.xpath("//*[@onclick or @onload or @onerror]"), f"{name}: inline handler"


def test_article_page_has_blogposting_breadcrumbs_and_german_date(demo_site):
    page = next(demo_site.output.glob("2008/03/*/index.html"))
    doc = parse(page)
    blocks = {b["@type"]: b for b in jsonld_blocks(doc)}
    posting = blocks["BlogPosting"]
    assert posting["datePublished"].startswith("2008-03-26T12:39")
    assert posting["headline"] == doc.xpath("string(//h1)").strip()
    assert posting["author"] and posting["publisher"]["@type"] == "Organization"
    trail = blocks["BreadcrumbList"]["itemListElement"]
    assert [item["position"] for item in trail] == [1, 2, 3]
    assert trail[-1]["item"].endswith(page.parent.name + "/")
    published = doc.xpath('string(//time[contains(@class, "dt-published")])')
    assert published == "26. März 2008 um 12:39 Uhr"
    assert doc.xpath('//meta[@property="og:type"]/@content') == ["article"]


def test_german_month_names_in_listings(demo_site):
    text = parse(demo_site.output / "archiv" / "index.html").text_content()
    assert sum(month in text for month in GERMAN_MONTHS) >= 4
    assert "March" not in text and "May" not in text


def test_period_archives_use_babel_month_names(demo_site):
    doc = parse(demo_site.output / "2008" / "03" / "index.html")
    assert doc.xpath("string(//h1)").strip() == "Beiträge aus März 2008"
    assert (demo_site.output / "2008" / "index.html").is_file()


def test_english_translation_has_english_ui_and_hreflang(demo_site):
    english = list(demo_site.output.glob("en/*/*/willkommen-bei-resonanz/index.html"))
    assert len(english) == 1
    doc = parse(english[0])
    assert doc.get("lang") == "en"
    assert "Published on" in doc.text_content()
    assert "Skip to content" in doc.text_content()
    hreflangs = set(doc.xpath('//link[@rel="alternate"]/@hreflang'))
    assert hreflangs == {"de", "en"}
    german = next(demo_site.output.glob("20*/*/willkommen-bei-resonanz/index.html"))
    gdoc = parse(german)
    assert gdoc.get("lang") == "de"
    assert "Veröffentlicht am" in gdoc.text_content()
    assert gdoc.xpath('//a[@hreflang="en"]')


def reader_feeds(output: Path) -> list[Path]:
    return sorted(p for p in (output / "feeds").rglob("*.xml") if "podcast" not in p.name)


def test_reader_feeds_parse_without_bozo(demo_site):
    feeds = reader_feeds(demo_site.output)
    names = {str(p.relative_to(demo_site.output / "feeds")) for p in feeds}
    assert {"alle.atom.xml", "alle.rss.xml"} <= names
    for kind in ("kategorie", "schlagwort", "autor"):
        assert any(n.startswith(kind + "/") and n.endswith(".atom.xml") for n in names), kind
        assert any(n.startswith(kind + "/") and n.endswith(".rss.xml") for n in names), kind
    for feed_path in feeds:
        parsed = feedparser.parse(feed_path.read_bytes())
        assert not parsed.bozo, f"{feed_path.name}: {parsed.get('bozo_exception')}"
        assert parsed.entries, feed_path.name
        for entry in parsed.entries:
            assert entry.link.startswith(TEST_SITEURL + "/"), entry.link


def test_category_tag_author_pages_link_their_feeds(demo_site):
    for kind, feed_dir in (("kategorie", "kategorie"), ("schlagwort", "schlagwort"),
                           ("autor", "autor")):
        page = next(p for p in (demo_site.output / kind).glob("*/index.html"))
        doc = parse(page)
        slug = page.parent.name
        hrefs = doc.xpath('//link[@rel="alternate"]/@href')
        assert any(h.endswith(f"feeds/{feed_dir}/{slug}.atom.xml") for h in hrefs), page
        assert any(h.endswith(f"feeds/{feed_dir}/{slug}.rss.xml") for h in hrefs), page


def test_pagination_uses_page_folders(demo_site):
    second = demo_site.output / "page" / "2" / "index.html"
    assert second.is_file()
    doc = parse(second)
    assert doc.xpath('//a[@rel="prev"]') and len(doc.xpath("//h1")) == 1


def test_sitemap_and_robots(demo_site):
    tree = etree.parse(str(demo_site.output / "sitemap.xml"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = tree.xpath("//s:url/s:loc/text()", namespaces=ns)
    assert any("/2008/03/" in loc for loc in locs)
    assert all(loc.startswith(TEST_SITEURL) for loc in locs)
    robots = (demo_site.output / "robots.txt").read_text()
    assert f"Sitemap: {TEST_SITEURL}/sitemap.xml" in robots


@pytest.mark.parametrize("slug", ["impressum", "datenschutz", "ueber-uns"])
def test_legal_pages_exist(demo_site, slug):
    doc = parse(demo_site.output / slug / "index.html")
    assert doc.xpath("string(//h1)").strip()
    footer_links = doc.xpath("//footer//a/@href")
    assert any("impressum" in h for h in footer_links)
    assert any("datenschutz" in h for h in footer_links)


def test_404_page(demo_site):
    doc = parse(demo_site.output / "404.html")
    assert doc.xpath("string(//h1)") == "Seite nicht gefunden"
    assert doc.xpath('//meta[@name="robots"]/@content') == ["noindex"]


def test_demo_content_size(demo_site):
    articles = [p for p in demo_site.output.glob("20*/*/*/index.html")]
    assert len(articles) >= 10
    categories = list((demo_site.output / "kategorie").glob("*/index.html"))
    assert len(categories) >= 4
    authors = list((demo_site.output / "autor").glob("*/index.html"))
    assert len(authors) >= 3


def test_a_post_without_category_is_in_allgemein_not_in_its_folder(tiny_content, tmp_path):
    (tiny_content / "posts" / "ohne.md").write_text(
        "Title: Ohne Kategorie\nDate: 2026-01-05\nSlug: ohne\n\nText.\n", encoding="utf-8")
    result = build_site(tiny_content, tmp_path / "out")
    assert result.error is None
    assert (tmp_path / "out" / "kategorie" / "allgemein" / "index.html").is_file()
    assert not (tmp_path / "out" / "kategorie" / "posts").exists()
