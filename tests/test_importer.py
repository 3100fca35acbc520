"""The blog importer: HTML to Markdown, WordPress/Blogger/Movable Type exports, safety, errors."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import lxml.html
import pytest
import yaml

from resonanz.importer import cli, redirects
from resonanz.importer.html2md import autop_html, html_to_markdown
from resonanz.importer.slugs import slugify

FIXTURES = Path(__file__).parent / "fixtures" / "import"
WXR = FIXTURES / "wordpress.xml"


def front_matter(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"^---\n(.*?)\n---\n\n(.*)$", text, re.DOTALL)
    assert match, f"{path} has no YAML front matter"
    return yaml.safe_load(match.group(1)), match.group(2)


def responses(content: Path, slug: str) -> dict[str, dict]:
    data = yaml.safe_load((content / "responses" / f"{slug}.yaml").read_text(encoding="utf-8"))
    return {entry["id"]: entry for entry in data}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def content(tmp_path) -> Path:
    folder = tmp_path / "site" / "content"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def wordpress(content, capsys):
    code, out, err = run(capsys, "--from", "wordpress", str(WXR), "--content", str(content))
    assert (code, err) == (0, "")
    return content, out


# --- HTML to Markdown -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Ein <strong>fetter </strong>und <em>kursiver</em> Satz.</p>",
         "Ein **fetter** und *kursiver* Satz.\n"),
        ("<p>Sterne * und [Klammern] und a_b und _c_</p>",
         "Sterne \\* und \\[Klammern\\] und a_b und \\_c\\_\n"),
        ("<p>1. kein Punkt</p><p># kein Titel</p>", "1\\. kein Punkt\n\n\\# kein Titel\n"),
        ("<h1>Titel</h1><h2>Unter</h2>", "## Titel\n\n### Unter\n"),
        ("<h2>Schon h2</h2>", "## Schon h2\n"),
        ('<p><a href="https://a.example/" title="Seite">Text</a> und '
         '<a href="https://b.example/">https://b.example/</a></p>',
         '[Text](https://a.example/ "Seite") und <https://b.example/>\n'),
        ('<img src="https://a.example/x y.png" alt="Ein Bild">',
         "![Ein Bild](<https://a.example/x%20y.png>)\n"),
        ("<ul><li>eins</li><li>zwei<ul><li>zwei-a</li></ul></li></ul>",
         "- eins\n- zwei\n    - zwei-a\n"),
        # Python-Markdown numbers every list from 1: a list starting at 3 stays HTML
        ('<ol start="3"><li>drei</li><li>vier</li></ol>',
         '<ol start="3"><li>drei</li><li>vier</li></ol>\n'),
        ("<ol><li>eins</li><li>zwei</li></ol>", "1. eins\n2. zwei\n"),
        # <pre> exactly: every <br> is a line break, HTML drops one newline after <pre>
        ("<pre>\nZeile 1<br>Zeile 2<br />\n  Zeile 4<br><br>Zeile 6</pre>",
         "```\nZeile 1\nZeile 2\n\n  Zeile 4\n\nZeile 6\n```\n"),
        ("<pre>fett: <b>ja</b><br>zwei</pre>", "<pre>fett: <b>ja</b><br>zwei</pre>\n"),
        # code and tables inside lists and quotes: Markdown would break them, HTML keeps them
        ("<ul><li>a<pre>x<br>y</pre></li></ul>", "<ul><li>a<pre>x<br>y</pre></li></ul>\n"),
        ("<blockquote>a<table><tr><td>1</td></tr></table></blockquote>",
         "<blockquote>a<table><tr><td>1</td></tr></table></blockquote>\n"),
        ("<blockquote><p>Zitat</p><p>weiter</p></blockquote>", "> Zitat\n>\n> weiter\n"),
        ('<pre><code class="language-python">print("`")\n</code></pre>',
         '```python\nprint("`")\n```\n'),
        ("<p>Code <code>a`b</code></p>", "Code ``a`b``\n"),
        ("<p>Zeile<br>Zeile</p>", "Zeile  \nZeile\n"),
        ("<p>x</p><hr><p>y</p>", "x\n\n* * *\n\ny\n"),
        ("<p>H<sub>2</sub>O und <s>alt</s></p>", "H<sub>2</sub>O und <del>alt</del>\n"),
        ("<p>https://www.youtube.com/watch?v=abc</p>",
         "<https://www.youtube.com/watch?v=abc>\n"),
        ("<p>&lt;b&gt; ist kein Tag &amp;copy;</p>", "&lt;b> ist kein Tag &amp;copy;\n"),
    ],
)
def test_html_to_markdown(source, expected):
    assert html_to_markdown(source).markdown == expected


def test_structure_that_markdown_would_lose_stays_html():
    source = (
        "<p>Vorher <iframe src='https://www.youtube.com/embed/x' allowfullscreen></iframe> "
        "nachher</p><table><tr><td>A</td></tr>\n\n<tr><td>B</td></tr></table>"
        "<figure><img src='a.jpg'><figcaption>Bild</figcaption></figure>"
        "<script>track()</script>"
    )
    conversion = html_to_markdown(source)
    assert conversion.markdown == (
        "Vorher\n\n"
        '<iframe src="https://www.youtube.com/embed/x" allowfullscreen></iframe>\n\n'
        "nachher\n\n"
        # no blank line inside: it would end the HTML block in Markdown
        "<table><tr><td>A</td></tr>\n<tr><td>B</td></tr></table>\n\n"
        '<figure><img src="a.jpg"><figcaption>Bild</figcaption></figure>\n'
    )
    assert conversion.raw_blocks == ["iframe", "table", "figure"]
    assert conversion.notes == ["removed <script>"]


def test_paragraphs_from_newlines_like_wpautop():
    source = "Erster Absatz\nmit Umbruch.\n\nZweiter <em>Absatz</em>.\n<ul>\n<li>Punkt</li>\n</ul>"
    assert html_to_markdown(source, paragraphs_from_newlines=True).markdown == (
        "Erster Absatz  \nmit Umbruch.\n\nZweiter *Absatz*.\n\n- Punkt\n"
    )
    assert autop_html("Hallo\n\nWelt <b>x</b>\nneu") == "<p>Hallo</p><p>Welt <b>x</b><br>neu</p>"
    assert autop_html("Eine Zeile") == "Eine Zeile"


@pytest.mark.parametrize(
    ("text", "slug"),
    [("Über uns", "ueber-uns"), ("%c3%bcber-uns", "ueber-uns"), ("Größe & Maß", "groesse-mass"),
     ("community_moderation", "community-moderation"), ("Café Crème", "cafe-creme"), ("", "")],
)
def test_slugify(text, slug):
    assert slugify(text) == slug


# --- WordPress --------------------------------------------------------------------------


def test_wordpress_post_front_matter_and_body(wordpress):
    content, _ = wordpress
    meta, body = front_matter(content / "posts" / "2008-03-26-kundenbindung-zuhoeren.md")
    assert meta["title"] == "Kundenbindung: Zuhören, bevor man spricht"
    assert meta["date"].isoformat() == "2008-03-26T12:39:00+01:00"
    assert meta["modified"].isoformat() == "2008-04-01T09:00:00+02:00"
    assert meta["author"] == "Lena Hoffmann"
    assert meta["category"] == "Kundendialog"
    assert meta["tags"] == ["Markenführung", "Zuhören", "CRM"]
    assert (meta["slug"], meta["status"]) == ("kundenbindung-zuhoeren", "published")
    assert meta["old_url"] == "https://alt.example/2008/03/kundenbindung-zuhoeren/"
    # no excerpt in the export: the part before <!--more--> is the summary
    assert meta["summary"].startswith("Größere Marken hören ihren Kunden zu. Über **Jahre**")
    assert body.startswith(
        "Größere Marken hören ihren Kunden zu. Über **Jahre** haben wir gelernt: "
        "Dialog schlägt Monolog.  \nDas gilt auch für *kleine* Läden.\n\n## Was wir gemessen"
    )
    assert "<tr><td>E-Mail</td><td>2 Tage</td></tr>\n<tr><td>Telefon</td>" in body
    assert ('<iframe width="560" height="315" src="https://www.youtube.com/embed/dQw4w9WgXcQ" '
            'frameborder="0" allowfullscreen></iframe>') in body
    figure = lxml.html.fragment_fromstring(re.search(r"<figure.*?</figure>", body).group(0))
    assert figure.get("class") == "aligncenter"
    assert figure.xpath("string(figcaption)") == "Ein Gespräch auf Augenhöhe"
    assert figure.xpath("a/@href") == ["{static}/images/imported/2008/03/gespraech.jpg"]
    assert figure.xpath("a/img/@src") == [
        "{static}/images/imported/2008/03/gespraech-300x200.jpg"]
    assert ("[Beitrag über Beschwerden]({filename}/posts/2008-04-10-beschwerden-als-chance.md)"
            in body)
    assert "[PDF-Leitfaden]({static}/images/imported/2008/03/leitfaden.pdf)" in body
    assert "- Zuhören\n- Nachfragen\n    - offen\n" in body
    assert "![Banner](https://cdn.fremd.example/banner.png)" in body
    assert "tracker()" not in body and "<script" not in body


def test_wordpress_block_editor_post(wordpress):
    content, _ = wordpress
    meta, body = front_matter(content / "posts" / "2008-04-10-beschwerden-als-chance.md")
    assert meta["summary"] == "Warum Beschwerden die besten Hinweise sind."
    assert (meta["comments"], meta["linkbacks"]) == ("closed", "off")
    assert "<!--" not in body
    assert "> Der Kunde ist kein Gegner.\n>\n> <cite>Aylin Demir</cite>" in body
    assert "1. Danken\n2. Lösen\n3. Nachfassen" in body
    assert '```\nif beschwerde:\n    antworten(innerhalb="24h")\n```' in body


def test_wordpress_drafts_pages_and_duplicate_slugs(wordpress):
    content, out = wordpress
    draft, _ = front_matter(content / "posts" / "2009-02-01-entwurf-community-regeln.md")
    assert (draft["status"], draft["slug"]) == ("draft", "entwurf-community-regeln")
    assert "old_url" not in draft  # ?p=104 was never public
    assert draft["date"].isoformat() == "2009-02-01T10:00:00+01:00"  # no GMT: --timezone
    # the old slug (percent-encoded in the export) is a valid path segment: it stays
    page, page_body = front_matter(content / "pages" / "über-uns.md")
    assert (page["title"], page["slug"]) == ("Über uns", "über-uns")
    assert "category" not in page
    assert page_body == ("Wir sind ein kleines Team aus Köln.\n\n"
                         "Schreiben Sie uns: [team@alt.example](mailto:team@alt.example)\n")
    # the older post keeps the slug, the newer one is renamed and reported
    second, _ = front_matter(content / "posts" / "2009-01-12-beschwerden-als-chance-2.md")
    assert second["slug"] == "beschwerden-als-chance-2"
    assert "duplicate slug 'beschwerden-als-chance'" in out
    assert sorted(p.name for p in (content / "posts").iterdir()) == [
        "2008-03-26-kundenbindung-zuhoeren.md", "2008-04-10-beschwerden-als-chance.md",
        "2009-01-12-beschwerden-als-chance-2.md", "2009-02-01-entwurf-community-regeln.md"]


def test_wordpress_comments_trackbacks_pingbacks(wordpress):
    content, _ = wordpress
    found = responses(content, "kundenbindung-zuhoeren")
    assert list(found) == ["wp-comment-11", "wp-comment-12", "wp-comment-13", "wp-comment-14",
                           "wp-trackback-15", "wp-pingback-16", "wp-comment-18"]
    anna = found["wp-comment-11"]
    assert anna == {
        "id": "wp-comment-11", "type": "comment", "status": "approved",
        "author": "Anna Beispiel", "author_url": "https://anna.example/",
        "content": "<p>Schöner Beitrag! Wir haben das auch erlebt.</p><p>Zweiter Absatz mit "
                   '<a href="https://anna.example/erfahrung">Link</a>.</p>',
        "published": anna["published"],
    }
    assert anna["published"].isoformat() == "2008-03-26T14:05:00+01:00"
    assert found["wp-comment-12"]["in_reply_to"] == "wp-comment-11"
    assert found["wp-comment-13"]["in_reply_to"] == "wp-comment-12"
    assert found["wp-comment-13"]["status"] == "pending"
    assert found["wp-comment-14"]["status"] == "spam"
    trackback = found["wp-trackback-15"]
    assert (trackback["type"], trackback["author"], trackback["title"], trackback["url"]) == (
        "trackback", "Marketing-Blog von Jörg", "Zuhören lohnt sich",
        "https://joerg.example/2008/03/zuhoeren-lohnt-sich/")
    assert trackback["content"] == ("Lena Hoffmann schreibt über Kundenbindung und warum "
                                    "Zuhören wichtiger ist als Senden")
    pingback = found["wp-pingback-16"]
    assert (pingback["author"], pingback["title"], pingback["content"]) == (
        "Community-Notizen", "Drei Links zum Wochenende",
        "Ein lesenswerter Text über Kundenbindung bei Resonanz")
    assert pingback["author_url"] == "https://notizen.example/"
    # its parent is in the trash: the answer stays, as a top-level comment
    assert "in_reply_to" not in found["wp-comment-18"]
    assert found["wp-comment-18"]["published"].isoformat() == "2008-03-30T11:00:00+02:00"
    assert not (content / "responses" / "papierkorb.yaml").exists()


def test_wordpress_report(wordpress):
    _, out = wordpress
    counts = dict(re.findall(r"^  (\S[\w ()]*?)\s{2,}(\d+)$", out, re.MULTILINE))
    assert counts["posts"] == "3" and counts["pages"] == "1" and counts["drafts"] == "1"
    assert (counts["comments"], counts["trackbacks"], counts["pingbacks"]) == ("5", "1", "1")
    assert counts["items skipped"] == "4"
    assert "post type 'nav_menu_item': not content" in out
    assert "item 302 'Kaffeetasse „Resonanz“': post type 'produkt': unknown post type" in out
    assert "item 303 'Alter Beitrag im Papierkorb' (with 1 comment): status 'trash'" in out
    assert "comment 17: comment status 'trash'" in out
    assert "shortcode [gallery] left as text" in out
    assert ("https://alt.example/wp-content/uploads/2008/03/gespraech.jpg -> "
            "images/imported/2008/03/gespraech.jpg") in out
    assert "https://cdn.fremd.example/banner.png" in out.split("images on other sites")[1]
    # nothing downloaded without --download-media
    assert not (wordpress[0] / "images").exists()


def test_wordpress_redirects(wordpress):
    content, _ = wordpress
    folder = content.parent / "redirects"
    netlify = (folder / "_redirects").read_text(encoding="utf-8").splitlines()
    assert netlify[1:] == [
        "/2009/01/beschwerden-als-chance/ /2009/01/beschwerden-als-chance-2/ 301",
    ]
    nginx = (folder / "nginx-redirects.map").read_text(encoding="utf-8")
    assert 'map $uri $new_uri {\n    default "";\n' in nginx
    assert ('    "/2009/01/beschwerden-als-chance/" "/2009/01/beschwerden-als-chance-2/";\n'
            '    "/2009/01/beschwerden-als-chance" "/2009/01/beschwerden-als-chance-2/";\n}'
            ) in nginx
    page = lxml.html.fromstring(
        (folder / "html" / "2009/01/beschwerden-als-chance" / "index.html").read_bytes())
    target = "/2009/01/beschwerden-als-chance-2/"
    assert page.xpath("//link[@rel='canonical']/@href") == [target]
    assert page.xpath("//meta[@http-equiv='refresh']/@content") == [f"0; url={target}"]
    assert page.xpath("//body//a/@href") == [target]
    # unchanged URLs need no redirect (and must not shadow the new page): /über-uns/ kept
    assert not (folder / "html" / "2008").exists()
    assert not (folder / "html" / "über-uns").exists()


# --- Blogger and Movable Type -------------------------------------------------------------


def test_blogger_classic_export(content, capsys):
    code, out, _ = run(capsys, "--from", "blogger", str(FIXTURES / "blogger.xml"),
                       "--content", str(content))
    assert code == 0
    meta, body = front_matter(content / "posts" / "2010-05-04-shitstorm-ueberstanden.md")
    assert meta["title"] == "Shitstorm überstanden – fünf Lehren"
    assert meta["date"].isoformat() == "2010-05-04T09:15:00+02:00"
    assert meta["tags"] == ["Social Media", "Krisenkommunikation"]
    assert meta["old_url"] == (
        "https://resonanz-notizen.blogspot.com/2010/05/shitstorm-ueberstanden.html")
    assert body == (
        "Ein Wochenende voller Kritik. Was hilft?\n\n"
        "[![]({static}/images/imported/sturm-s320.jpg)]"
        "({static}/images/imported/sturm-s1600.jpg)\n\n"
        "**Erstens:** schnell antworten.  \n*Zweitens:* ehrlich bleiben.\n"
    )
    draft, _ = front_matter(content / "posts" / "2010-06-01-noch-nicht-veroeffentlicht.md")
    assert draft["status"] == "draft"
    page, _ = front_matter(content / "pages" / "impressum.md")
    assert page["title"] == "Impressum"
    found = responses(content, "shitstorm-ueberstanden")
    assert list(found) == ["blogger-comment-2001", "blogger-comment-2002"]
    assert found["blogger-comment-2001"]["author"] == "Jörg Schmidt"
    assert found["blogger-comment-2002"]["in_reply_to"] == "blogger-comment-2001"
    assert "comment 2003: belongs to post 'tag:blogger.com,1999:blog-777.post-999'" in out
    netlify = (content.parent / "redirects" / "_redirects").read_text(encoding="utf-8")
    assert "/2010/05/shitstorm-ueberstanden.html /2010/05/shitstorm-ueberstanden/ 301" in netlify
    assert "/p/impressum.html /impressum/ 301" in netlify
    # a .html permalink is a file on a static host, not a folder
    assert (content.parent / "redirects" / "html" / "p" / "impressum.html").is_file()


def test_blogger_takeout_export(content, capsys):
    code, out, _ = run(capsys, "--from", "blogger", str(FIXTURES / "blogger-2018.atom"),
                       "--content", str(content), "--old-base-url", "https://neu.example/")
    assert code == 0
    meta, _ = front_matter(content / "posts" / "2021-03-02-groesse-zeigen.md")
    assert meta["old_url"] == "https://neu.example/2021/03/groesse-zeigen.html"
    assert meta["date"].isoformat() == "2021-03-02T09:00:00+01:00"  # UTC shown in Berlin time
    found = responses(content, "groesse-zeigen")
    assert list(found) == ["blogger-comment-21", "blogger-comment-22"]
    assert found["blogger-comment-22"]["in_reply_to"] == "blogger-comment-21"
    assert "comment 23: deleted on Blogger" in out


def test_movabletype_export(content, capsys):
    code, out, _ = run(capsys, "--from", "movabletype", str(FIXTURES / "movabletype.txt"),
                       "--content", str(content), "--old-base-url", "http://mt.example/blog/")
    assert code == 0
    meta, body = front_matter(content / "posts" / "2008-03-26-community_moderation.md")
    assert meta["slug"] == "community_moderation"  # the basename is a valid path segment
    assert meta["tags"] == ["Moderation", "Regeln", "Über uns", "Netiquette"]
    assert meta["summary"] == "Kurz und klar: Regeln für Communities."
    assert meta["old_url"] == "http://mt.example/blog/2008/03/community_moderation.html"
    assert body == (
        "Gute Regeln sind kurz. Schöne Grüße aus Düsseldorf.  \nEine zweite Zeile.\n\n"
        "[![Regeln]({static}/images/imported/regeln-thumb.png)]"
        "({static}/images/imported/regeln.png)\n\n"
        "Dritter Absatz mit **fettem** Text.\n\nDer Rest des Beitrags: mehr zu Regeln.\n"
    )
    _, markdown_body = front_matter(content / "posts" / "2008-04-02-markenstimme_entwurf.md")
    assert markdown_body == "Eine **Markenstimme** ist _konsistent_.\n\n- Ton\n- Haltung\n"
    found = list(responses(content, "community_moderation").values())
    assert [(r["type"], r["author"]) for r in found] == [
        ("comment", "Mara König"), ("trackback", "Moderations-Blog")]
    assert found[0]["content"] == "<p>Danke für die Übersicht!</p><p>Wir nutzen drei Regeln.</p>"
    assert found[0]["id"].startswith("mt-comment-")
    assert found[1]["title"] == "Moderation im Alltag"
    assert "'Kaputtes Datum': DATE = '31.12.2008'" in out
    assert "comment by 'Ohne Datum': DATE = 'irgendwann'" in out
    netlify = (content.parent / "redirects" / "_redirects").read_text(encoding="utf-8")
    assert ("/blog/2008/03/community_moderation.html /2008/03/community_moderation/ 301"
            in netlify)
    # same export again: the generated comment ids are stable, nothing is added twice
    code, out, _ = run(capsys, "--from", "movabletype", str(FIXTURES / "movabletype.txt"),
                       "--content", str(content), "--old-base-url", "http://mt.example/blog/")
    assert re.search(r"files written\s+0$", out, re.MULTILINE)


def test_movabletype_truncated_entry_is_skipped(content, capsys, tmp_path):
    text = (FIXTURES / "movabletype.txt").read_text(encoding="utf-8")
    cut = tmp_path / "cut.txt"
    cut.write_text(text[: text.index("BASENAME: kaputt")], encoding="utf-8")
    code, out, _ = run(capsys, "--from", "movabletype", str(cut), "--content", str(content))
    assert code == 0
    assert "does not end with a line '--------': the file is probably truncated" in out
    assert len(list((content / "posts").iterdir())) == 2


# --- re-running is safe -------------------------------------------------------------------


def test_rerun_is_idempotent_and_keeps_hand_edits(wordpress, capsys):
    content, _ = wordpress
    before = digest(content.parent)
    args = ("--from", "wordpress", str(WXR), "--content", str(content))
    code, out, _ = run(capsys, *args)
    assert code == 0
    assert digest(content.parent) == before
    assert re.search(r"files written\s+0$", out, re.MULTILINE)

    post = content / "posts" / "2008-04-10-beschwerden-als-chance.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nVon Hand ergänzt.\n", encoding="utf-8")
    thread = content / "responses" / "kundenbindung-zuhoeren.yaml"
    entries = yaml.safe_load(thread.read_text(encoding="utf-8"))
    # a moderator approves a comment (with a YAML comment) and deletes the spam entry
    text = thread.read_text(encoding="utf-8").replace(
        "status: pending", "status: approved  # freigegeben von Lena")
    spam = re.search(r"- id: wp-comment-14\n(?:  .*\n)+", text).group(0)
    thread.write_text(text.replace(spam, ""), encoding="utf-8")
    edited = thread.read_text(encoding="utf-8")

    code, out, _ = run(capsys, *args)
    assert code == 0
    assert "Von Hand ergänzt." in post.read_text(encoding="utf-8")
    assert "posts/2008-04-10-beschwerden-als-chance.md: edited since the last import" in out
    # the file keeps every edit byte for byte; what was missing is appended
    merged = thread.read_text(encoding="utf-8")
    assert merged.startswith(edited)
    ids = [e["id"] for e in yaml.safe_load(merged)]
    assert ids == [e["id"] for e in entries if e["id"] != "wp-comment-14"] + ["wp-comment-14"]

    # a post deleted by hand stays deleted
    draft = content / "posts" / "2009-02-01-entwurf-community-regeln.md"
    draft.unlink()
    code, out, _ = run(capsys, *args)
    assert not draft.exists()
    assert "2009-02-01-entwurf-community-regeln.md: deleted since the last import" in out


def test_existing_files_are_never_overwritten(content, capsys):
    (content / "posts").mkdir()
    mine = content / "posts" / "2008-04-10-beschwerden-als-chance.md"
    mine.write_text("---\ntitle: Meins\nslug: beschwerden-als-chance\n---\n\nMeins.\n",
                    encoding="utf-8")
    code, out, _ = run(capsys, "--from", "wordpress", str(WXR), "--content", str(content))
    assert code == 0
    assert mine.read_text(encoding="utf-8").endswith("Meins.\n")
    # the slug is taken by a file the import did not write: both old posts move aside
    assert (content / "posts" / "2008-04-10-beschwerden-als-chance-2.md").is_file()
    assert (content / "posts" / "2009-01-12-beschwerden-als-chance-3.md").is_file()
    manifest = json.loads((content / ".resonanz-import.json").read_text(encoding="utf-8"))
    assert "posts/2008-04-10-beschwerden-als-chance.md" not in manifest["files"]


def test_dry_run_writes_nothing(content, capsys):
    code, out, _ = run(capsys, "--from", "wordpress", str(WXR), "--content", str(content),
                       "--dry-run")
    assert code == 0 and "dry run: nothing written" in out
    assert list(content.parent.iterdir()) == [content] and list(content.iterdir()) == []


# --- bad input ---------------------------------------------------------------------------


def test_truncated_xml_is_fatal_and_writes_nothing(content, capsys):
    code, out, err = run(capsys, "--from", "wordpress", str(FIXTURES / "truncated.xml"),
                         "--content", str(content))
    assert code == 1 and out == ""
    assert "truncated.xml: line 14, column 22: no element found" in err
    assert "export is probably truncated" in err and "nothing was written" in err
    assert list(content.parent.iterdir()) == [content] and list(content.iterdir()) == []


def test_windows_1252_bytes_in_utf8_are_read_and_reported(content, capsys):
    bad = str(FIXTURES / "wrong-encoding.xml")
    code, out, _ = run(capsys, "--from", "wordpress", bad, "--content", str(content))
    assert code == 0
    assert "bytes not valid UTF-8 (declared as encoding='UTF-8'), first at line 8, column 12 " \
        "(byte fc, 'ü'): read as Windows-1252" in out
    meta, body = front_matter(content / "posts" / "2008-03-26-gruesse.md")
    assert (meta["title"], body) == ("Grüße aus Köln", "Schöne Grüße.\n")
    # --encoding still works for the file that needs it, and gives the same text
    code, _, _ = run(capsys, "--from", "wordpress", bad, "--content", str(content),
                     "--encoding", "windows-1252")
    assert code == 0
    assert front_matter(content / "posts" / "2008-03-26-gruesse.md")[0]["title"] == \
        "Grüße aus Köln"


def test_unreadable_encoding_names_a_step_that_works(content, capsys):
    bad = str(FIXTURES / "wrong-encoding.xml")
    code, _, err = run(capsys, "--from", "wordpress", bad, "--content", str(content),
                       "--encoding", "ascii")
    assert code == 1
    assert "wrong-encoding.xml: line 8, column 12: byte fc is not valid ascii" in err
    assert "leave out --encoding" in err
    code, _, err = run(capsys, "--from", "wordpress", bad, "--content", str(content),
                       "--encoding", "klingonisch")
    assert code == 1 and "unknown encoding; leave out --encoding" in err


@pytest.mark.parametrize(
    ("source", "fixture", "message"),
    [
        ("wordpress", "blogger.xml", "not a WordPress export"),
        ("blogger", "wordpress.xml", "not a Blogger export"),
        ("movabletype", "wordpress.xml", "not a Movable Type export"),
        ("wordpress", "does-not-exist.xml", "does-not-exist.xml: file not found"),
    ],
)
def test_wrong_format_is_fatal(content, capsys, source, fixture, message):
    code, _, err = run(capsys, "--from", source, str(FIXTURES / fixture), "--content",
                       str(content))
    assert code == 1 and message in err


# --- redirects --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "path"),
    [("https://alt.example/2008/03/x/", "/2008/03/x/"), ("https://alt.example/%c3%bcber/",
                                                         "/über/"),
     ("https://x.blogspot.com/2010/05/a.html?m=1", "/2010/05/a.html"),
     ("https://alt.example/?p=12", None), ("https://alt.example/blog/?page_id=2", None),
     ("/../etc/passwd", None)],
)
def test_old_path(url, path):
    assert redirects.old_path(url) == path


def test_redirect_pages_never_replace_built_pages(tmp_path):
    folder, output = tmp_path / "redirects", tmp_path / "output"
    redirects.write_redirects(folder, {"/alt/": {"to": "/neu/", "title": "Neu"},
                                       "/neu-alt.html": {"to": "/neu/", "title": "Neu"}})
    (output / "alt").mkdir(parents=True)
    (output / "alt" / "index.html").write_text("gebaut", encoding="utf-8")
    copied = redirects.install_redirect_pages(folder, output)
    assert copied == ["neu-alt.html", "_redirects"]
    assert (output / "alt" / "index.html").read_text(encoding="utf-8") == "gebaut"
    assert redirects.install_redirect_pages(tmp_path / "missing", output) == []


def test_make_import_runs_the_importer(tmp_path):
    import subprocess

    root = Path(__file__).resolve().parent.parent
    content = tmp_path / "content"
    content.mkdir()  # the site's content/ exists; the importer refuses to guess one
    export = root / "tests" / "fixtures" / "import" / "wordpress.xml"
    result = subprocess.run(
        ["make", "--no-print-directory", "import", "FROM=wordpress", f"FILE={export}",
         f"INPUTDIR={content}"],
        cwd=root, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert list((content / "posts").glob("*.md"))
    assert list((content / "responses").glob("*.yaml"))
    assert (tmp_path / "redirects" / "_redirects").is_file()
    assert "comment" in result.stdout.lower()  # the closing report with its counts
