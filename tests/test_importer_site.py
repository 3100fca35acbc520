"""An imported WordPress blog built with Pelican: comments, linkbacks and redirects work."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import lxml.html
import pytest
from conftest import build_site, tree_digest
from pelican.settings import read_settings

from resonanz.importer import cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "import"
ARTICLE = "2008/03/kundenbindung-zuhoeren/index.html"


def _plugins() -> list[str]:
    plugins = list(read_settings(str(ROOT / "pelicanconf.py"))["PLUGINS"])
    return plugins if "resonanz_responses" in plugins else [*plugins, "resonanz_responses"]


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    base = tmp_path_factory.mktemp("imported")
    content = base / "content"
    for folder in ("posts", "pages", "images", "responses"):
        (content / folder).mkdir(parents=True)
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        code = cli.main(["--from", "wordpress", str(FIXTURES / "wordpress.xml"),
                         "--content", str(content), "--redirects-dir", str(base / "redirects")])
    assert code == 0
    # Stand-ins for what --download-media would fetch, so that {static} links resolve.
    for target in re.findall(r"-> (images/imported/\S+)", report.getvalue()):
        (content / target).parent.mkdir(parents=True, exist_ok=True)
        (content / target).write_bytes(b"\x89PNG stand-in")
    before = tree_digest(content)
    result = build_site(content, base / "output", PLUGINS=_plugins())
    assert result.error is None, result.error
    assert tree_digest(content) == before, "the build changed files under content/"
    return base, result


def page(result, path: str):
    return lxml.html.fromstring((result.output / path).read_bytes())


def text(element) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


def test_imported_site_builds_without_problems(imported):
    _, result = imported
    assert result.problems == []
    assert (result.output / "über-uns" / "index.html").is_file()
    assert (result.output / "2009/01/beschwerden-als-chance-2/index.html").is_file()
    assert (result.output / "entwuerfe/entwurf-community-regeln/index.html").is_file()


def test_imported_article_body(imported):
    _, result = imported
    doc = page(result, ARTICLE)
    assert text(doc.xpath("//h1")[0]) == "Kundenbindung: Zuhören, bevor man spricht"
    assert doc.xpath("//table[@class='ergebnisse']//td/text()")[:2] == ["E-Mail", "2 Tage"]
    assert doc.xpath("//figure/figcaption/text()") == ["Ein Gespräch auf Augenhöhe"]
    image = doc.xpath("//figure//img/@src")[0]
    assert image.endswith("images/imported/2008/03/gespraech-300x200.jpg")
    link = doc.xpath("//a[normalize-space()='Beitrag über Beschwerden']/@href")[0]
    assert link.rstrip("/").endswith("2008/04/beschwerden-als-chance")


def test_comments_and_linkbacks_are_visible(imported):
    _, result = imported
    doc = page(result, ARTICLE)
    html = (result.output / ARTICLE).read_text(encoding="utf-8")
    anna = doc.get_element_by_id("antwort-wp-comment-11")
    assert "Schöner Beitrag!" in text(anna)
    # Lena's answer is nested inside Anna's comment
    assert anna.xpath(".//li[@id='antwort-wp-comment-12']")
    assert doc.xpath("//li[@id='antwort-wp-comment-18']")
    # pending and spam stay in the file but never reach the page
    assert "Social Media?" not in html and "Billige Uhren" not in html
    linkbacks = doc.xpath("//li[contains(@class,'responses-linkback ')]/@id")
    assert linkbacks == ["antwort-wp-trackback-15", "antwort-wp-pingback-16"]
    assert "Zuhören lohnt sich" in text(doc.get_element_by_id("antwort-wp-trackback-15"))
    assert "Drei Links zum Wochenende" in text(doc.get_element_by_id("antwort-wp-pingback-16"))


def test_redirects_resolve_to_built_pages(imported, tmp_path):
    # the build itself (resonanz_core, RESONANZ_REDIRECTS_DIR) copied the redirect pages
    base, result = imported
    output = result.output
    copied = ["2009/01/beschwerden-als-chance/index.html", "_redirects"]
    for relative in copied:
        assert (output / relative).read_bytes() == (
            base / "redirects" / ("html/" + relative if relative != "_redirects" else relative)
        ).read_bytes()
    for relative in (c for c in copied if c != "_redirects"):
        doc = lxml.html.fromstring((output / relative).read_bytes())
        target = doc.xpath("//meta[@http-equiv='refresh']/@content")[0].split("url=", 1)[1]
        assert (output / target.strip("/") / "index.html").is_file(), (relative, target)
    for line in (output / "_redirects").read_text(encoding="utf-8").splitlines()[1:]:
        _old, new, status = line.split()
        assert status == "301" and (output / new.strip("/") / "index.html").is_file()
