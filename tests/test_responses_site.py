"""Whole-site builds with the responses plugin: the demo archive, safety, feeds, endpoints."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import lxml.etree
import lxml.html
import mf2py
import pytest
from conftest import CONTENT, build_site, tree_digest
from pelican.settings import read_settings

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "2025/03/kundendialog-zuhoeren-statt-senden/index.html"
CLOSED = "2025/05/beschwerden-als-chance/index.html"
OLD = "2008/03/kundenbindung-2008/index.html"
RESPONSES_SETTINGS = {
    "RESPONSES_PROVIDER": "isso",
    "RESPONSES_PROVIDER_URL": "http://127.0.0.1:9/isso",
    "RESPONSES_TRACKBACK_URL": "https://empfang.resonanz.example/trackback/{slug}",
    "RESPONSES_WEBMENTION_ENDPOINT": "https://webmention.io/resonanz.example/webmention",
    "RESPONSES_PINGBACK_ENDPOINT": "https://webmention.io/resonanz.example/xmlrpc",
}


def with_responses(**overrides) -> dict:
    """Settings overrides that make sure the plugin is on, whatever pelicanconf says."""
    plugins = list(read_settings(str(ROOT / "pelicanconf.py"))["PLUGINS"])
    for name in ("responses",):
        if name not in plugins:
            plugins.append(name)
    return {"PLUGINS": plugins, **RESPONSES_SETTINGS, **overrides}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    before = tree_digest(CONTENT)
    result = build_site(
        CONTENT, tmp_path_factory.mktemp("responses") / "output", **with_responses()
    )
    assert result.error is None, result.error
    assert tree_digest(CONTENT) == before, "the build changed files under content/"
    return result


def page(site, path: str):
    return lxml.html.fromstring((site.output / path).read_bytes())


def text(element) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


def test_demo_responses_are_valid(site):
    assert [p for p in site.problems if "responses" in p] == []


def test_comment_thread_is_nested_with_german_dates(site):
    doc = page(site, ARTICLE)
    section = doc.get_element_by_id("antworten")
    assert text(section.xpath(".//h2")[0]) == "Kommentare (5)"
    # c-3 answers c-2, which answers c-1: three levels of <li>
    chain = section.xpath(
        ".//li[@id='antwort-c-2025-03-17-1']//li[@id='antwort-c-2025-03-17-2']"
        "//li[@id='antwort-c-2025-03-17-3']"
    )
    assert len(chain) == 1
    top_level = section.xpath("./ol[@class='responses-thread']/li/@id")
    assert top_level == ["antwort-c-2025-03-17-1", "antwort-c-2025-03-18-1"]
    first = doc.get_element_by_id("antwort-c-2025-03-17-1")
    time = first.xpath(".//time")[0]
    assert text(time) == "17. März 2025 um 10:12 Uhr"
    assert time.get("datetime") == "2025-03-17T10:12:00+01:00"
    author = first.xpath(".//*[contains(@class,'p-author')]//a")[0]
    assert (text(author), author.get("href")) == ("Petra Lindner", "https://petra-lindner.example/")
    assert author.get("rel") == "nofollow ugc noopener"
    # only approved entries
    html = (site.output / ARTICLE).read_text(encoding="utf-8")
    assert "Wartet noch auf Freigabe" not in html
    assert "follower-kaufen" not in html


def test_linkbacks_section(site):
    doc = page(site, ARTICLE)
    heading = doc.xpath(
        "//h3[starts-with(normalize-space(), 'Diese Weblogs beziehen sich auf diesen Eintrag')]"
    )
    assert len(heading) == 1 and text(heading[0]).endswith("(3)")
    items = doc.xpath("//li[contains(@class,'responses-linkback ')]")
    assert [i.get("id") for i in items] == [
        "antwort-tb-2025-03-20-1",
        "antwort-pb-2025-03-22-1",
        "antwort-wm-2025-03-24-1",
    ]
    trackback = items[0]
    assert text(trackback.xpath(".//*[contains(@class,'p-name')]")[0]) == (
        "Wer spricht hier eigentlich?"
    )
    assert text(trackback.xpath(".//*[@class='responses-linkback__site']")[0]) == (
        "markenwerkstatt.example"
    )
    assert "Wer im Unternehmen hört eigentlich zu" in text(trackback.xpath(".//blockquote")[0])
    more = trackback.xpath(".//a[normalize-space()='weiterlesen']")
    assert more[0].get("href").startswith("https://markenwerkstatt.example/")
    # pingback excerpt is plain text: the link markup of the source is gone
    assert items[1].xpath(".//blockquote/*") == []


def test_linkback_lines_name_a_host_once(site):
    # a pingback whose sender is only known by its host said "cm-welt.example ·
    # cm-welt.example · Pingback"
    lines = []
    for path in site.output.rglob("index.html"):
        doc = lxml.html.parse(str(path)).getroot()
        lines += [text(meta) for meta in doc.xpath("//p[@class='responses-linkback__meta']")]
    assert len(lines) >= 3
    for line in lines:
        parts = [part.strip() for part in line.split("·")]
        assert len(parts) == len(set(parts)), line


def test_likes_and_reposts_counted(site):
    doc = page(site, ARTICLE)
    likes = doc.xpath("//p[contains(@class,'row--like')]")[0]
    reposts = doc.xpath("//p[contains(@class,'row--repost')]")[0]
    assert likes.xpath(".//*[@class='responses-reactions__count']/text()") == ["3"]
    assert reposts.xpath(".//*[@class='responses-reactions__count']/text()") == ["2"]
    assert len(likes.xpath(".//*[contains(@class,'u-like')]/a[@href]")) == 3


def test_closed_article_keeps_its_archive(site):
    doc = page(site, CLOSED)
    notice = doc.xpath("//p[@class='responses-closed']")
    assert [text(n) for n in notice] == ["Kommentare sind für diesen Eintrag geschlossen."]
    assert len(doc.xpath("//li[contains(@class,'responses-comment')]")) == 4
    assert len(doc.xpath("//li[contains(@class,'responses-linkback')]")) == 1
    assert doc.xpath("//*[contains(@class,'responses-widget')]") == []
    assert doc.xpath("//*[@class='responses-trackback']") == []
    open_doc = page(site, ARTICLE)
    assert open_doc.xpath("//p[@class='responses-closed']") == []
    assert open_doc.xpath("//code[@class='responses-trackback__url']/text()") == [
        "https://empfang.resonanz.example/trackback/kundendialog-zuhoeren-statt-senden"
    ]


def test_old_archive_dates(site):
    doc = page(site, OLD)
    times = [text(t) for t in doc.xpath("//li[contains(@class,'responses-comment')]//time")]
    assert "26. März 2008 um 14:02 Uhr" in times
    assert len(doc.xpath("//li[contains(@class,'responses-linkback')]")) == 2


def test_english_translation_has_english_ui(site):
    doc = page(site, "en/2025/02/willkommen-bei-resonanz/index.html")
    assert text(doc.xpath("//section[@id='antworten']/h2")[0]) == "Comments (4)"
    assert "February 3, 2025 at 11:42" in [text(t) for t in doc.xpath("//section//time")]


def _h_cites(items: list[dict]) -> list[dict]:
    found = []
    for item in items:
        if "h-cite" in item.get("type", []):
            found.append(item)
        for values in item.get("properties", {}).values():
            found += _h_cites([v for v in values if isinstance(v, dict) and "type" in v])
        found += _h_cites(item.get("children", []))
    return found


def test_microformats(site):
    parsed = mf2py.parse(
        doc=(site.output / ARTICLE).read_text(encoding="utf-8"),
        url="https://resonanz.example/" + ARTICLE,
    )
    cites = _h_cites(parsed["items"])
    # 5 comments + 3 linkbacks + 3 likes + 2 reposts
    assert len(cites) == 13
    petra = [
        c for c in cites if c["properties"]["author"][0]["properties"]["name"] == ["Petra Lindner"]
    ]
    assert petra[0]["properties"]["published"][0].startswith("2025-03-17T10:12:00+01")
    assert "Umdrehen der Reihenfolge" in petra[0]["properties"]["content"][0]["value"]
    # the nested reply is a comment property of its parent h-cite
    replies = petra[0]["properties"]["comment"]
    assert replies[0]["properties"]["author"][0]["properties"]["name"] == ["Jonas Weber"]
    likes = [
        c for c in cites if c["properties"].get("url") == ["https://social.example/@hanna/114180"]
    ]
    assert len(likes) == 1


def test_head_endpoints_and_feed_links(site):
    for path in ("index.html", ARTICLE):
        doc = page(site, path)
        assert doc.xpath("//head/link[@rel='webmention']/@href") == [
            "https://webmention.io/resonanz.example/webmention"
        ]
        assert doc.xpath("//head/link[@rel='pingback']/@href") == [
            "https://webmention.io/resonanz.example/xmlrpc"
        ]
    feeds = page(site, ARTICLE).xpath("//head/link[@type='application/atom+xml']/@href")
    assert any(f.endswith("feeds/kommentare.atom.xml") for f in feeds)
    assert any(
        f.endswith("feeds/kommentare/kundendialog-zuhoeren-statt-senden.atom.xml") for f in feeds
    )


def test_listing_counts(site):
    doc = page(site, "index.html")
    teaser = doc.xpath(
        "//article[.//a[contains(@href,'crm-trend-chatbots/')]]//p[@class='teaser__responses']"
    )[0]
    assert teaser.xpath(".//*[@class='teaser__responses-comments']/@data-count") == ["2"]
    assert teaser.xpath(".//*[@class='teaser__responses-linkbacks']/@data-count") == ["1"]
    assert teaser.xpath(".//*[@class='teaser__responses-reposts']/@data-count") == ["1"]
    assert text(teaser).startswith("2 Kommentare · 1 Erwähnung")


def test_comment_feeds(site):
    article_feed = feedparser.parse(
        (site.output / "feeds/kommentare/kundendialog-zuhoeren-statt-senden.atom.xml").read_bytes()
    )
    assert not article_feed.bozo
    assert len(article_feed.entries) == 8  # 5 comments + 3 linkbacks, no likes or reposts
    assert article_feed.entries[0].id.endswith("#antwort-wm-2025-03-24-1")
    assert article_feed.entries[0].link == article_feed.entries[0].id
    # no empty feed (and no link to one) for an article nobody has answered yet
    assert not (site.output / "feeds/kommentare/markenstimme-finden.atom.xml").exists()
    site_feed = feedparser.parse((site.output / "feeds/kommentare.atom.xml").read_bytes())
    assert not site_feed.bozo
    dates = [e.published_parsed for e in site_feed.entries]
    assert dates == sorted(dates, reverse=True)
    assert len(site_feed.entries) >= 20


def test_same_content_same_bytes(site, tmp_path):
    again = build_site(CONTENT, tmp_path / "output", **with_responses())
    for path in (
        ARTICLE,
        CLOSED,
        "feeds/kommentare.atom.xml",
        "feeds/kommentare/kundendialog-zuhoeren-statt-senden.atom.xml",
    ):
        assert (again.output / path).read_bytes() == (site.output / path).read_bytes(), path


POST = """---
title: Testbeitrag
date: 2026-03-01 10:00
category: Kundendialog
author: Lena Hoffmann
slug: testbeitrag
summary: Ein Beitrag für Tests.
comments: {comments}
---

Text mit einem [Link](https://extern.example/).
"""

MALICIOUS = """
- id: x1
  type: comment
  status: approved
  author: "<script>alert('name')</script>Mallory"
  author_url: "javascript:alert('url')"
  title: '"><img src=x onerror=alert(1)>'
  content: |
    <p onclick="alert(1)">Hallo<script>alert('body')</script>
    <img src="https://tracker.example/pixel.gif" onerror="alert(2)">
    <a href="javascript:alert(3)">klick</a> <a href="data:text/html,<script>x</script>">d</a>
    <b><i>ungeschlossen <div><table><tr><td>
  published: 2026-03-02T10:00:00+01:00
- id: x2
  type: trackback
  status: approved
  url: 'https://evil.example/"onmouseover="alert(4)'
  published: 2026-03-02T10:00:00+01:00
- id: x3
  type: webmention
  status: approved
  author: Eve
  url: https://eve.example/post
  title: "</title><script>alert(5)</script>"
  content: "<style>body{display:none}</style><iframe src=https://evil.example></iframe>ok"
  published: 2026-03-02T11:00:00+01:00
- id: x4
  type: comment
  status: approved
  author: Riese
  content: BIG
  published: 2026-03-02T12:00:00+01:00
  in_reply_to: x1
"""


def test_malicious_input_is_neutralised(tiny_content, tmp_path):
    (tiny_content / "posts" / "2026-03-01-testbeitrag.md").write_text(
        POST.format(comments="open"), encoding="utf-8"
    )
    big = "<p>" + ("A<b>" * 250_000) + "<script>alert('spät')</script>"
    assert len(big) > 1_000_000
    (tiny_content / "responses" / "testbeitrag.yaml").write_text(
        MALICIOUS.replace("content: BIG", "content: " + repr(big)), encoding="utf-8"
    )
    result = build_site(tiny_content, tmp_path / "output", **with_responses())
    assert result.error is None, result.error
    html_path = result.output / "2026/03/testbeitrag/index.html"
    raw = html_path.read_text(encoding="utf-8")
    assert len(raw) < 100_000  # the 1 MB body was cut
    responses_raw = raw[raw.index('<section class="responses"') :]
    # Escaped text may contain these words; live markup would contain them unescaped.
    for needle in (
        "<script>alert",
        "<img",
        "<iframe",
        "<style",
        "<table",
        "tracker.example",
        'href="javascript:',
        'href="data:',
        "alert('spät')",
    ):
        assert needle not in responses_raw, needle
    section = lxml.html.fromstring(raw).get_element_by_id("antworten")
    assert section.xpath(".//script[not(@src)]") == []
    assert section.xpath(".//img|.//iframe|.//style|.//table") == []
    assert section.xpath(".//@*[starts-with(name(), 'on')]") == []
    hrefs = section.xpath(".//@href")
    assert hrefs and all(not h.lower().startswith(("javascript:", "data:")) for h in hrefs)
    # the names are shown as text, escaped
    names = [text(n) for n in section.xpath(".//*[contains(@class,'p-author')]")]
    assert "<script>alert('name')</script>Mallory" in names
    assert section.xpath(".//li[@id='antwort-x1']//li[@id='antwort-x4']")
    # problems name file, entry and field; the rest of the site built
    joined = "\n".join(result.problems)
    assert (
        "responses: responses/testbeitrag.yaml: entry #1 (id 'x1'): author_url = "
        "\"javascript:alert('url')\""
    ) in joined
    assert "entry #2 (id 'x2'): url = " in joined
    feed = lxml.etree.parse(str(result.output / "feeds/kommentare/testbeitrag.atom.xml"))
    for content in feed.iterfind(".//{http://www.w3.org/2005/Atom}content"):
        fragment = lxml.html.fragment_fromstring(content.text, create_parent="div")
        assert fragment.xpath(".//script|.//img|.//iframe|.//@*[starts-with(name(),'on')]") == []


@pytest.mark.parametrize("comments, shown", [("closed", True), ("hidden", False)])
def test_comment_states(tiny_content, tmp_path, comments, shown):
    (tiny_content / "posts" / "2026-03-01-testbeitrag.md").write_text(
        POST.format(comments=comments), encoding="utf-8"
    )
    (tiny_content / "responses" / "testbeitrag.yaml").write_text(
        "- {id: a, type: comment, status: approved, author: Anna, content: Hallo,"
        " published: '2026-03-02T10:00:00+01:00'}\n",
        encoding="utf-8",
    )
    result = build_site(tiny_content, tmp_path / "output", **with_responses())
    doc = page(result, "2026/03/testbeitrag/index.html")
    assert bool(doc.xpath("//section[@id='antworten']")) is shown
    assert bool(doc.xpath("//p[@class='responses-closed']")) is shown
    assert doc.xpath("//*[contains(@class,'responses-widget')]") == []


def test_close_after_days(tiny_content, tmp_path, monkeypatch):
    (tiny_content / "posts" / "2026-03-01-testbeitrag.md").write_text(
        POST.format(comments="open"), encoding="utf-8"
    )
    # 2026-03-20: 19 days after the article
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1773964800")
    closed = build_site(
        tiny_content, tmp_path / "a", **with_responses(RESPONSES_CLOSE_AFTER_DAYS=14)
    )
    still_open = build_site(
        tiny_content, tmp_path / "b", **with_responses(RESPONSES_CLOSE_AFTER_DAYS=30)
    )
    assert page(closed, "2026/03/testbeitrag/index.html").xpath("//p[@class='responses-closed']")
    doc = page(still_open, "2026/03/testbeitrag/index.html")
    assert not doc.xpath("//p[@class='responses-closed']")
    assert doc.xpath("//*[@data-comments-provider='isso']")


def test_orphan_and_unknown_slug_are_reported(tiny_content, tmp_path):
    (tiny_content / "posts" / "2026-03-01-testbeitrag.md").write_text(
        POST.format(comments="open"), encoding="utf-8"
    )
    (tiny_content / "responses" / "testbeitrag.yaml").write_text(
        "- {id: b, type: comment, status: approved, author: Ben, in_reply_to: weg,"
        " published: '2026-03-02T10:00:00+01:00'}\n",
        encoding="utf-8",
    )
    (tiny_content / "responses" / "vertippt.yaml").write_text("[]\n", encoding="utf-8")
    result = build_site(tiny_content, tmp_path / "output", **with_responses())
    assert result.error is None
    joined = "\n".join(result.problems)
    assert "responses: responses/testbeitrag.yaml: entry (id 'b'): in_reply_to = 'weg'" in joined
    assert "responses: responses/vertippt.yaml: slug = 'vertippt'" in joined
    doc = page(result, "2026/03/testbeitrag/index.html")
    assert doc.xpath("//ol[@class='responses-thread']/li/@id") == ["antwort-b"]


def test_bad_provider_setting_is_one_error(tiny_content, tmp_path):
    (tiny_content / "posts" / "2026-03-01-testbeitrag.md").write_text(
        POST.format(comments="open"), encoding="utf-8"
    )
    # a page with open comments too: still one error for the whole build
    (tiny_content / "pages" / "ueber.md").write_text(
        "Title: Über\nSlug: ueber\n\nText.\n", encoding="utf-8"
    )
    result = build_site(
        tiny_content,
        tmp_path / "output",
        **with_responses(RESPONSES_PROVIDER="remark42", RESPONSES_PROVIDER_URL="https://r.example"),
    )
    problems = [p for p in result.problems if "RESPONSES_PROVIDER_OPTIONS" in p]
    assert problems == [
        "ERROR: responses: setting RESPONSES_PROVIDER_OPTIONS['site_id'] = None: "
        "required for remark42 (no comment widget shown)"
    ]


def test_comment_feeds_are_made_again_only_when_their_comments_changed(tiny_content, tmp_path):
    """A comments feed whose comments, post title and addresses are as the last build
    made them, and whose file nobody touched, is left as it is (the note in the cache
    folder); any difference makes it again, as a cold build would."""
    post = tiny_content / "posts" / "2026-03-01-testbeitrag.md"
    post.write_text(POST.format(comments="open"), encoding="utf-8")
    responses = tiny_content / "responses" / "testbeitrag.yaml"
    first = ("- {id: a, type: comment, status: approved, author: Anna, content: Hallo,"
             " published: '2026-03-02T10:00:00+01:00'}\n")
    responses.write_text(first, encoding="utf-8")
    other = tiny_content / "posts" / "2026-02-01-anderer.md"
    other.write_text("---\ntitle: Anderer Beitrag\ndate: 2026-02-01 10:00\n---\n\nText.\n",
                     encoding="utf-8")
    output = tmp_path / "output"
    feed = output / "feeds" / "kommentare" / "testbeitrag.atom.xml"

    def build() -> None:
        result = build_site(tiny_content, output, **with_responses())
        assert result.error is None, result.error

    def cold_feed() -> bytes:
        cold = build_site(tiny_content, tmp_path / f"cold-{len(list(tmp_path.iterdir()))}",
                          **with_responses())
        return (cold.output / "feeds" / "kommentare" / "testbeitrag.atom.xml").read_bytes()

    build()
    stamp = feed.stat().st_mtime_ns
    # another post's text: this feed is not made again
    other.write_text(other.read_text(encoding="utf-8") + "\nNachtrag.\n", encoding="utf-8")
    build()
    assert feed.stat().st_mtime_ns == stamp
    assert feed.read_bytes() == cold_feed()
    # a new comment: made again, with it
    responses.write_text(first + first.replace("id: a", "id: b").replace("Anna", "Bert")
                         .replace("03-02T10", "03-03T10"), encoding="utf-8")
    build()
    assert feed.stat().st_mtime_ns != stamp
    assert [e.author for e in feedparser.parse(feed.read_bytes()).entries] == ["Bert", "Anna"]
    assert feed.read_bytes() == cold_feed()
    # the post's title is in the feed's title: made again
    post.write_text(POST.format(comments="open").replace("title: Testbeitrag",
                                                         "title: Neuer Titel"), encoding="utf-8")
    build()
    assert "Neuer Titel" in feedparser.parse(feed.read_bytes()).feed.title
    assert feed.read_bytes() == cold_feed()
    # a file somebody changed is made again even when its comments are the same
    feed.write_bytes(b"kaputt")
    other.write_text(other.read_text(encoding="utf-8") + "\nNoch einer.\n", encoding="utf-8")
    build()
    assert feed.read_bytes() == cold_feed()
