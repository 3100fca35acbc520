"""A corpus of bad inputs, each built normally and strictly: no traceback, one line naming
file, field, value and fix, the rest of the site written, content/ unchanged, nothing from
outside content/ published."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from conftest import ROOT, build_site
from resonanz_core.problems import StrictModeError

AUDIO = Path(__file__).parent / "fixtures" / "audio"
SECRET = "GEHEIM-7f3a9c"  # in files outside content/ and in the environment
ENV_SECRET = "UMGEBUNG-41be2d"


def post(title: str, date: str = "2026-01-10 10:00", body: str = "Text.", **fields) -> str:
    lines = [f"Title: {title}", f"Date: {date}", "Category: Test",
             *(f"{k}: {v}" for k, v in fields.items())]
    return "\n".join(lines) + f"\n\n{body}\n"


def yaml_post(front: str, body: str = "Text.") -> str:
    return f"---\n{front.strip()}\n---\n{body}\n"


@dataclasses.dataclass
class Case:
    """One bad input: the file (or link) and what its one problem line must contain."""

    path: str
    data: str | bytes | Path | None  # Path: copied; None: see `link`
    needles: tuple[str, ...]  # all in one line: file, field, value, fix
    link: str | None = None  # a symbolic link to this target instead of a file
    fifo: bool = False  # a named pipe instead of a file (reading it would never end)
    absent: str | None = None  # an output path that must not exist


def symlink(path: str, target: str, *needles: str, absent: str | None = None) -> Case:
    return Case(path, None, needles, link=target, absent=absent)


OUTSIDE = "{outside}"  # replaced by the folder outside content/ of the test


CASES: dict[str, Case] = {
    # -- posts: reading -------------------------------------------------------------------
    "latin1": Case("posts/latin1.md", post("Grüße").encode("cp1252"),
                   ("posts/latin1.md", "encoding = ", "0xfc", "looks like Windows-1252",
                    "save the file as UTF-8")),
    "binary": Case("posts/binaer.md", b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe\xfd",
                   ("posts/binaer.md", "encoding = ", "save the file as UTF-8")),
    "too-big": Case("posts/riesig.md", post("Riesig", body="x" * 1_100_000),
                    ("posts/riesig.md", "size = ", "bytes", "RESONANZ_MAX_SOURCE_BYTES")),
    "nested-list": Case("posts/liste.md", post("Liste", body="\n".join(
        "    " * i + "- Punkt" for i in range(300))),
        ("posts/liste.md", "nesting = ", "levels", "flatten them")),
    "nested-quote": Case("posts/zitat.md", post("Zitat", body="> " * 500 + "tief"),
                         ("posts/zitat.md", "nesting = '500 levels'", "flatten them")),
    "yaml-tab": Case("posts/tab.md", "---\ntitle: Tab\n\tdate: 2026-01-01\n---\nText\n",
                     ("posts/tab.md", "front matter = ", "line 3", "not tabs")),
    "yaml-quote": Case("posts/quote.md", yaml_post('title: "Offen\ndate: 2026-01-01'),
                       ("posts/quote.md", "front matter = ", "a quote is not closed")),
    "yaml-colon": Case("posts/doppelpunkt.md", yaml_post("title: Frage: Antwort\ndate: 2026-01-01"),
                       ("posts/doppelpunkt.md", "front matter = ", "line 2",
                        "put a value that contains ': ' in quotes")),
    "yaml-list": Case("posts/liste-oben.md", yaml_post("- title\n- date"),
                      ("posts/liste-oben.md", "front matter = 'list'", "one per line")),
    "yaml-duplicate": Case("posts/doppelt-feld.md",
                           yaml_post("title: Eins\ntitle: Zwei\ndate: 2026-01-11\ncategory: Test"),
                           ("posts/doppelt-feld.md", "title = line 3",
                            "the field is given twice", "delete one")),
    "authors-mapping": Case("posts/autor.md",
                            yaml_post("title: Autor\ndate: 2026-01-01\nauthors: {name: Jonas}"),
                            ("posts/autor.md", "authors = {'name': 'Jonas'}",
                             "expected text or a list of texts")),
    "title-list": Case("posts/titel-liste.md", yaml_post("title: [a, b]\ndate: 2026-01-01"),
                       ("posts/titel-liste.md", "title = ['a', 'b']", "expected one value")),
    "modified-word": Case("posts/gestern.md", post("Gestern", modified="gestern"),
                          ("posts/gestern.md", "modified = 'gestern'", "expected a date")),
    "tags-nested": Case("posts/tags.md",
                        yaml_post("title: Tags\ndate: 2026-01-01\ntags: [a, [b, c]]"),
                        ("posts/tags.md", "tags = ['a', ['b', 'c']]",
                         "expected text or a list of texts")),
    # -- posts: fields -----------------------------------------------------------------------
    "empty-title": Case("posts/leer.md", post(""),
                        ("posts/leer.md", "title = ''", "write a title")),
    "no-title": Case("posts/ohne-titel.md", "Date: 2026-01-01\n\nText.\n",
                     ("posts/ohne-titel.md", "title = None", "missing", "Title: ")),
    "emoji-title": Case("posts/emoji.md", post("🎉🚀"),
                        ("posts/emoji.md", "title = '🎉🚀'", "no usable slug", "slug:")),
    "punct-title": Case("posts/satzzeichen.md", post("?!?"),
                        ("posts/satzzeichen.md", "title = '?!?'", "no usable slug")),
    "same-slug": Case("posts/gut-kopie.md", post("Gut", date="2026-01-20 10:00"),
                      ("posts/gut-kopie.md", "title = 'Gut'", "2026/01/gut/index.html",
                       "posts/gut.md", "another title")),
    "slug-dots": Case("posts/punkte.md", post("Punkte", slug=".."),
                      ("posts/punkte.md", "slug = '..'", "letters, digits and '-'")),
    "slug-space": Case("posts/leerzeichen.md", post("Leer", slug="mein beitrag"),
                       ("posts/leerzeichen.md", "slug = 'mein beitrag'", "letters, digits")),
    "slug-slash": Case("posts/schraeg.md", post("Schräg", slug="a/b/c"),
                       ("posts/schraeg.md", "slug = 'a/b/c'", "letters, digits"),
                       absent="2026/01/a/b/c/index.html"),
    "series-index": Case("posts/serie.md", post("Serie", series="S", series_index="zwei"),
                         ("posts/serie.md", "series_index = 'zwei'", "whole number")),
    "control-title": Case("posts/steuer.md", post("Klingel\x07zeichen"),
                          ("posts/steuer.md", "title = 'Klingel\\x07zeichen'", "U+0007",
                           "delete it")),
    "control-text": Case("posts/steuer-text.md", post("Steuertext", body="a\x0cb"),
                         ("posts/steuer-text.md", "text = 'U+000C in line 5'", "delete it")),
    "control-summary": Case("posts/steuer-summary.md", post("Steuer", summary="x\x1bx"),
                            ("posts/steuer-summary.md", "summary = ", "U+001B")),
    "category-emoji": Case("posts/kategorie.md",
                           "Title: Kategorie\nDate: 2026-01-10\nCategory: 🎉\n\nText.\n",
                           ("posts/kategorie.md", "category = '🎉'", "no usable slug")),
    "tag-emoji": Case("posts/schlagwort.md", post("Schlagwort", tags="gut, 🚀"),
                      ("posts/schlagwort.md", "tags = '🚀'", "no usable slug")),
    "author-emoji": Case("posts/autorin.md", post("Autorin", author="✨"),
                         ("posts/autorin.md", "author = '✨'", "no usable slug")),
    "template": Case("posts/vorlage.md", post("Vorlage", template="fehlt"),
                     ("posts/vorlage.md", "template = 'fehlt'", "no such template")),
    "page-template": Case("pages/vorlage.md", "Title: Vorlage\nTemplate: gibtsnicht\n\nT.\n",
                          ("pages/vorlage.md", "template = 'gibtsnicht'", "no such template")),
    "lang": Case("posts/sprache.md", post("Sprache", lang="xx"),
                 ("posts/sprache.md", "lang = 'xx'", "expected one of de, en")),
    "teaser-missing": Case("posts/teaser.md", post("Teaser", image="images/fehlt.jpg"),
                           ("posts/teaser.md", "image = 'images/fehlt.jpg'",
                            "no such file in content/")),
    "teaser-outside": Case("posts/teaser-raus.md", post("TeaserRaus", image="../../etc/passwd"),
                           ("posts/teaser-raus.md", "image = '../../etc/passwd'",
                            "leaves content/")),
    "typo-field": Case("posts/tippfehler.md", post("Tippfehler", categroy="Test"),
                       ("posts/tippfehler.md", "categroy = 'Test'", "unknown field")),
    "comments-enum": Case("posts/kommentare.md", post("Kommentare", comments="vielleicht"),
                          ("posts/kommentare.md", "comments = 'vielleicht'",
                           "one of open, closed, hidden")),
    "status-enum": Case("posts/status.md", post("Status", status="bald"),
                        ("posts/status.md", "status = 'bald'", "expected one of published")),
    "link-missing": Case("posts/link.md", post("Link", body="[x]({filename}fehlt.md)"),
                         ("posts/link.md", "{filename}fehlt.md", "no such file in content/")),
    "link-outside": Case("posts/link-raus.md",
                         post("LinkRaus", body="![x]({static}../../../etc/passwd)"),
                         ("posts/link-raus.md", "{static}../../../etc/passwd",
                          "leaves content/")),
    # -- dates -------------------------------------------------------------------------------
    "date-invalid": Case("posts/datum.md", post("Datum", date="2026-13-45 99:00"),
                         ("posts/datum.md", "date = '2026-13-45 99:00'", "expected a date")),
    "date-ambiguous": Case("posts/datum-us.md", post("DatumUS", date="01/02/2026"),
                           ("posts/datum-us.md", "date = '01/02/2026'", "ambiguous")),
    "date-short-year": Case("posts/datum-kurz.md", post("DatumKurz", date="01.02.26"),
                            ("posts/datum-kurz.md", "date = '01.02.26'", "ambiguous")),
    "date-no-day": Case("posts/datum-31.md", post("Datum31", date="31.02.2026"),
                        ("posts/datum-31.md", "date = '31.02.2026'", "no such day")),
    "date-missing": Case("posts/ohne-datum.md", "Title: Ohne Datum\nCategory: Test\n\nText.\n",
                         ("posts/ohne-datum.md", "date = None", "missing", "Date: 2026")),
    "modified-ambiguous": Case("posts/geaendert.md", post("Geändert", modified="3/4/2026"),
                               ("posts/geaendert.md", "modified = '3/4/2026'", "ambiguous")),
    # -- links from outside content/ ---------------------------------------------------------
    "post-symlink": symlink("posts/geheim.md", f"{OUTSIDE}/geheim.md",
                            "posts/geheim.md", "symlink = ", "leaves content/"),
    "post-loop": symlink("posts/schleife.md", "schleife.md",
                         "posts/schleife.md", "symlink = 'schleife.md'", "loop"),
    "post-dangling": symlink("posts/weg.md", "nirgends.md",
                             "posts/weg.md", "symlink = 'nirgends.md'", "to nothing"),
    "image-passwd": symlink("images/passwd.png", "/etc/passwd",
                            "images/passwd.png", "symlink = '/etc/passwd'", "leaves content/",
                            absent="images/passwd.png"),
    "image-environ": symlink("images/environ.png", "/proc/self/environ",
                             "images/environ.png", "symlink = '/proc/self/environ'",
                             "leaves content/", absent="images/environ.png"),
    "image-secret": symlink("images/geheim.jpg", f"{OUTSIDE}/geheim.jpg",
                            "images/geheim.jpg", "leaves content/", absent="images/geheim.jpg"),
    "folder-outside": symlink("images/fremd", f"{OUTSIDE}/ordner",
                              "images/fremd", "symlink = ", "leaves content/",
                              absent="images/fremd"),
    "folder-loop": symlink("images/kreis", "..", "images/kreis", "symlink = '..'", "loop",
                           absent="images/kreis"),
    "image-loop": symlink("images/selbst.png", "selbst.png", "images/selbst.png", "loop"),
    "post-fifo": Case("posts/rohr.md", None, ("posts/rohr.md", "file = 'posts/rohr.md'",
                                              "not a regular file"), fifo=True),
    "image-fifo": Case("images/rohr.png", None, ("images/rohr.png", "not a regular file"),
                       fifo=True, absent="images/rohr.png"),
    "extra-environ": symlink("extra/env.ico", "/proc/self/environ", "extra/env.ico",
                             "leaves content/", absent="extra/env.ico"),
    # -- pages -------------------------------------------------------------------------------
    "page-archive": Case("pages/archiv.md", "Title: Archiv\n\nSeite.\n",
                         ("pages/archiv.md", "title = 'Archiv'", "archiv/index.html",
                          "archives listing")),
    "page-year": Case("pages/jahr.md", "Title: 2026\n\nSeite.\n",
                      ("pages/jahr.md", "title = '2026'", "2026/index.html", "a year archive")),
    "page-feeds": Case("pages/kategorie.md", "Title: Kategorie\n\nSeite.\n",
                       ("pages/kategorie.md", "kategorie/index.html", "the categories listing")),
    "page-episodes": Case("pages/episoden.md", "Title: Episoden\n\nSeite.\n",
                          ("pages/episoden.md", "episoden/index.html",
                           "PODCAST_INDEX_SAVE_AS")),
    "page-emoji": Case("pages/emoji.md", "Title: 🙂\n\nSeite.\n",
                       ("pages/emoji.md", "title = '🙂'", "no usable slug")),
    "page-same": Case("pages/kontakt-2.md", "Title: Kontakt\n\nNoch eine.\n",
                      ("pages/kontakt-2.md", "kontakt/index.html", "pages/kontakt.md")),
    "page-control": Case("pages/steuer.md", "Title: Seite\x00Null\n\nSeite.\n",
                         ("pages/steuer.md", "title = ", "U+0000")),
    "page-latin1": Case("pages/latin.md", "Title: Über\n\nÄrger.\n".encode("latin-1"),
                        ("pages/latin.md", "encoding = ", "save the file as UTF-8")),
    "page-slug-slash": Case("pages/pfad.md", "Title: Pfad\nSlug: ../../etc\n\nSeite.\n",
                            ("pages/pfad.md", "slug = '../../etc'", "letters, digits")),
    "page-html-date": Case("pages/html-datum.html",
                           '<html><head><title>Datum</title><meta name="date" content="1/2/2026">'
                           "</head><body><p>Text</p></body></html>",
                           ("pages/html-datum.html", "date = '1/2/2026'", "ambiguous")),
    "page-html-latin1": Case("pages/html-latin.html",
                             "<html><head><title>Grüße</title></head><body>Ä</body></html>"
                             .encode("cp1252"),
                             ("pages/html-latin.html", "encoding = ", "Windows-1252")),
    "save-as-outside": Case("posts/raus.md", post("Raus", save_as="../../raus.html"),
                            ("posts/raus.md", "save_as = '../../raus.html'",
                             "outside the output folder")),
    "page-symlink": symlink("pages/passwd.md", "/etc/passwd", "pages/passwd.md",
                            "leaves content/"),
    # -- responses ----------------------------------------------------------------------------
    "response-future": Case("responses/gut.yaml", (
        "- id: k1\n  type: comment\n  status: approved\n  author: Zeitreisende\n"
        "  published: 2030-01-01T10:00:00+01:00\n  content: Aus der Zukunft.\n"),
        ("responses/gut.yaml", "published = '2030-01-01T10:00:00+01:00'", "in the future",
         "correct the date")),
    "response-symlink": symlink("responses/andere.yaml", f"{OUTSIDE}/antworten.yaml",
                                "responses/andere.yaml", "leaves content/"),
    "response-orphan": Case("responses/niemand.yaml", (
        "- id: k1\n  type: comment\n  status: approved\n  author: A\n"
        "  published: 2026-01-01T10:00:00+01:00\n  content: Hallo.\n"),
        ("responses/niemand.yaml", "slug = 'niemand'")),
    "response-yaml-tab": Case("responses/tab.yaml", "- id: k1\n\ttype: comment\n",
                              ("responses/tab.yaml", "line 2 = ", "tab character",
                               "valid YAML")),
    "response-latin1": Case("responses/latin.yaml", "- id: k1\n  author: Jürgen\n".encode(
        "cp1252"), ("responses/latin.yaml", "file = ", "0xfc", "UTF-8 YAML file")),
    "data-symlink": symlink("data/popular.yaml", "/proc/self/environ", "data/popular.yaml",
                            "leaves content/"),
    # -- episodes -----------------------------------------------------------------------------
    "episode-audio-outside": symlink("episodes/009-geheim.mp3", f"{OUTSIDE}/geheim.mp3",
                                     "episodes/009-geheim.mp3", "leaves content/",
                                     absent="episoden/009-geheim/index.html"),
    "episode-notes-latin1": Case("episodes/010-latin.md", post("Ümlaut").encode("cp1252"),
                                 ("episodes/010-latin.md", "encoding", "UTF-8")),
    "episode-notes-tab": Case("episodes/011-tab.md", "---\ntitle: T\n\tdate: 2026-01-01\n---\n",
                              ("episodes/011-tab.md", "front matter", "not tabs")),
    "episode-audio-path": Case("episodes/012-raus.md", post("Raus", audio="../../etc/passwd"),
                               ("episodes/012-raus.md", "audio = '../../etc/passwd'",
                                "leaves content/")),
    "episode-control": Case("episodes/014-steuer.md", post("Folge\x07"),
                            ("episodes/014-steuer.md", "title = 'Folge\\x07'", "U+0007")),
    "episode-cover-loop": Case("episodes/013-schleife.md",
                               post("Schleife", cover="schleife.jpg", transcript="kreis.vtt"),
                               ("episodes/013-schleife.md", "cover = 'schleife.jpg'",
                                "file not found")),
    "episode-loop-link": symlink("episodes/schleife.jpg", "schleife.jpg",
                                 "episodes/schleife.jpg", "loop"),
    "episode-transcript-loop": symlink("episodes/kreis.vtt", "kreis.vtt",
                                       "episodes/kreis.vtt", "loop"),
}

# Cases that are not a file in content/: settings and the theme (same build).
SETTINGS_CASES = {
    "stylesheet-missing": ("pelicanconf.py", "RESONANZ_STYLESHEETS = 'css/geloescht.css'",
                           "no such file in theme/static/"),
    "script-missing": ("pelicanconf.py", "RESONANZ_SCRIPTS = 'js/weg.js'",
                       "no such file in theme/static/"),
    "theme-link-missing": ("theme/templates/", "link = 'js/comments.js'",
                           "no such file in theme/static/"),
    "theme-symlink": ("theme/static/css/geheim.css", "symlink = ", "leaves theme/"),
    "theme-template-symlink": ("theme/templates/robots.html", "symlink = ", "leaves theme/"),
    "limit-setting": ("pelicanconf.py", "RESONANZ_MAX_NESTING = 'zwanzig'",
                      "expected a whole number"),
    "podcast-setting": ("pelicanconf.py", "PODCAST_TYPE = 'irgendwie'", "episodic"),
}

GOOD_POST = post("Gut", date="2026-01-05 10:00", body="Guter Text.")


def content_digest(root: Path) -> dict[str, str]:
    """Every entry below root, links by their target (never followed)."""
    digest = {}
    for dirpath, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            path = Path(dirpath) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                digest[rel] = "-> " + os.readlink(path)
            elif path.is_file():
                digest[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


def make_corpus(base: Path) -> tuple[Path, Path, dict]:
    """content/ with every case plus good files, a folder outside it, and a theme copy."""
    content, outside, theme = base / "content", base / "outside", base / "theme"
    for folder in ("posts", "pages", "images", "extra", "episodes", "responses", "data",
                   "images/podcast"):
        (content / folder).mkdir(parents=True, exist_ok=True)
    (outside / "ordner").mkdir(parents=True)
    for name in ("geheim.md", "geheim.jpg", "ordner/geheim.txt", "ordner/bild.png",
                 "antworten.yaml"):
        (outside / name).write_text(f"Title: {SECRET}\nDate: 2026-01-01\n\n{SECRET}\n",
                                    encoding="utf-8")
    shutil.copy(AUDIO / "cbr.mp3", outside / "geheim.mp3")
    (content / "posts/gut.md").write_text(GOOD_POST, encoding="utf-8")
    (content / "posts/deutsch.md").write_text(post("Deutsch", date="01.02.2026 09:30"),
                                              encoding="utf-8")
    (content / "posts/geplant.md").write_text(post("Geplant", date="2099-01-01 10:00"),
                                              encoding="utf-8")
    (content / "pages/kontakt.md").write_text("Title: Kontakt\n\nSeite.\n", encoding="utf-8")
    shutil.copy(AUDIO / "cover-ok.jpg", content / "images/podcast/cover.jpg")
    shutil.copy(AUDIO / "cbr.mp3", content / "episodes/001-gut.mp3")
    shutil.copy(AUDIO / "cbr.mp3", content / "episodes/013-schleife.mp3")  # its notes: a case
    (content / "episodes/001-gut.md").write_text(post("Folge eins"), encoding="utf-8")
    for case in CASES.values():
        target = content / case.path
        if case.link is not None:
            os.symlink(case.link.replace(OUTSIDE, str(outside)), target)
        elif case.fifo:
            os.mkfifo(target)
        elif isinstance(case.data, bytes):
            target.write_bytes(case.data)
        else:
            target.write_text(case.data, encoding="utf-8")
    shutil.copytree(ROOT / "theme", theme)
    (theme / "static/js/comments.js").unlink()
    os.symlink(outside / "geheim.jpg", theme / "static/css/geheim.css")
    (theme / "templates/robots.html").unlink()
    os.symlink(outside / "geheim.md", theme / "templates/robots.html")
    settings = {
        "THEME": str(theme),
        "RESONANZ_STYLESHEETS": ["site.css", "geloescht.css"],
        "RESONANZ_SCRIPTS": ["embeds.js", "weg.js"],
        "PODCAST_TYPE": "irgendwie",
        "RESONANZ_MAX_NESTING": "zwanzig",
        "RESONANZ_JOBS": 2,  # the parallel reader and writer, as in a real build
    }
    return content, outside, settings


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    base = tmp_path_factory.mktemp("corpus")
    content, _outside, settings = make_corpus(base)
    before = content_digest(content)
    os.environ["RESONANZ_TEST_SECRET"] = ENV_SECRET
    records = _Records()
    logging.getLogger().addHandler(records)
    try:
        normal = build_site(content, base / "output", **settings)
        strict = build_site(content, base / "strict", RESONANZ_STRICT=True, **settings)
    finally:
        del os.environ["RESONANZ_TEST_SECRET"]
        logging.getLogger().removeHandler(records)
    return {"normal": normal, "strict": strict, "before": before,
            "after": content_digest(content), "content": content, "records": records.records}


class _Records(logging.Handler):
    """Every warning and error the builds logged, as the console shows them."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _line_with(lines: list[str], needles: tuple[str, ...]) -> str | None:
    return next((line for line in lines if all(n in line for n in needles)), None)


def test_the_corpus_has_sixty_bad_inputs():
    assert len(CASES) + len(SETTINGS_CASES) >= 60
    kinds = {case.path.split("/")[0] for case in CASES.values()}
    assert {"posts", "pages", "images", "episodes", "responses", "data", "extra"} <= kinds


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_bad_input_gets_one_line_naming_file_field_value_fix(corpus, name):
    case = CASES[name]
    for build in ("normal", "strict"):
        lines = corpus[build].problems
        line = _line_with(lines, case.needles)
        assert line is not None, f"{build}: no line with {case.needles} in\n" + "\n".join(lines)
        assert "Traceback" not in line and "\n" not in line
    if case.absent:
        assert not (corpus["normal"].output / case.absent).exists()


@pytest.mark.parametrize("name", sorted(SETTINGS_CASES))
def test_settings_and_theme_problems_are_reported(corpus, name):
    for build in ("normal", "strict"):
        assert _line_with(corpus[build].problems, SETTINGS_CASES[name]) is not None, (
            "\n".join(corpus[build].problems))


def test_the_rest_of_the_site_is_written_and_strict_fails_once(corpus):
    normal, strict = corpus["normal"], corpus["strict"]
    assert normal.error is None
    assert isinstance(strict.error, StrictModeError) and strict.error.exitcode == 1
    message = str(strict.error)
    assert message.startswith("Strict mode: ") and "Traceback" not in message
    for case in CASES.values():
        assert case.needles[0] in message
    for result in (normal, strict):
        out = result.output
        for page in ("index.html", "2026/01/gut/index.html", "kontakt/index.html",
                     "episoden/001-gut/index.html", "archiv/index.html", "feeds/alle.atom.xml",
                     "feeds/podcast.xml", "theme/css/site.css"):
            assert (out / page).is_file(), page
    feed = feedparser.parse((normal.output / "feeds/alle.atom.xml").read_bytes())
    assert not feed.bozo
    titles = {entry.title for entry in feed.entries}
    assert {"Gut", "Deutsch"} <= titles
    assert "Geplant" not in titles  # scheduled for 2099


def test_no_traceback_and_one_line_per_message_on_the_console(corpus):
    records = corpus["records"]
    assert len(records) > 60
    for record in records:
        assert not record.exc_info, record.getMessage()
        assert "\n" not in record.getMessage(), record.getMessage()


def test_content_is_unchanged(corpus):
    assert corpus["after"] == corpus["before"]


def test_nothing_from_outside_content_is_published(corpus):
    for build in ("normal", "strict"):
        out = corpus[build].output
        for path in out.rglob("*"):
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                assert SECRET.encode() not in data, path
                assert ENV_SECRET.encode() not in data, path
                assert b"root:x:0:0" not in data, path
        assert not (out / "theme/css/geheim.css").exists()
        assert not list(out.glob("**/geheim*"))


def test_german_date_is_read_day_first_and_future_is_scheduled(corpus):
    out = corpus["normal"].output
    assert (out / "2026/02/deutsch/index.html").is_file()  # 1 February, not 2 January
    assert not (out / "2026/01/deutsch").exists()
    assert "Geplant" not in (out / "index.html").read_text(encoding="utf-8")
    assert not (out / "2099").exists()


def test_yaml_error_has_no_traceback_and_no_misleading_title_message(corpus):
    text = "\n".join(corpus["normal"].problems)
    assert "could not find information about 'title'" not in _lines_for(text, "posts/tab.md")
    assert "Error parsing YAML" not in text


def _lines_for(text: str, source: str) -> str:
    return "\n".join(line for line in text.splitlines() if source in line)


def test_cli_lines_are_unwrapped_and_strict_exits_1_without_traceback(tmp_path):
    """`pelican` as CI runs it: output piped, one line per problem, exit code 1."""
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "posts/gut.md").write_text(GOOD_POST, encoding="utf-8")
    long_name = "ein-sehr-langer-dateiname-der-in-achtzig-spalten-nicht-passt-und-umbricht.md"
    (content / "posts" / long_name).write_bytes(post("Grüße").encode("cp1252"))
    (content / "posts/serie.md").write_text(post("Serie", series="S", series_index="zwei"),
                                            encoding="utf-8")
    (content / "posts/gut-kopie.md").write_text(post("Gut", date="2026-01-06"), encoding="utf-8")
    command = [str(Path(sys.executable).parent / "pelican"), str(content), "-o",
               str(tmp_path / "out"), "-s", str(ROOT / "pelicanconf.py"),
               "--cache-path", str(tmp_path / "cache")]
    env = {**os.environ, "COLUMNS": "80"}
    normal = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert normal.returncode == 0, normal.stdout + normal.stderr
    output = normal.stdout + normal.stderr
    line = _lines_for(output, long_name)
    assert re.search(rf"ERROR +resonanz_core: posts/{long_name}: encoding = .*save the file "
                     "as UTF-8", line), output
    assert "series_index = 'zwei': expected a whole number" in output
    # Pelican's own warning about the two "gut" posts lists their files on one line too
    assert not [line for line in output.splitlines() if line.startswith(str(tmp_path))], output
    assert re.search(r"There are 2 items .*with slug \"gut\".*: \S+gut(-kopie)?\.md, ", output)
    assert (tmp_path / "out/2026/01/gut/index.html").is_file()
    strict = subprocess.run(command, capture_output=True, text=True, timeout=300,
                            env={**env, "RESONANZ_STRICT": "1"})
    output = strict.stdout + strict.stderr
    assert strict.returncode == 1, output
    assert "Traceback" not in output
    assert output.count("Strict mode: 5 problem(s)") == 1
    assert re.search(rf"^  \d\. ERROR: resonanz_core: posts/{long_name}: encoding = .* save "
                     "the file as UTF-8; the file is left out$", output, re.MULTILINE), output


def test_a_scheduled_post_appears_at_its_time_even_from_the_cache(tmp_path):
    """Pelican's content cache keeps a scheduled post as a draft, and the unchanged-build
    shortcut would skip the build: both must let it appear once its time has come."""
    import datetime as dt
    import time
    from zoneinfo import ZoneInfo

    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "posts/gut.md").write_text(GOOD_POST, encoding="utf-8")
    soon = dt.datetime.now(ZoneInfo("Europe/Berlin")) + dt.timedelta(seconds=4)
    date = soon.strftime("%d.%m.%Y %H:%M:%S")
    (content / "posts/bald.md").write_text(post("Bald", date=date), encoding="utf-8")
    first = build_site(content, tmp_path / "out", RESONANZ_SKIP_UNCHANGED=True)
    assert first.error is None and first.problems == []
    home = tmp_path / "out/index.html"
    assert "Bald" not in home.read_text(encoding="utf-8")
    time.sleep(max(0.0, (soon - dt.datetime.now(soon.tzinfo)).total_seconds()) + 1)
    second = build_site(content, tmp_path / "out", RESONANZ_SKIP_UNCHANGED=True)
    assert second.error is None
    assert "Bald" in home.read_text(encoding="utf-8")
    assert (tmp_path / "out" / soon.strftime("%Y/%m") / "bald/index.html").is_file()


def test_check_step_reports_late_chapters_and_backward_cues(tmp_path, capsys):
    """A chapter at 15:00 in a 6-second episode and a cue that ends before it starts:
    `make check` (python -m resonanz check) names the feed item, the file and the time."""
    from resonanz.check import main

    content = tmp_path / "content"
    (content / "episodes").mkdir(parents=True)
    (content / "images/podcast").mkdir(parents=True)
    shutil.copy(AUDIO / "cover-ok.jpg", content / "images/podcast/cover.jpg")
    for stem in ("001-kapitel", "002-untertitel"):
        shutil.copy(AUDIO / "cbr.mp3", content / f"episodes/{stem}.mp3")
    (content / "episodes/001-kapitel.md").write_text(post("Kapitel"), encoding="utf-8")
    (content / "episodes/001-kapitel.chapters.txt").write_text(
        "00:00:00.000 Anfang\n00:15:00.000 Viel zu spät\n", encoding="utf-8")
    (content / "episodes/002-untertitel.md").write_text(post("Untertitel"), encoding="utf-8")
    (content / "episodes/002-untertitel.vtt").write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHallo.\n\n"
        "00:00:04.000 --> 00:00:03.000\nRückwärts.\n", encoding="utf-8")
    result = build_site(content, tmp_path / "out")
    assert result.error is None
    code = main([str(tmp_path / "out"), "--only", "podcast", "-q"])
    out = capsys.readouterr().out
    assert code == 1
    assert re.search(r"item 'Kapitel' chapters.*start at 900 s, after the end of the audio "
                     r"\(6 s\)", out), out
    assert re.search(r"item 'Untertitel' .*002-untertitel\.vtt line 6: cue ends "
                     r"\(00:00:03\.000\) before it starts \(00:00:04\.000\)", out), out


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_page_that_cannot_be_rendered_is_named_and_the_rest_written(tmp_path, jobs):
    """A template error on one post (here: a theme override that fails for it) leaves
    that page out with its source file named; the build and every other page go on."""
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    for n in range(12):
        (content / f"posts/beitrag-{n:02d}.md").write_text(
            post(f"Beitrag {n:02d}", date=f"2026-01-{n + 1:02d} 10:00"), encoding="utf-8")
    (content / "posts/boom.md").write_text(post("Boom", date="2026-01-20 10:00"),
                                           encoding="utf-8")
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    (overrides / "article.html").write_text(
        '{% extends "!theme/article.html" %}{% block content %}'
        '{% if article.slug == "boom" %}{{ article.title.nicht_da() }}{% endif %}'
        "{{ super() }}{% endblock %}", encoding="utf-8")
    result = build_site(content, tmp_path / "out", RESONANZ_JOBS=jobs,
                        THEME_TEMPLATES_OVERRIDES=[str(overrides)])
    assert result.error is None
    line = _line_with(result.problems, ("posts/boom.md", "page = '2026/01/boom/index.html'",
                                        "could not be written", "nicht_da"))
    assert line is not None, "\n".join(result.problems)
    assert not (tmp_path / "out/2026/01/boom/index.html").exists()
    for n in range(12):
        assert (tmp_path / f"out/2026/01/beitrag-{n:02d}/index.html").is_file()
    assert (tmp_path / "out/index.html").is_file()


def test_show_artwork_from_outside_content_is_refused(tmp_path):
    content = tmp_path / "content"
    (content / "episodes").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    shutil.copy(AUDIO / "cover-ok.jpg", tmp_path / "outside/cover.jpg")
    (content / "images").mkdir()
    os.symlink(tmp_path / "outside/cover.jpg", content / "images/cover.jpg")
    shutil.copy(AUDIO / "cbr.mp3", content / "episodes/001-eins.mp3")
    (content / "episodes/001-eins.md").write_text(post("Eins"), encoding="utf-8")
    cover = (tmp_path / "outside/cover.jpg").read_bytes()
    for image in ("../outside/cover.jpg", "images/cover.jpg"):
        out = tmp_path / f"out-{image.count('/')}"
        result = build_site(content, out, PODCAST_IMAGE=image)
        assert result.error is None
        assert _line_with(result.problems, ("pelicanconf.py", f"PODCAST_IMAGE = '{image}'",
                                            "leaves content/")), result.problems
        assert (out / "episoden/001-eins/index.html").is_file()
        assert not [p for p in out.rglob("*") if p.is_file() and p.read_bytes() == cover]
