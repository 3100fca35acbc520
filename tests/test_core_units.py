"""Pure functions of resonanz_core: dates, translations, metadata and link checks, paths."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from resonanz_core import checks, dates, i18n
from resonanz_core.paths import PathOutsideContent, resolve_inside

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    "value, lang, expected",
    [
        (dt.datetime(2008, 3, 26, 12, 39, tzinfo=BERLIN), "de", "26. März 2008 um 12:39 Uhr"),
        (dt.datetime(2008, 3, 26, 12, 39, tzinfo=BERLIN), "en", "March 26, 2008 at 12:39"),
        (dt.datetime(2026, 12, 1, 9, 5), "de", "1. Dezember 2026 um 09:05 Uhr"),
        (
            dt.datetime(2026, 5, 3, 23, 59, tzinfo=ZoneInfo("UTC")),
            "de-AT",
            "3. Mai 2026 um 23:59 Uhr",
        ),
        (dt.datetime(2026, 2, 3, 7, 0), "fr", "3. Februar 2026 um 07:00 Uhr"),
        # `date: 2025-02-01` (no time): no "um 00:00 Uhr"
        (dt.datetime(2025, 2, 1, 0, 0, tzinfo=BERLIN), "de", "1. Februar 2025"),
        (dt.date(2025, 2, 1), "en", "February 1, 2025"),
        (dt.datetime(2025, 2, 1, 0, 1), "de", "1. Februar 2025 um 00:01 Uhr"),
    ],
)
def test_datum(value, lang, expected):
    assert dates.datum(value, lang) == expected


def test_datum_kurz_and_monat():
    day = dt.date(2026, 3, 9)
    assert dates.datum_kurz(day) == "9. März 2026"
    assert dates.datum_kurz(day, "en") == "March 9, 2026"
    assert dates.monat(day) == "März 2026"


def test_spelled_out_patterns_equal_babel():
    """The fast path spells out our CLDR patterns; it must give Babel's text exactly."""
    from babel.dates import format_datetime

    moments = [dt.datetime(year, month, day, hour, minute)
               for year in (5, 2008, 2026) for month in range(1, 13)
               for day in (1, 9, 10, 28) for hour, minute in ((0, 0), (7, 5), (23, 59))]
    checked = 0
    for table in (dates.LONG, dates.SHORT, dates.MONTH):
        for code, pattern in table.items():
            assert pattern in dates._SPELLED  # or the fast path was never taken
            for moment in moments:
                dates._format.cache_clear()
                assert dates._format(moment, pattern, code) == format_datetime(
                    moment, pattern, tzinfo=None, locale=code), (pattern, code, moment)
                checked += 1
    assert checked == 6 * len(moments)


def test_translate_falls_back_to_german():
    assert i18n.translate("Zum Inhalt springen", "en") == "Skip to content"
    assert i18n.translate("Zum Inhalt springen", "de") == "Zum Inhalt springen"
    assert i18n.translate("Ganz neuer Text", "en") == "Ganz neuer Text"
    i18n.add_translations({"Ganz neuer Text": "Brand new text"})
    assert i18n.translate("Ganz neuer Text", "en-GB") == "Brand new text"


def test_check_metadata_names_field_and_value():
    problems = checks.check_metadata(
        "posts/x.md", {"title": "x", "categroy": "Foo", "comments": "vielleicht"}
    )
    fields = {field: (value, expected) for field, value, expected in problems}
    assert fields["categroy"][0] == "Foo"
    assert "unknown field (typo? did you mean 'category'?)" in fields["categroy"][1]
    assert fields["comments"][0] == "vielleicht" and "open, closed, hidden" in fields["comments"][1]
    assert checks.check_metadata("p.md", {"title": "x", "brand": "y"}, ["brand"]) == []


def test_broken_links(tmp_path):
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "a.md").write_text("x")
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "b.png").write_bytes(b"")
    source = str(tmp_path / "posts" / "c.md")
    raw = (
        '<a href="{filename}a.md">ok</a> <img src="{static}/images/b.png">'
        '<a href="{filename}fehlt.md#x">kaputt</a> <a href="{static}../../etc/passwd">raus</a>'
    )
    assert checks.broken_links(source, raw, str(tmp_path)) == [
        ("{filename}fehlt.md", "no such file in content/"),
        ("{static}../../etc/passwd", "leaves content/"),
    ]


def test_resolve_inside(tmp_path):
    episodes = tmp_path / "episodes"
    assert resolve_inside(tmp_path, episodes, "a.mp3") == episodes / "a.mp3"
    assert resolve_inside(tmp_path, episodes, "/audio/a.mp3") == tmp_path / "audio" / "a.mp3"
    with pytest.raises(PathOutsideContent):
        resolve_inside(tmp_path, tmp_path / "episodes", "../../secret.mp3")


def test_equal_instants_in_different_zones_keep_their_own_wall_clock():
    berlin = dt.datetime(2026, 3, 26, 12, 39, tzinfo=BERLIN)
    utc = berlin.astimezone(ZoneInfo("UTC"))
    assert berlin == utc
    assert dates.datum(berlin) == "26. März 2026 um 12:39 Uhr"
    assert dates.datum(utc) == "26. März 2026 um 11:39 Uhr"


def test_plugins_agree_on_every_translation():
    import importlib

    from conftest import ROOT

    for package in sorted((ROOT / "plugins").glob("resonanz_*/__init__.py")):
        importlib.import_module(package.parent.name)
    assert i18n.conflicts() == []


def test_render_once_renders_a_teaser_once_per_post_and_site_url():
    from types import SimpleNamespace

    from jinja2 import DictLoader, Environment
    from resonanz_core import core

    calls = []
    env = Environment(loader=DictLoader({
        "teaser.html": "<a href='{{ SITEURL }}/{{ article.url }}'>{{ count(article) }}</a>",
        "list.html": "{% for article in items %}{{ render_once('teaser.html', "
                     "article=article) }}{% endfor %}",
    }), trim_blocks=True, lstrip_blocks=True)
    core.on_generator_init(SimpleNamespace(env=env))
    env.globals["count"] = lambda article: calls.append(article.url) or article.url
    one, two = SimpleNamespace(url="eins/", lang="de"), SimpleNamespace(url="zwei/", lang="de")
    listing = env.get_template("list.html")
    first = listing.render(items=[one, two], SITEURL="..")
    assert first == "<a href='../eins/'>eins/</a><a href='../zwei/'>zwei/</a>"
    assert listing.render(items=[two], SITEURL="..") == "<a href='../zwei/'>zwei/</a>"
    assert calls == ["eins/", "zwei/"]  # the second page reused the teaser
    # a page at another depth has other links
    assert listing.render(items=[two], SITEURL="../..") == "<a href='../../zwei/'>zwei/</a>"
    assert calls == ["eins/", "zwei/", "zwei/"]


def test_remembered_slugify_equals_pelicans(monkeypatch):
    import pelican.urlwrappers
    from pelican.settings import DEFAULT_CONFIG
    from pelican.utils import slugify
    from resonanz_fastbuild import speedups

    german = [("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"),
              *DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"]]
    names = ["Markenführung", "Social Listening", "C++ & <b>Co</b>", "Äußerst GROSS",
             "日本語", "  Leer  "]
    speedups.install()
    assert pelican.urlwrappers.slugify is speedups.remembered_slugify
    calls = []
    monkeypatch.setattr(speedups, "slugify", lambda *a, **k: calls.append(a) or slugify(*a, **k))
    speedups._SLUGS.clear()
    for subs in ([], german, [list(pair) for pair in german]):
        for preserve in (False, True):
            for uni in (False, True):
                for name in names:
                    expected = slugify(name, regex_subs=subs, preserve_case=preserve,
                                       use_unicode=uni)
                    for _ in range(2):
                        assert speedups.remembered_slugify(
                            name, regex_subs=subs, preserve_case=preserve,
                            use_unicode=uni) == expected
    # lists and tuples of the same pairs are the same key; each name is slugified once
    assert len(calls) == 2 * 2 * 2 * len(names)
