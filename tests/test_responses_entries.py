"""Responses on pages, episodes and case studies: archive, threads, counts, mf2, feeds."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import lxml.html
import mf2py
import pytest
from conftest import build_site
from resonanz_responses.plugin import _read_archive
from resonanz_responses.settings import check_options, options_from
from test_responses_site import _h_cites, with_responses

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOT = Path(__file__).resolve().parent.parent

POST = """---
title: Zuhören als Beitrag
date: 2026-03-01 10:00
category: Kundendialog
slug: zuhoeren
summary: Der Beitrag.
---

Text.
"""
PAGE = """---
title: {title}
slug: {slug}
{extra}---

Seitentext.
"""
EPISODE = """Title: Zuhören als Folge
Date: 2026-02-26 10:00
Summary: Die Folge.

Shownotes.
"""


def comment(ident: str, author: str, day: int, reply_to: str = "") -> str:
    line = (
        f"- {{id: {ident}, type: comment, status: approved, author: {author}, "
        f"content: 'Hallo von {author}', published: '2026-03-{day:02d}T10:00:00+01:00'"
    )
    return line + (f", in_reply_to: {reply_to}}}\n" if reply_to else "}\n")


PINGBACK = (
    "- {id: pb1, type: pingback, status: approved, author: Anderes Blog, "
    "title: Verlinkt, url: 'https://anderes.example/x', published: '2026-03-09T10:00:00+01:00'}\n"
)


def make_content(content: Path) -> Path:
    """A post, a page with the same slug, legal and closed pages, an episode, a case study."""
    for folder in ("posts", "pages", "episodes", "case-studies", "responses/pages",
                   "responses/episodes"):
        (content / folder).mkdir(parents=True)
    (content / "posts" / "2026-03-01-zuhoeren.md").write_text(POST, encoding="utf-8")
    (content / "pages" / "zuhoeren.md").write_text(
        PAGE.format(title="Zuhören als Seite", slug="zuhoeren", extra=""), encoding="utf-8")
    (content / "pages" / "impressum.md").write_text(
        PAGE.format(title="Impressum", slug="impressum", extra=""), encoding="utf-8")
    (content / "pages" / "alt.md").write_text(
        PAGE.format(title="Alte Seite", slug="alt", extra="comments: closed\n"),
        encoding="utf-8")
    (content / "episodes" / "001-zuhoeren.md").write_text(EPISODE, encoding="utf-8")
    shutil.copy(FIXTURES / "audio" / "cbr.mp3", content / "episodes" / "001-zuhoeren.mp3")
    shutil.copy(ROOT / "content/case-studies/2025-06-03-velo-verde-reparaturcafe.md",
                content / "case-studies")
    responses = content / "responses"
    (responses / "zuhoeren.yaml").write_text(comment("post-1", "Paula", 2), encoding="utf-8")
    (responses / "pages" / "zuhoeren.yaml").write_text(
        comment("page-1", "Sina", 3) + comment("page-2", "Tom", 4, "page-1")
        + comment("page-3", "Uwe", 5, "page-2") + PINGBACK, encoding="utf-8")
    (responses / "pages" / "alt.yaml").write_text(comment("alt-1", "Vera", 6),
                                                 encoding="utf-8")
    (responses / "episodes" / "001-zuhoeren.yaml").write_text(
        comment("ep-1", "Edda", 7) + comment("ep-2", "Finn", 8, "ep-1"), encoding="utf-8")
    (responses / "velo-verde-reparaturcafe.yaml").write_text(
        comment("cs-1", "Gina", 9), encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    content = make_content(tmp_path_factory.mktemp("entries") / "content")
    result = build_site(content, content.parent / "output",
                        **with_responses(SUMMARY_MAX_LENGTH=None))
    assert result.error is None, result.error
    return result


def doc(site, path: str):
    return lxml.html.fromstring((site.output / path).read_bytes())


def authors(tree) -> list[str]:
    return [re.sub(r"\s+", " ", a.text_content()).strip()
            for a in tree.xpath("//section[@id='antworten']//*[contains(@class,'p-author')]")]


def test_no_problems(site):
    assert [p for p in site.problems if "responses" in p] == []


def test_page_and_post_with_one_slug_keep_their_own_responses(site):
    post = doc(site, "2026/03/zuhoeren/index.html")
    page = doc(site, "zuhoeren/index.html")
    assert authors(post) == ["Paula"]
    assert authors(page) == ["Sina", "Tom", "Uwe", "Anderes Blog"]
    # threaded: Uwe answers Tom, who answers Sina
    assert page.xpath("//li[@id='antwort-page-1']//li[@id='antwort-page-2']"
                      "//li[@id='antwort-page-3']")
    assert page.xpath("//section[@id='antworten']/h2")[0].text_content().split() == [
        "Kommentare", "(3)"]
    assert page.xpath("//li[contains(@class,'responses-linkback--pingback')]//a/text()")[0] \
        == "Verlinkt"
    # open by default: the TrackBack URL names the page's own file
    assert page.xpath("//code[@class='responses-trackback__url']/text()") == [
        "https://empfang.resonanz.example/trackback/pages/zuhoeren"]


def test_legal_and_closed_pages(site):
    impressum = doc(site, "impressum/index.html")
    assert impressum.xpath("//section[@id='antworten']") == []
    closed = doc(site, "alt/index.html")
    assert authors(closed) == ["Vera"]
    assert closed.xpath("//p[@class='responses-closed']")
    assert closed.xpath("//*[contains(@class,'responses-widget')]") == []


def test_episode_and_case_study_show_responses(site):
    episode = doc(site, "episoden/001-zuhoeren/index.html")
    assert authors(episode) == ["Edda", "Finn"]
    assert episode.xpath("//li[@id='antwort-ep-1']//li[@id='antwort-ep-2']")
    case = doc(site, "fallstudien/velo-verde-reparaturcafe/index.html")
    assert authors(case) == ["Gina"]
    # inside the h-entry, like on posts
    assert case.xpath("//article[contains(@class,'h-entry')]//section[@id='antworten']")


@pytest.mark.parametrize("path, names", [
    ("zuhoeren/index.html", ["Sina", "Anderes Blog"]),
    ("episoden/001-zuhoeren/index.html", ["Edda"]),
    ("fallstudien/velo-verde-reparaturcafe/index.html", ["Gina"]),
])
def test_microformats(site, path, names):
    parsed = mf2py.parse(doc=(site.output / path).read_text(encoding="utf-8"),
                         url="https://resonanz.example/" + path)
    entries = [i for i in parsed["items"] if "h-entry" in i["type"]]
    assert len(entries) == 1
    top = [c["properties"]["author"][0]["properties"]["name"][0]
           for c in entries[0]["properties"].get("comment", [])]
    assert top == names
    assert len(_h_cites(parsed["items"])) >= len(names)


def test_counts_in_lists(site):
    episodes = doc(site, "episoden/index.html")
    counts = episodes.xpath("//*[@class='teaser__responses-comments']/@data-count")
    assert counts == ["2"]
    cases = doc(site, "fallstudien/index.html")
    assert cases.xpath("//*[@class='teaser__responses-comments']/@data-count") == ["1"]


def test_comment_feeds(site):
    page_feed = feedparser.parse(
        (site.output / "feeds/kommentare/pages/zuhoeren.atom.xml").read_bytes())
    assert not page_feed.bozo
    assert [e.author for e in page_feed.entries] == ["Anderes Blog", "Uwe", "Tom", "Sina"]
    assert page_feed.entries[0].link.endswith("/zuhoeren/#antwort-pb1")
    episode_feed = feedparser.parse(
        (site.output / "feeds/kommentare/episodes/001-zuhoeren.atom.xml").read_bytes())
    assert [e.author for e in episode_feed.entries] == ["Finn", "Edda"]
    post_feed = feedparser.parse((site.output / "feeds/kommentare/zuhoeren.atom.xml").read_bytes())
    assert [e.author for e in post_feed.entries] == ["Paula"]
    site_feed = feedparser.parse((site.output / "feeds/kommentare.atom.xml").read_bytes())
    assert {e.author for e in site_feed.entries} == {
        "Paula", "Sina", "Tom", "Uwe", "Anderes Blog", "Vera", "Edda", "Finn", "Gina"}
    head = doc(site, "zuhoeren/index.html").xpath(
        "//head/link[@type='application/atom+xml']/@href")
    assert any(h.endswith("feeds/kommentare/pages/zuhoeren.atom.xml") for h in head)


def test_file_of_no_page_is_reported(tmp_path, tiny_content):
    (tiny_content / "pages" / "ueber.md").write_text(
        PAGE.format(title="Über", slug="ueber", extra=""), encoding="utf-8")
    (tiny_content / "responses" / "pages").mkdir()
    (tiny_content / "responses" / "pages" / "vertippt.yaml").write_text("[]\n", encoding="utf-8")
    (tiny_content / "responses" / "ueber.yaml").write_text("[]\n", encoding="utf-8")
    result = build_site(tiny_content, tmp_path / "output", **with_responses())
    assert result.error is None
    joined = "\n".join(result.problems)
    assert "responses: responses/pages/vertippt.yaml: slug = 'vertippt': the slug of a page" \
        in joined
    # a page's responses in the posts' folder: reported, not shown on the page
    assert ("responses: responses/ueber.yaml: slug = 'ueber': the slug of a post or case study"
            " (file name = its slug); a page has this slug: move the file to "
            "responses/pages/ueber.yaml") in joined


def test_responses_files_linked_from_outside_content_are_never_read(tmp_path):
    """The archive reads a responses file only where it really is inside content/: a
    link to a file outside, or a folder of responses that is a link to one outside, is
    left out; a link to a file or a folder inside content/ is read."""

    def comment(author: str) -> str:
        return (f"- id: k1\n  type: comment\n  status: approved\n  author: {author}\n"
                "  published: 2026-01-01T10:00:00+01:00\n  content: Hallo.\n")

    content, outside = tmp_path / "content", tmp_path / "outside"
    (content / "responses").mkdir(parents=True)
    (content / "seiten").mkdir()
    (outside / "episodes").mkdir(parents=True)
    (outside / "geheim.yaml").write_text(comment("Draussen"), encoding="utf-8")
    (outside / "episodes" / "folge.yaml").write_text(comment("Ordner"), encoding="utf-8")
    (content / "responses" / "gut.yaml").write_text(comment("Drinnen"), encoding="utf-8")
    (content / "kopie.yaml").write_text(comment("Verlinkt"), encoding="utf-8")
    (content / "seiten" / "impressum.yaml").write_text(comment("Seite"), encoding="utf-8")
    os.symlink(outside / "geheim.yaml", content / "responses" / "raus.yaml")
    os.symlink(content / "kopie.yaml", content / "responses" / "drin.yaml")
    os.symlink(outside / "episodes", content / "responses" / "episodes")
    os.symlink(content / "seiten", content / "responses" / "pages")
    archive, _messages = _read_archive(content, check_options(options_from({})),
                                       ZoneInfo("UTC"))
    authors = {key: [r.author for r in shown] for key, shown in archive.items()}
    assert authors == {"gut": ["Drinnen"], "drin": ["Verlinkt"],
                       "pages/impressum": ["Seite"]}
