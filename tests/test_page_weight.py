"""The theme's CSS and JS reach readers minified; every demo page stays within the budget."""

from __future__ import annotations

import re

from conftest import CONTENT, ROOT, build_site
from lxml import html
from resonanz_core.minify import minify_text, minify_tree

from resonanz.check.resources import DEFAULT_BUDGET_KB, check_weight
from resonanz.check.site import Site

STATIC = ROOT / "theme" / "static"


def test_output_css_and_js_are_minified_and_sources_stay_readable(demo_site):
    theme = demo_site.output / "theme"
    for source in [*STATIC.glob("css/*.css"), *STATIC.glob("js/*.js")]:
        built = theme / source.relative_to(STATIC)
        text = built.read_text("utf-8")
        assert built.stat().st_size < source.stat().st_size * 0.95, built
        assert "/*" not in text or source.suffix == ".js", built  # CSS comments gone
        # a script keeps a line break where one ends a statement without a semicolon
        assert text.count("\n") * 4 < source.read_text("utf-8").count("\n"), built
    css = (theme / "css" / "site.css").read_text("utf-8")
    assert "--accent:#8a2b5c" in css and "@media (prefers-color-scheme:dark)" in css


def test_minifying_twice_changes_nothing(tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "js").mkdir()
    css = tmp_path / "css" / "a.css"
    js = tmp_path / "js" / "a.js"
    css.write_text("/* why */\n.a  {\n  color : red ;\n}\n", encoding="utf-8")
    js.write_text("// why\nfunction f ( a ) {\n  return a + 1;\n}\n", encoding="utf-8")
    before, after = minify_tree(tmp_path)
    assert after < before
    assert css.read_text("utf-8") == ".a{color:red}\n"
    assert js.read_text("utf-8") == "function f(a){return a+1;}\n"
    first = {p: p.read_bytes() for p in (css, js)}
    assert minify_tree(tmp_path)[0] == minify_tree(tmp_path)[1]
    assert {p: p.read_bytes() for p in (css, js)} == first
    assert minify_text(".js", js.read_text("utf-8")) == js.read_text("utf-8")


def test_every_demo_page_is_within_the_weight_budget(demo_site):
    result = check_weight(Site(demo_site.output), DEFAULT_BUDGET_KB)
    assert result.checked > 50
    assert result.findings == [], result.findings


def test_pages_with_the_comment_form_are_within_the_budget_too(tmp_path):
    # the form (issue #18) and its script are on every post, page and episode when a
    # receiver is configured: the heaviest pages a reader loads
    result = build_site(CONTENT, tmp_path / "output", RESPONSES_RECEIVER_URL="http://127.0.0.1:8085")
    assert result.error is None, result.error
    episode = (tmp_path / "output" / "episoden" / "001-zuhoeren" / "index.html").read_text("utf-8")
    assert 'class="comment-form' in episode and "comment-form.js" in episode
    weight = check_weight(Site(tmp_path / "output"), DEFAULT_BUDGET_KB)
    assert weight.findings == [], weight.findings


def _stylesheets(page) -> list[str]:
    doc = html.fromstring(page.read_bytes())
    return [re.sub(r".*/", "", href) for href in doc.xpath("//link[@rel='stylesheet']/@href")]


def test_page_stylesheets_only_where_their_blocks_show(demo_site):
    out = demo_site.output
    assert "case-studies.css" in _stylesheets(out / "fallstudien" / "index.html")
    case_pages = [p for p in (out / "fallstudien").glob("*/index.html")
                  if html.fromstring(p.read_bytes()).xpath("//*[contains(@class,'case-facts')]")]
    assert case_pages
    assert all("case-studies.css" in _stylesheets(p) for p in case_pages)
    home = _stylesheets(out / "index.html")
    assert "case-studies.css" not in home and "responses.css" not in home
    assert "related.css" in home  # popular posts
    assert "related.css" not in _stylesheets(out / "page" / "2" / "index.html")
    # comments: on posts, pages and episodes that show them, with the series/related boxes
    # on posts; an episode has neither box
    post = _stylesheets(out / "2026" / "01" / "crm-trend-chatbots" / "index.html")
    assert "responses.css" in post and "related.css" in post
    episode = _stylesheets(out / "episoden" / "001-zuhoeren" / "index.html")
    assert "responses.css" in episode and "related.css" not in episode
    assert "responses.css" in _stylesheets(out / "ueber-uns" / "index.html")
    assert "responses.css" not in _stylesheets(out / "episoden" / "index.html")
    # the player page for other sites' iframes has its own small stylesheet
    embed = _stylesheets(out / "episoden" / "001-zuhoeren" / "embed" / "index.html")
    assert "embed-player.css" in embed and "embeds.css" not in embed
    assert "embed-player.css" not in episode
