"""Pure functions of the responses plugin: sanitising, validation, threads, widget, feeds."""

from __future__ import annotations

import datetime as dt

import feedparser
import lxml.html
import pytest
from resonanz_responses.feeds import FeedItem, comments_feed
from resonanz_responses.model import Response, is_blocked, parse_responses
from resonanz_responses.sanitise import excerpt, sanitise
from resonanz_responses.threads import build_threads, count_nodes
from resonanz_responses.widget import WidgetConfigError, widget_for

from resonanz.responses_format import safe_url

BERLIN = dt.timezone(dt.timedelta(hours=1))


def make(ident: str, minute: int = 0, parent: str = "", **fields) -> Response:
    return Response(
        id=ident,
        type=fields.pop("type", "comment"),
        status="approved",
        published=dt.datetime(2026, 3, 1, 12, minute, tzinfo=BERLIN),
        author=fields.pop("author", "Anna"),
        in_reply_to=parent,
        **fields,
    )


@pytest.mark.parametrize(
    "body, forbidden",
    [
        ("<script>alert(1)</script>Hallo", ["<script", "alert(1)"]),
        ('<img src="https://tracker.example/p.gif" onerror="alert(1)">', ["<img", "onerror"]),
        ('<a href="javascript:alert(1)">x</a>', ["javascript:"]),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', ["javascript", "JaVaScRiPt"]),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', ["data:"]),
        ('<p style="color:red" onclick="x()">t</p>', ["style=", "onclick"]),
        ("<iframe src='https://evil.example/'></iframe>", ["<iframe", "evil.example"]),
        ("<b><i>ungeschlossen", ["<b>", "<i>"]),
        ('<a href="/intern">relativ</a>', ['href="/intern"']),
    ],
)
def test_sanitise_removes_dangerous_markup(body, forbidden):
    cleaned = sanitise(body)
    for needle in forbidden:
        assert needle not in cleaned
    # whatever is left parses as a fragment without script or event handlers
    tree = lxml.html.fragment_fromstring(cleaned or "<p></p>", create_parent="div")
    assert not tree.xpath("//script|//img|//iframe|//@*[starts-with(name(), 'on')]")


def test_sanitise_keeps_allow_list_and_marks_links():
    cleaned = sanitise(
        '<p>Sehr <strong>gut</strong>, <em>danke</em>: <a href="https://x.example/'
        '">Quelle</a></p><blockquote>Zitat</blockquote><ul><li>a</li></ul>'
    )
    tree = lxml.html.fragment_fromstring(cleaned, create_parent="div")
    assert [e.tag for e in tree.iter()][1:] == ["p", "strong", "em", "a", "blockquote", "ul", "li"]
    assert tree.xpath("//a/@rel") == ["nofollow ugc noopener"]
    assert tree.xpath("//a/@href") == ["https://x.example/"]


def test_plain_text_becomes_escaped_paragraphs_without_the_source_line_breaks():
    # a YAML block wraps lines where the file did; the reader's screen decides where they break
    assert sanitise("Erste Zeile\nzweite <3 & mehr\n\nNeuer Absatz") == (
        "<p>Erste Zeile zweite &lt;3 &amp; mehr</p><p>Neuer Absatz</p>"
    )


def test_sanitise_cuts_long_bodies():
    cleaned = sanitise("<p>" + "a" * 50_000, max_length=1000)
    assert len(cleaned) < 1100
    assert cleaned.endswith("<p>…</p>")


def test_excerpt_is_plain_text_cut_at_a_word():
    text = excerpt("<p>Eins zwei drei</p><p>vier fünf <script>x()</script>sechs</p>", 20)
    assert text == "Eins zwei drei vier…"


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://a.example/x", "https://a.example/x"),
        ("javascript:alert(1)", ""),
        ("//a.example", ""),
        ('https://a.example/"onmouseover=x', ""),
        ("", ""),
    ],
)
def test_safe_url(url, expected):
    assert safe_url(url) == expected


def test_validation_names_file_entry_field_and_value():
    text = """
- id: ok
  type: comment
  status: approved
  author: Anna
  published: 2026-03-26T12:39:00+01:00
- id: c2
  type: kommentar
  status: approved
  author: Ben
  published: 2026-03-26T12:40:00+01:00
- id: c3
  type: comment
  status: approved
  published: 2026-03-26
- id: ok
  type: comment
  status: approved
  author: Doppelt
  published: 2026-03-26T12:41:00+01:00
- id: tb
  type: trackback
  status: approved
  url: javascript:alert(1)
  published: 2026-03-26T12:41:00+01:00
  autor: Tippfehler
"""
    responses, problems = parse_responses(text, "responses/beispiel.yaml")
    assert [r.id for r in responses] == ["ok"]
    joined = "\n".join(problems)
    assert (
        "responses: responses/beispiel.yaml: entry #2 (id 'c2'): type = 'kommentar': one of"
        in joined
    )
    assert "entry #3 (id 'c3'): published = datetime.date(2026, 3, 26)" in joined
    assert "entry #3 (id 'c3'): author = None: a name (required for comments)" in joined
    assert "entry #4 = 'ok': id already used" in joined
    assert "entry #5 (id 'tb'): url = 'javascript:alert(1)'" in joined
    assert "entry #5 (id 'tb'): autor = 'Tippfehler': unknown field" in joined


@pytest.mark.parametrize(
    "text, expected",
    [("- [kaputt", "line"), ("id: nur-ein-mapping", "file = 'dict'"), ("- 42", "entry #1 = 42")],
)
def test_broken_files_are_reported(text, expected):
    responses, problems = parse_responses(text, "responses/x.yaml")
    assert responses == []
    assert len(problems) == 1 and expected in problems[0]
    assert problems[0].startswith("responses: responses/x.yaml: ")


def test_threads_nest_replies_and_keep_orphans():
    roots, orphans = build_threads(
        [
            make("c3", 3, parent="c2"),
            make("c1", 1),
            make("c2", 2, parent="c1"),
            make("c4", 4),
            make("c5", 5, parent="gibt-es-nicht"),
        ]
    )
    assert [n.response.id for n in roots] == ["c1", "c4", "c5"]
    assert roots[0].replies[0].response.id == "c2"
    assert roots[0].replies[0].replies[0].response.id == "c3"
    assert roots[0].replies[0].replies[0].depth == 2
    assert [o.id for o in orphans] == ["c5"]
    assert count_nodes(roots) == 5


def test_threads_cap_depth_and_break_cycles():
    chain = [make("a", 0)] + [
        make(f"r{i}", i + 1, parent="a" if i == 0 else f"r{i - 1}") for i in range(5)
    ]
    roots, _ = build_threads(chain, max_depth=2)
    level2 = roots[0].replies[0].replies
    assert [n.response.id for n in level2] == ["r1", "r2", "r3", "r4"]
    assert all(n.depth == 2 for n in level2)
    roots, orphans = build_threads([make("x", 1, parent="y"), make("y", 2, parent="x")])
    assert count_nodes(roots) == 2 and len(orphans) == 1


def test_block_lists():
    spam = make("s", url="https://spam.shop.example/p", type="webmention")
    assert is_blocked(spam, ["shop.example"], [])
    assert not is_blocked(spam, ["op.example"], [])
    assert is_blocked(make("t", author="Troll T."), [], ["troll t."])


@pytest.mark.parametrize(
    "provider, url, options, script",
    [
        ("isso", "https://k.example/isso/", {}, "https://k.example/isso/js/embed.min.js"),
        (
            "remark42",
            "https://r.example",
            {"site_id": "resonanz"},
            "https://r.example/web/embed.js",
        ),
        (
            "giscus",
            "",
            {"repo": "a/b", "repo_id": "R", "category": "C", "category_id": "CI"},
            "https://giscus.app/client.js",
        ),
        ("comentario", "https://c.example", {}, "https://c.example/comentario.js"),
        ("disqus", "", {"shortname": "resonanz"}, "https://resonanz.disqus.com/embed.js"),
    ],
)
def test_widget_per_provider(provider, url, options, script):
    widget = widget_for(
        provider, url, options, page_url="https://s.example/a/", page_id="a", title="A"
    )
    assert widget.script == script
    assert widget.origin and widget.origin in script


def test_widget_none_and_errors():
    assert widget_for("none", "", {}, page_url="", page_id="", title="") is None
    with pytest.raises(WidgetConfigError, match="RESPONSES_PROVIDER_URL = ''"):
        widget_for("isso", "", {}, page_url="", page_id="", title="")
    with pytest.raises(WidgetConfigError, match=r"RESPONSES_PROVIDER_OPTIONS\['shortname'\]"):
        widget_for("disqus", "", {}, page_url="", page_id="", title="")
    with pytest.raises(WidgetConfigError, match="'facebook'"):
        widget_for("facebook", "", {}, page_url="", page_id="", title="")


def test_feed_is_valid_atom_newest_first():
    items = [
        FeedItem(
            make(f"c{i}", i, html=f"<p>Nr. {i} &amp; mehr</p>"), "Artikel", "https://s.example/a/"
        )
        for i in range(3)
    ]
    data = comments_feed(
        title="Kommentare",
        feed_url="https://s.example/f.xml",
        home_url="https://s.example/a/",
        items=items,
        updated=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        max_items=2,
    )
    parsed = feedparser.parse(data)
    assert not parsed.bozo
    assert [e.id for e in parsed.entries] == [
        "https://s.example/a/#antwort-c2",
        "https://s.example/a/#antwort-c1",
    ]
    assert parsed.entries[0].content[0].value == "<p>Nr. 2 &amp; mehr</p>"
    assert parsed.entries[0].title == "Anna zu „Artikel“"
    assert data == comments_feed(
        title="Kommentare",
        feed_url="https://s.example/f.xml",
        home_url="https://s.example/a/",
        items=reversed(items),
        updated=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        max_items=2,
    )
