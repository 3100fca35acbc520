"""Case studies: facet pages, brand pages with backlinks, facts box, JSON-LD, metadata errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import CONTENT, build_site
from lxml import html

CASE_DIR = CONTENT / "case-studies"


def parse(path: Path):
    return html.fromstring(path.read_bytes())


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---", 2)[1])


def slugs_on(page: Path, xpath: str = "//li[@class='case-card']//h3/a/@href") -> set[str]:
    return {href.rstrip("/").rsplit("/", 1)[-1] for href in parse(page).xpath(xpath)}


@pytest.fixture(scope="module")
def demo_cases() -> list[dict]:
    """The demo's case studies as written by the editors (the oracle for the facet pages)."""
    return [front_matter(path) for path in sorted(CASE_DIR.glob("*.md"))]


def test_demo_has_enough_case_studies_with_sources(demo_cases):
    assert len(demo_cases) >= 6
    assert len({case["industry"] for case in demo_cases}) >= 3
    assert all(case["sources"] for case in demo_cases)


def test_index_lists_every_case_study(demo_site, demo_cases):
    index = demo_site.output / "fallstudien" / "index.html"
    assert slugs_on(index) == {case["slug"] for case in demo_cases}


@pytest.mark.parametrize(
    "folder, field",
    [("branche", "industry"), ("jahr", "year"), ("marke", "brand")],
)
def test_facet_pages_list_exactly_the_matching_case_studies(demo_site, demo_cases, folder, field):
    pages = sorted((demo_site.output / "fallstudien" / folder).glob("*/index.html"))
    values = {str(case[field]) for case in demo_cases}
    assert len(pages) == len(values)
    for page in pages:
        heading = parse(page).xpath("string(//h1)")
        value = next(v for v in values if v in heading)
        expected = {case["slug"] for case in demo_cases if str(case[field]) == value}
        assert slugs_on(page) == expected, f"{page}: {value}"


def test_brand_page_shows_backlinks_from_other_content(demo_site):
    page = demo_site.output / "fallstudien" / "marke" / "stadtwerke-elbtal" / "index.html"
    mentions = slugs_on(page, "//li[contains(@class,'brand-mention')]/a/@href")
    # the Sonnenfeld case study names the Stadtwerke Elbtal in its text
    assert "sonnenfeld-energie-chatbot" in mentions
    assert "stadtwerke-elbtal-preiskrise" not in mentions  # its own case study is listed above
    own = slugs_on(page)
    assert own == {"stadtwerke-elbtal-preiskrise"}
    bohnen = demo_site.output / "fallstudien" / "marke" / "bohnenglueck" / "index.html"
    assert {"velo-verde-reparaturcafe", "nordlicht-reisen-erstattungen"} <= slugs_on(
        bohnen, "//li[contains(@class,'brand-mention')]/a/@href"
    )


def test_case_study_page_has_facts_sources_and_jsonld(demo_site):
    page = demo_site.output / "fallstudien" / "sonnenfeld-energie-chatbot" / "index.html"
    doc = parse(page)
    facts = doc.xpath("//aside[contains(@class,'case-facts')]")[0]
    assert facts.xpath("string(.//dd[@class='case-facts__brand'])").strip() == "Sonnenfeld Energie"
    assert facts.xpath("string(.//dd[contains(@class,'case-facts__industry')])").strip() == (
        "Energie & Versorgung"
    )
    assert facts.xpath("string(.//dd[@class='case-facts__year'])").strip() == "2024"
    assert "Chatbot" in facts.xpath("string(.//dd[@class='case-facts__channels'])")
    sources = doc.xpath("//section[@class='case-sources']//a/@href")
    assert sources == [
        "https://www.example.net/energie/2024/chatbot-tarif-panne",
        "https://www.example.com/sonnenfeld/stellungnahme-chatbot",
    ]
    related = doc.xpath("//section[@class='case-related']//a/@href")
    assert any("crm-trend-chatbots" in href for href in related)
    blocks = []
    for script in doc.xpath('//script[@type="application/ld+json"]'):
        data = json.loads(script.text)
        blocks.extend(data if isinstance(data, list) else [data])
    article = next(b for b in blocks if b["@type"] == "Article")
    assert article["about"] == {
        "@type": "Organization",
        "name": "Sonnenfeld Energie",
        "url": article["about"]["url"],
    }
    assert article["about"]["url"].endswith("/fallstudien/marke/sonnenfeld-energie/")
    assert article["temporalCoverage"] == "2024"
    assert article["citation"] == sources
    assert doc.xpath("//article[@data-pagefind-body]/@data-pagefind-filter") == ["type:Fallstudie"]


def test_case_studies_keep_their_own_category_and_url(demo_site):
    assert (demo_site.output / "kategorie" / "fallstudien" / "index.html").is_file()
    assert not (demo_site.output / "kategorie" / "case-studies").exists()
    assert not list(demo_site.output.glob("20*/*/sonnenfeld-energie-chatbot"))


CASE = """---
title: {title}
date: 2026-01-05 10:00
slug: {slug}
brand: {brand}
industry: Handel
year: {year}
channel: Filiale
challenge: Eine Herausforderung.
outcome: Ein Ergebnis.
sources:
{sources}
related: {related}
---

Text der Fallstudie über {mention}.
"""


def write_case(folder: Path, slug: str, **fields) -> Path:
    values = {
        "title": f"Fall {slug}",
        "slug": slug,
        "brand": "Testmarke",
        "year": 2020,
        "sources": "  - https://www.example.com/quelle",
        "related": "[]",
        "mention": "nichts",
        **fields,
    }
    path = folder / f"{slug}.md"
    path.write_text(CASE.format(**values), encoding="utf-8")
    return path


def test_bad_metadata_gives_one_clear_problem_per_field(tiny_content, tmp_path):
    folder = tiny_content / "case-studies"
    folder.mkdir()
    write_case(
        folder,
        "kaputt",
        year='"zweitausendzwanzig"',
        sources="  - keine-url\n  - https://www.example.org/gut",
        related="[gibt-es-nicht]",
    )
    write_case(folder, "heil")
    result = build_site(tiny_content, tmp_path / "out")
    assert result.error is None
    problems = [p for p in result.problems if "case_studies:" in p]
    assert any(
        "case-studies/kaputt.md" in p and "year = 'zweitausendzwanzig'" in p and "four digits" in p
        for p in problems
    ), problems
    assert any(
        "case-studies/kaputt.md" in p and "sources = 'keine-url'" in p and "URL" in p
        for p in problems
    ), problems
    assert any("related = 'gibt-es-nicht'" in p for p in problems), problems
    assert not any("heil.md" in p for p in problems)
    # the bad case study is still written, only without a year facet
    assert (tmp_path / "out" / "fallstudien" / "kaputt" / "index.html").is_file()
    years = tmp_path / "out" / "fallstudien" / "jahr"
    assert [p.name for p in years.iterdir()] == ["2020"]
    assert slugs_on(years / "2020" / "index.html") == {"heil"}


def test_missing_required_field_is_reported(tiny_content, tmp_path):
    folder = tiny_content / "case-studies"
    folder.mkdir()
    path = write_case(folder, "ohne-marke")
    path.write_text(path.read_text(encoding="utf-8").replace("brand: Testmarke\n", ""))
    result = build_site(tiny_content, tmp_path / "out")
    assert any(
        "case-studies/ohne-marke.md: brand = None: expected a value" in p for p in result.problems
    ), result.problems


def test_posts_that_name_a_brand_link_back_from_the_brand_page(tiny_content, tmp_path):
    folder = tiny_content / "case-studies"
    folder.mkdir()
    write_case(folder, "testmarke-fall")
    (tiny_content / "posts" / "post.md").write_text(
        "Title: Was wir von Testmarkes Service lernen\nDate: 2026-01-06\n"
        "Slug: von-testmarke-lernen\nCategory: Kundendialog\n\nEin Beitrag.\n",
        encoding="utf-8",
    )
    (tiny_content / "posts" / "other.md").write_text(
        "Title: Anderes Thema\nDate: 2026-01-07\nSlug: anderes\nCategory: Kundendialog\n\n"
        "Die Testmarkenstrategie ist kein Markenname.\n",
        encoding="utf-8",
    )
    result = build_site(tiny_content, tmp_path / "out")
    assert result.error is None
    page = tmp_path / "out" / "fallstudien" / "marke" / "testmarke" / "index.html"
    mentions = parse(page).xpath("//li[contains(@class,'brand-mention')]")
    assert [m.get("data-kind") for m in mentions] == ["post"]
    assert mentions[0].xpath("a/@href")[0].rstrip("/").endswith("von-testmarke-lernen")
