"""The CMS configuration a real build writes (output/admin/config.yml) matches the fields the
plugins validate with, and /admin/ stays out of the public site's sitemap, search and feeds."""

from __future__ import annotations

import re

import pytest
import yaml
from conftest import build_site, copy_demo_content
from lxml import etree, html
from resonanz_case_studies import model as case_model
from resonanz_cms import config as cms_config
from resonanz_cms.settings import DEFAULTS
from resonanz_core import fields
from resonanz_core.settings import ENUMS, KNOWN_METADATA
from resonanz_podcast import episode as podcast_episode

ADMIN = "admin"


@pytest.fixture(scope="module")
def admin_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("cms-config")
    content = copy_demo_content(root / "content")
    result = build_site(content, root / "output", FEED_DOMAIN="https://resonanz.example")
    if result.error is not None:
        raise result.error
    if not (result.output / ADMIN / "config.yml").is_file():
        pytest.skip("Decap CMS not installed: npm ci --prefix tools/cms")
    return result


def written_config(site) -> dict:
    return yaml.safe_load((site.output / ADMIN / "config.yml").read_text(encoding="utf-8"))


def collection(config: dict, name: str) -> dict:
    return next(c for c in config["collections"] if c["name"] == name)


def by_name(entries: list[dict]) -> dict[str, dict]:
    return {entry["name"]: entry for entry in entries}


def test_case_study_fields_are_the_ones_the_plugin_checks(admin_site):
    cms = by_name(collection(written_config(admin_site), "case-studies")["fields"])
    required = {name for name, entry in cms.items() if entry["required"]}
    # the plugin's REQUIRED plus what Pelican itself needs
    assert required == set(case_model.REQUIRED) | {"title", "date"}
    # year: the same range the plugin accepts
    assert cms["year"]["min"] == case_model.EARLIEST_YEAR
    year_now = int(re.search(r"\d{4}", str(cms["year"]["max"])).group())
    assert case_model.parse_year(year_now, year_now) == (year_now, None)
    assert case_model.parse_year(year_now + 1, year_now)[0] is None
    # sources: what the CMS lets through, the plugin accepts, and the other way round
    pattern = re.compile(cms["sources"]["field"]["pattern"][0])
    for value in ("https://www.example.org/a,b", "http://forum.example.com/x", "https://x",
                  "ftp://example.org/a", "www.example.org/x", "https://exa mple.org/"):
        assert bool(pattern.search(value)) == case_model.is_url(value), value


def test_post_choices_are_the_values_the_build_accepts(admin_site):
    config = written_config(admin_site)
    posts = by_name(collection(config, "posts")["fields"])
    for name in ("comments", "linkbacks"):
        values = tuple(option["value"] for option in posts[name]["options"])
        assert values == ENUMS[name]
    # category: a select of the categories that posts of the demo site use
    categories = {option["value"] for option in posts["category"]["options"]}
    assert categories == {"Community-Management", "Kundendialog", "Markenführung", "Social Media"}
    assert posts["date"]["widget"] == "datetime" and posts["tags"]["widget"] == "list"
    assert posts["image"]["widget"] == "image" and posts["image"]["public_folder"] == "images"


def test_episode_fields_match_the_podcast_plugin(admin_site):
    episodes = collection(written_config(admin_site), "episodes")
    cms = by_name(episodes["fields"])
    values = tuple(option["value"] for option in cms["episode_type"]["options"])
    assert values == podcast_episode.EPISODE_TYPES
    assert episodes["folder"] == "content/episodes"
    assert episodes["media_folder"] == "" and cms["audio"]["widget"] == "file"


def test_every_field_the_cms_writes_is_known_to_the_metadata_check(admin_site):
    for entry in written_config(admin_site)["collections"]:
        for item in entry["fields"]:
            if item["widget"] != "markdown":
                assert item["name"] in KNOWN_METADATA, (entry["name"], item["name"])


def test_a_field_added_to_the_content_model_appears_in_the_cms(monkeypatch):
    extra = fields.Field("sponsor", "Sponsor", hint="Wer die Folge unterstützt.")
    monkeypatch.setitem(fields.CONTENT_TYPES, "episodes", (*fields.EPISODE_FIELDS, extra))
    config = cms_config.cms_config(dict(DEFAULTS), [], 2026)
    added = by_name(collection(config, "episodes")["fields"])["sponsor"]
    assert added == {"name": "sponsor", "label": "Sponsor", "required": False,
                     "hint": "Wer die Folge unterstützt.", "widget": "string"}
    assert "sponsor" in fields.metadata_names()


def test_admin_is_private_and_not_part_of_the_public_site(admin_site):
    output = admin_site.output
    page = html.parse(str(output / ADMIN / "index.html")).getroot()
    assert page.xpath("string(//meta[@name='robots']/@content)") == "noindex, nofollow"
    csp = page.xpath("string(//meta[@http-equiv='Content-Security-Policy']/@content)")
    assert "connect-src 'self' blob: http://127.0.0.1:8081 https://api.github.com" in csp
    # every script is the site's own copy: no CDN
    assert [s.get("src") for s in page.xpath("//script")] == [
        "resonanz-model.js", "decap-cms.js", "resonanz-cms.js"]
    assert (output / ADMIN / "decap-cms.js").stat().st_size > 1_000_000
    sitemap = etree.parse(str(output / "sitemap.xml"))
    assert not [u for u in sitemap.xpath("//*[local-name()='loc']/text()") if "/admin" in u]
    for feed in (output / "feeds").rglob("*.xml"):
        assert "/admin/" not in feed.read_text(encoding="utf-8"), feed
    # the search index reads only pages with a search body
    assert b"data-pagefind-body" not in (output / ADMIN / "index.html").read_bytes()


def test_headers_give_admin_its_own_policy(admin_site):
    text = (admin_site.output / "_headers").read_text(encoding="utf-8")
    rules = re.split(r"\n(?=/)", text)
    admin_rules = [r for r in rules if r.startswith("/admin/")]
    assert len(admin_rules) == 1
    assert "'unsafe-eval'" in admin_rules[0] and "X-Robots-Tag: noindex" in admin_rules[0]
    # no other rule matches /admin/ (a browser would enforce both policies)
    others = [r for r in rules if r not in admin_rules and "Content-Security" in r]
    assert not [r for r in others if r.split("\n")[0] in ("/*", "/admin/*")]
    nginx = (admin_site.output / "_hosting" / "nginx.conf").read_text(encoding="utf-8")
    block = nginx.split("location ^~ /admin/ {", 1)[1].split("\n}", 1)[0]
    assert "'unsafe-eval'" in block and "X-Robots-Tag" in block


def test_without_the_npm_bundle_the_site_builds_and_says_so_once(tiny_content, tmp_path):
    (tiny_content / "posts" / "hallo.md").write_text(
        "---\ntitle: Hallo\ndate: 2026-01-01 10:00\ncategory: Test\n---\n\nText.\n",
        encoding="utf-8",
    )
    empty = tmp_path / "node_modules"
    empty.mkdir()
    result = build_site(tiny_content, tmp_path / "out", CMS_NODE_MODULES=str(empty))
    assert result.error is None
    assert (result.output / "2026" / "01" / "hallo" / "index.html").is_file()
    assert not (result.output / ADMIN).exists()
    notes = [p for p in result.problems if "resonanz_cms" in p]
    assert len(notes) == 1 and "npm ci --prefix" in notes[0] and "/admin/ skipped" in notes[0]


def test_precompressed_bundle_copies_are_made_once_and_match(tmp_path):
    import gzip

    import brotli
    from resonanz_cms.admin import precompressed

    source = tmp_path / "decap-cms.js"
    source.write_bytes(b"window.CMS = {};\n" * 5000)
    target = tmp_path / "admin" / "decap-cms.js"
    target.parent.mkdir()
    target.write_bytes(source.read_bytes())
    cache = tmp_path / "cache"
    precompressed(source, target, cache, [".br", ".gz"])
    original = source.read_bytes()
    assert brotli.decompress((target.parent / "decap-cms.js.br").read_bytes()) == original
    assert gzip.decompress((target.parent / "decap-cms.js.gz").read_bytes()) == original
    stored = sorted(cache.iterdir())
    mtimes = [p.stat().st_mtime_ns for p in stored]
    precompressed(source, tmp_path / "admin2.js", cache, [".br", ".gz"])
    assert [p.stat().st_mtime_ns for p in sorted(cache.iterdir())] == mtimes
