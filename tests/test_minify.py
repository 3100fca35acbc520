"""The theme's CSS and JS reach readers minified; every demo page stays within the budget."""

from __future__ import annotations

import re

from conftest import ROOT
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


def _stylesheets(page) -> list[str]:
    doc = html.fromstring(page.read_bytes())
    return [re.sub(r".*/", "", href) for href in doc.xpath("//link[@rel='stylesheet']/@href")]


def test_case_study_stylesheet_only_where_case_studies_show(demo_site):
    out = demo_site.output
    assert "case-studies.css" in _stylesheets(out / "fallstudien" / "index.html")
    case_pages = [p for p in (out / "fallstudien").glob("*/index.html")
                  if html.fromstring(p.read_bytes()).xpath("//*[contains(@class,'case-facts')]")]
    assert case_pages
    assert all("case-studies.css" in _stylesheets(p) for p in case_pages)
    assert "case-studies.css" not in _stylesheets(out / "index.html")
