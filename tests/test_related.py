"""Series boxes, related posts (weighted, deterministic) and popular posts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import CONTENT, build_site
from lxml import html
from pelican.contents import Article
from pelican.settings import DEFAULT_CONFIG
from pelican.urlwrappers import Category, Tag
from resonanz_related.popular import count_comments, read_counts
from resonanz_related.scoring import related_for, tag_rarity


def parse(path: Path):
    return html.fromstring(path.read_bytes())


def article_page(output: Path, slug: str) -> Path:
    return next(output.glob(f"*/*/{slug}/index.html"))


CRM_SERIES = ["crm-trend-personalisierung", "crm-trend-chatbots", "crm-trend-community-als-crm"]


@pytest.mark.parametrize("position, slug", list(enumerate(CRM_SERIES, 1)))
def test_series_box_shows_position_and_all_parts(demo_site, position, slug):
    doc = parse(article_page(demo_site.output, slug))
    box = doc.xpath("//aside[@class='series-box']")
    assert len(box) == 1
    box = box[0]
    assert box.xpath("string(.//h2)") == "CRM-Trend der Woche"
    assert box.xpath("string(.//p[@class='series-box__position'])") == f"Teil {position} von 3"
    parts = box.xpath(".//ol/li")
    assert len(parts) == 3
    current = [i for i, li in enumerate(parts, 1) if li.get("aria-current") == "page"]
    assert current == [position]
    # every other part is a link to that post, in series order
    for index, (li, part_slug) in enumerate(zip(parts, CRM_SERIES, strict=True), 1):
        links = li.xpath("a/@href")
        if index == position:
            assert links == []
        else:
            assert links and links[0].rstrip("/").endswith(part_slug)
    assert bool(box.xpath(".//a[@rel='prev']")) == (position > 1)
    assert bool(box.xpath(".//a[@rel='next']")) == (position < 3)


def test_posts_outside_a_series_have_no_series_box(demo_site):
    doc = parse(article_page(demo_site.output, "markenstimme-finden"))
    assert doc.xpath("//aside[@class='series-box']") == []


def related_lists(output: Path) -> dict[str, list[str]]:
    lists = {}
    for page in sorted(output.rglob("index.html")):
        links = parse(page).xpath("//section[@class='related-posts']//a/@href")
        if links:
            lists[str(page.relative_to(output))] = links
    return lists


def test_related_posts_are_the_same_in_two_builds(demo_site, tmp_path):
    again = build_site(CONTENT, tmp_path / "again")
    assert again.error is None
    first, second = related_lists(demo_site.output), related_lists(again.output)
    assert len(first) >= 10
    assert first == second


def test_related_posts_skip_self_and_same_series(demo_site):
    doc = parse(article_page(demo_site.output, "crm-trend-chatbots"))
    links = doc.xpath("//section[@class='related-posts']//a/@href")
    assert 0 < len(links) <= 4
    assert not any(slug in href for href in links for slug in CRM_SERIES)


def make_article(slug: str, tags: list[str], category: str, day: int) -> Article:
    settings = dict(DEFAULT_CONFIG)
    return Article(
        "<p>Text</p>",
        metadata={
            "title": slug,
            "slug": slug,
            "date": dt.datetime(2026, 1, day),
            "tags": [Tag(name, settings) for name in tags],
            "category": Category(category, settings),
        },
        settings=settings,
    )


def test_shared_rare_tags_outweigh_the_category():
    base = make_article("base", ["CRM", "Chatbots"], "Kundendialog", 1)
    same_category = make_article("kategorie", [], "Kundendialog", 5)
    rare_tag = make_article("selten", ["Chatbots"], "Social Media", 2)
    common_tag = make_article("haeufig", ["CRM"], "Social Media", 3)
    filler = [make_article(f"crm-{n}", ["CRM"], "Markenführung", 10 + n) for n in range(4)]
    unrelated = make_article("fremd", ["Podcast"], "Markenführung", 6)
    pool = [base, same_category, rare_tag, common_tag, unrelated, *filler]
    rarity = tag_rarity(pool)
    result = related_for(base, pool, rarity, count=3, tag_weight=2.0, category_weight=1.0)
    assert [a.slug for a in result] == ["selten", "crm-3", "crm-2"]
    # equal scores: newer first, then slug; the unrelated post never shows up
    everything = related_for(base, pool, rarity, count=20)
    assert "fremd" not in [a.slug for a in everything]
    assert [a.slug for a in everything][-1] == "kategorie"


def test_popular_posts_on_home_come_from_the_data_file(demo_site):
    doc = parse(demo_site.output / "index.html")
    items = doc.xpath("//section[@class='popular-posts']//li")
    assert len(items) == 5
    counts = [int(li.xpath("string(.//span/@data-count)")) for li in items]
    assert counts == sorted(counts, reverse=True)
    assert items[0].xpath("a/@href")[0].rstrip("/").endswith("krisenkommunikation-social-media")
    assert "2.413 Aufrufe" in items[0].text_content()
    assert not parse(demo_site.output / "page" / "2" / "index.html").xpath(
        "//section[@class='popular-posts']"
    )


def _post(folder: Path, slug: str, day: int) -> None:
    (folder / f"{slug}.md").write_text(
        f"Title: Post {slug}\nDate: 2026-01-{day:02d}\nSlug: {slug}\n"
        "Category: Kundendialog\n\nText.\n",
        encoding="utf-8",
    )


def _comments(folder: Path, slug: str, approved: int, pending: int = 0) -> None:
    entries = []
    for n in range(approved + pending):
        status = "approved" if n < approved else "pending"
        entries.append(
            f"- id: c{n}\n  type: comment\n  status: {status}\n  author: Anna\n"
            f"  content: Hallo\n  published: 2026-01-10T10:00:00+01:00\n"
        )
    (folder / f"{slug}.yaml").write_text("".join(entries), encoding="utf-8")


def test_popular_falls_back_to_most_commented(tiny_content, tmp_path):
    for day, slug in enumerate(["eins", "zwei", "drei"], 1):
        _post(tiny_content / "posts", slug, day)
    _comments(tiny_content / "responses", "eins", 1, pending=5)
    _comments(tiny_content / "responses", "zwei", 3)
    result = build_site(tiny_content, tmp_path / "out")
    assert result.error is None
    items = parse(tmp_path / "out" / "index.html").xpath("//section[@class='popular-posts']//li")
    assert [li.xpath("a/@href")[0].rstrip("/").rsplit("/", 1)[-1] for li in items] == [
        "zwei",
        "eins",
    ]
    assert "3 Kommentare" in items[0].text_content()
    assert count_comments(tiny_content / "responses") == {"eins": 1, "zwei": 3}


def test_bad_popular_entries_are_reported_and_skipped(tiny_content, tmp_path):
    _post(tiny_content / "posts", "eins", 1)
    data = tiny_content / "data"
    data.mkdir()
    (data / "popular.yaml").write_text(
        "- slug: eins\n  count: 12\n- slug: fehlt\n  count: 3\n- slug: eins\n  count: viele\n",
        encoding="utf-8",
    )
    result = build_site(tiny_content, tmp_path / "out")
    problems = [p for p in result.problems if p.startswith("WARNING: related:")]
    assert any("data/popular.yaml: slug = 'fehlt'" in p for p in problems), problems
    assert any("data/popular.yaml: count = 'viele'" in p for p in problems), problems
    items = parse(tmp_path / "out" / "index.html").xpath("//section[@class='popular-posts']//li")
    assert len(items) == 1 and "12 Aufrufe" in items[0].text_content()


def test_read_counts_without_file_is_none(tmp_path):
    assert read_counts(tmp_path / "nope.yaml", "data/nope.yaml") is None


def _brute_force(article, pool, rarity, count, tag_weight, category_weight, series=False):
    """The definition: every other post scored pairwise, best first, then newer, then slug."""
    tags = {t.slug for t in article.tags}
    own_series = article.metadata.get("series") if series else None
    scored = []
    for other in pool:
        if other is article or other.slug == article.slug:
            continue
        if own_series and other.metadata.get("series") == own_series:
            continue
        total = 0.0
        for slug in sorted(tags & {t.slug for t in other.tags}):
            total += tag_weight * rarity.get(slug, 1.0)
        if other.category.slug == article.category.slug:
            total += category_weight
        value = round(total, 6)
        if value > 0:
            scored.append((-value, -other.date.timestamp(), other.slug))
    return [slug for _, _, slug in sorted(scored)[:count]]


@pytest.mark.parametrize("tag_weight, category_weight", [(2.0, 1.0), (1.0, 1.0), (0.5, 1.0)])
@pytest.mark.parametrize("series", [False, True])
def test_indexed_scoring_matches_pairwise_scoring(tag_weight, category_weight, series):
    import random

    rng = random.Random(11)
    tags = [f"t{n}" for n in range(12)]
    categories = ["a", "b", "c"]
    pool = [
        make_article(f"p{n:03d}", rng.sample(tags, rng.randint(0, 3)), rng.choice(categories),
                     rng.randint(1, 25))
        for n in range(150)
    ]
    for n, article in enumerate(pool):
        if n % 7 == 0:  # a few series of posts that would otherwise relate
            article.metadata["series"] = f"reihe-{n % 3}"
    pool.append(make_article("p001", ["t1", "t2"], "a", 3))  # a second post with a used slug
    rarity = tag_rarity(pool)
    for article in pool[:60] + pool[-1:]:
        for count in (1, 3, 8, 40):
            got = [a.slug for a in related_for(article, pool, rarity, count, tag_weight,
                                                category_weight, skip_same_series=series)]
            assert got == _brute_force(article, pool, rarity, count, tag_weight,
                                       category_weight, series), (article.slug, count)
