"""Batch builds with the dependency record (resonanz_fastbuild/outputs.py) write what a
cold build writes, byte for byte (Pagefind's index aside): random sequences of edits,
additions and deletions of posts, response files and episodes, a `pelican` run in its
own process after every edit (as `make html` is), the last output compared with a cold
build of the same content. The record must also be used: a text edit replays most pages.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import ROOT, tree_digest
from hypothesis import HealthCheck, Phase, event, given, seed, settings
from hypothesis import strategies as st
from test_devserver_incremental import (
    OPENING,
    TAGS,
    WORDS,
    PostsOnDisk,
    assert_same_output,
    bodies,
    overrides,
    posts,
    save,
    sentences,
    titles,
    without_search_index,
)

pytestmark = [pytest.mark.slow, pytest.mark.fastbuild]

BUILD = """
import json, logging, sys
sys.path.insert(0, {plugins!r})
logging.basicConfig(level=logging.INFO, format="%(message)s")
logging.getLogger("resonanz_search").setLevel(logging.DEBUG)  # which pages were read
from pelican import Pelican
from pelican.settings import read_settings
Pelican(read_settings({conf!r}, override=json.loads(sys.argv[1]))).run()
"""
RECORD = re.compile(r"(\d+) pages as the last build wrote them, (\d+) rendered")
FEEDS = re.compile(r"(\d+) feeds as they were, (\d+) written")
PARTIALS = re.compile(r"(\d+) partials as the last build made them, (\d+) rendered")
TEXT_PATH = re.compile(r"only the text of (\d+) post\(s\) changed")


LOGS: list[str] = []  # the log of each build, the last one last


def build(content: Path, output: Path, cache: Path | None = None, theme: Path | None = None,
          extra: dict | None = None) -> tuple[int, int] | str | None:
    """One batch build in a new process; (replayed, rendered) pages, "text" when it
    wrote edited posts' pages alone (textpath.py), or None when the build stopped early
    (nothing changed)."""
    settings_ = overrides(content, output)
    settings_["RESONANZ_JOBS"] = 2  # workers too: their records come back
    settings_.update(extra or {})
    if cache is not None:
        settings_["CACHE_PATH"] = str(cache / "pelican")
    if theme is not None:
        settings_["THEME"] = str(theme)
    script = BUILD.format(plugins=str(ROOT / "plugins"), conf=str(ROOT / "pelicanconf.py"))
    run = subprocess.run([sys.executable, "-c", script, json.dumps(settings_)], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    LOGS.append(run.stdout + run.stderr)
    if TEXT_PATH.search(run.stdout + run.stderr):
        return "text"
    found = RECORD.findall(run.stderr)
    if not found:
        return None
    last = found[-1]  # the writer reports after each of its flushes; the last counts all
    return int(last[0]), int(last[1])


def equals_cold(content: Path, output: Path, folder: Path, note: str,
                theme: Path | None = None, extra: dict | None = None) -> None:
    built = without_search_index(tree_digest(output))
    cold_output = folder / "cold"
    build(content, cold_output, folder / "cold-cache", theme, extra)
    assert_same_output(without_search_index(tree_digest(cold_output)), built, note)
    shutil.rmtree(cold_output)
    shutil.rmtree(folder / "cold-cache", ignore_errors=True)


RESPONSE = """- id: {id}
  type: comment
  status: approved
  author: {author}
  published: 2026-05-{day:02d}T10:00:00+02:00
  content: {text}
"""

def how(counts: tuple[int, int] | str | None) -> str:
    if counts == "text":
        return "edited posts' pages alone"
    return "replayed some pages" if counts and counts[0] else "rendered every page"


edits = st.one_of(
    st.tuples(st.just("body"), st.integers(0, 20), bodies),
    st.tuples(st.just("title"), st.integers(0, 20), titles),
    st.tuples(st.just("day"), st.integers(0, 20), st.integers(1, 28)),
    st.tuples(st.just("tags"), st.integers(0, 20),
              st.lists(st.sampled_from(TAGS), max_size=2, unique=True)),
    st.tuples(st.just("add"), st.integers(0, 20), posts),
    st.tuples(st.just("delete"), st.integers(0, 20), st.none()),
    st.tuples(st.just("comment"), st.integers(0, 20), sentences),
)


class Site(PostsOnDisk):
    """A synthetic site on disk, built by a new `pelican` process after every edit."""

    def __init__(self, root: Path, first: list[dict]) -> None:
        super().__init__(root, first)
        self.output = root / "output"
        self.counts: list[tuple[int, int] | None] = [build(self.content, self.output)]

    def apply(self, edit: tuple) -> None:
        kind, index, value = edit
        if kind == "comment":
            responses = self.content / "responses" / f"{self.pick(index)}.yaml"
            before = responses.read_text(encoding="utf-8") if responses.exists() else ""
            number = before.count("- id: ")  # ids unique within the file
            save(responses, before + RESPONSE.format(id=f"k{number}", author="Mara S.",
                                                      day=index % 28 + 1,
                                                      text=json.dumps(value)))
        else:
            changed = self.write(edit)
            if changed is None:
                return
            if kind == "delete":
                (self.content / "responses" / f"{changed.stem}.yaml").unlink(missing_ok=True)
        self.counts.append(build(self.content, self.output))


@seed(19)
@settings(max_examples=8, deadline=None, database=None, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(first=st.lists(posts, min_size=2, max_size=5),
       sequence=st.lists(edits, min_size=1, max_size=4))
def test_batch_builds_after_any_edits_equal_a_cold_build(first, sequence):
    with tempfile.TemporaryDirectory(prefix="record-") as folder:
        site = Site(Path(folder), first)
        for edit in sequence:
            site.apply(edit)
        for counts in site.counts[1:]:
            event(how(counts))
        equals_cold(site.content, site.output, Path(folder), f"after {sequence}")


# text alone: after the opening, longer than a summary takes
text_edits = st.tuples(st.just("body"), st.integers(0, 20),
                       st.lists(sentences, min_size=1, max_size=3).map(
                           lambda drawn: "\n\n".join([OPENING, *drawn])))


@seed(19)
@settings(max_examples=6, deadline=None, database=None, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(first=st.lists(posts.map(lambda post: {**post, "body": OPENING}), min_size=2,
                      max_size=4),
       sequence=st.lists(st.one_of(text_edits, text_edits, edits), min_size=2, max_size=5))
def test_text_edits_among_other_edits_equal_a_cold_build(first, sequence):
    """Mostly edits of text alone, which builds after the first write from the snapshot
    (textpath.py), mixed with any other edit."""
    with tempfile.TemporaryDirectory(prefix="record-text-") as folder:
        site = Site(Path(folder), first)
        site.apply(("body", 0, f"{OPENING}\n\nErster Absatz."))  # keeps the snapshot
        for edit in sequence:
            site.apply(edit)
        for counts in site.counts[2:]:
            event(how(counts))
        equals_cold(site.content, site.output, Path(folder), f"after {sequence}")


def test_a_title_edit_replays_the_other_pages(tmp_path):
    post = {"title": "Zuhören lernen", "day": 3, "category": "Praxis", "tags": ["Dialog"],
            "body": f"{OPENING}\n\nZweiter Absatz."}
    # posts of their own categories, without tags: no post is related to another
    site = Site(tmp_path, [post, *({**post, "title": f"{WORDS[n]} lernen", "day": 4 + n,
                                    "category": f"Thema {n}", "tags": []}
                                   for n in range(8))])
    # the first build of a checkout keeps no record (it would cost it time), the first
    # build after it renders everything and keeps one
    assert site.counts[0] is None
    site.apply(("body", 1, f"{OPENING}\n\nEin anderer Absatz."))
    replayed, rendered = site.counts[-1]
    assert replayed == 0 and rendered > 20
    site.apply(("title", 0, "Ganz neuer Titel"))
    replayed, rendered = site.counts[-1]
    # the post's page and the listings and feeds showing its title; not the other
    # posts' pages
    assert replayed > rendered > 0, site.counts[-1]
    page = site.output / "2026" / "05" / "beitrag-0" / "index.html"
    assert "Ganz neuer Titel" in page.read_text(encoding="utf-8")
    equals_cold(site.content, site.output, tmp_path, "after a title edit")
    # listings of two posts a page (DEFAULT_PAGINATION): the front page that shows post 3
    # shows post 4 too. That one's teaser is as the last build made it (render_once,
    # from the record); post 3's is made again
    site.apply(("title", 3, "Noch ein Titel"))
    reused, made = map(int, PARTIALS.findall(LOGS[-1])[-1])
    assert reused >= 1 and made >= 1, (reused, made)
    shared = next(page for page in site.output.glob("**/index.html")
                  if "Noch ein Titel" in page.read_text(encoding="utf-8")
                  and f"{WORDS[3]} lernen" in page.read_text(encoding="utf-8"))
    assert shared.parent.name.isdigit(), shared  # a page of the front page's listing
    equals_cold(site.content, site.output, tmp_path, "after a second title edit")
    # now the post whose teaser was reused changes: its teaser is made again too
    site.apply(("title", 4, "Ein dritter Titel"))
    reused, made = map(int, PARTIALS.findall(LOGS[-1])[-1])
    assert made >= 1, (reused, made)
    equals_cold(site.content, site.output, tmp_path, "after a third title edit")


def test_a_teaser_made_before_a_template_edit_is_not_shown_after_it(tmp_path):
    """A build after a theme template's edit keeps only the partials it made: a post that
    was a draft then (not on any listing) gets a teaser of the new template when it is
    published again, not the one the record had from before."""
    post = {"title": "Zuhören lernen", "day": 3, "category": "Praxis", "tags": [],
            "body": f"{OPENING}\n\nZweiter Absatz."}
    posts = PostsOnDisk(tmp_path, [post, {**post, "title": "Moderation lernen", "day": 5}])
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    output = tmp_path / "output"
    build(posts.content, output, theme=theme)
    draft = posts.path("beitrag-1")
    published = draft.read_text(encoding="utf-8")
    save(posts.path("beitrag-0"), posts.path("beitrag-0").read_text(encoding="utf-8") + "\nMehr.\n")
    build(posts.content, output, theme=theme)  # the record, with both teasers
    save(draft, published.replace("Slug: beitrag-1\n", "Slug: beitrag-1\nStatus: draft\n"))
    build(posts.content, output, theme=theme)
    teaser = theme / "templates" / "partials" / "article_teaser.html"
    save(teaser, teaser.read_text(encoding="utf-8") + "<!-- neues Muster -->\n")
    build(posts.content, output, theme=theme)
    save(draft, published)
    build(posts.content, output, theme=theme)
    front = (output / "index.html").read_text(encoding="utf-8")
    assert "Moderation lernen" in front and front.count("<!-- neues Muster -->") == 2
    equals_cold(posts.content, output, tmp_path, "after a template edit", theme)


def test_a_link_to_a_post_follows_its_new_address(tmp_path):
    """A post whose text links another with {filename}: when the other one gets a new
    address (its slug), the linking post's page and the listings showing its text are
    rendered again with the new link."""
    post = {"title": "Zuhören lernen", "day": 3, "category": "Praxis", "tags": [],
            "body": f"{OPENING}\n\nZweiter Absatz."}
    # two posts between them, other categories: the linking post shows the other one
    # through its text alone (no neighbour links, no related box)
    posts = PostsOnDisk(tmp_path, [
        post, {**post, "title": "Fragen lernen", "day": 5, "category": "Thema 1"},
        {**post, "title": "Danken lernen", "day": 7, "category": "Thema 2"},
        {**post, "title": "Moderation lernen", "day": 9, "category": "Thema 3",
         "body": "Siehe [den ersten Teil]({filename}beitrag-0.md) dazu."}])
    output = tmp_path / "output"
    build(posts.content, output)
    first = posts.path("beitrag-0")
    save(first, first.read_text(encoding="utf-8") + "\nMehr.\n")
    build(posts.content, output)  # the record
    save(first, first.read_text(encoding="utf-8").replace("Slug: beitrag-0",
                                                         "Slug: erster-teil"))
    replayed, rendered = build(posts.content, output)
    assert replayed > 0, (replayed, rendered)
    page = output / "2026" / "05" / "beitrag-3" / "index.html"
    assert "/2026/05/erster-teil/" in page.read_text(encoding="utf-8")
    equals_cold(posts.content, output, tmp_path, "after a linked post's new slug")


def feed_counts() -> tuple[int, int]:
    """(left as they were, written) feeds of the last build (its last flush counts all)."""
    found = FEEDS.findall(LOGS[-1])
    assert found, LOGS[-1][-2000:]
    return int(found[-1][0]), int(found[-1][1])


def test_feeds_are_written_when_what_they_show_changed(tmp_path):
    """A feed is left as the last build wrote it when its posts (every field, the text)
    and what plugins add to it are the same: here the episodes the podcast plugin puts
    into the all-posts feeds (PODCAST_IN_READER_FEEDS), which are not among its posts."""
    content, theme = tmp_path / "content", tmp_path / "theme"
    shutil.copytree(ROOT / "content", content)
    shutil.copytree(ROOT / "theme", theme)
    output = tmp_path / "output"
    extra = {"PODCAST_IN_READER_FEEDS": True}
    build(content, output, theme=theme, extra=extra)
    apply_demo(content, ("post-text", DEMO_POSTS[0], "Ein Nachtrag."))
    build(content, output, theme=theme, extra=extra)  # renders everything, keeps a record
    kept, written = feed_counts()
    assert kept == 0 and written > 10, (kept, written)
    all_posts = output / "feeds" / "alle.atom.xml"
    before = stamps(output)
    apply_demo(content, ("new-episode", 8, None))
    build(content, output, theme=theme, extra=extra)
    kept, written = feed_counts()
    assert kept > 0 and written > 0, (kept, written)
    assert "Neue Folge 8" in all_posts.read_text(encoding="utf-8")
    after = stamps(output)
    # the tag feeds of the posts: none of them lists the episode
    tag_feeds = [name for name in after if name.startswith(os.path.join("feeds", "schlagwort"))]
    assert tag_feeds and all(after[name] == before[name] for name in tag_feeds)
    equals_cold(content, output, tmp_path, "after an episode in the reader feeds", theme,
                extra)
    # a post's title: the feeds listing the post are written, the others kept
    newest = max(DEMO_POSTS, key=lambda name: re.search(
        r"(?mi)^date: (.+)$", (content / "posts" / name).read_text(encoding="utf-8"))[1])
    apply_demo(content, ("post-title", newest, "Ein ganz neuer Titel"))
    build(content, output, theme=theme, extra=extra)
    kept, written = feed_counts()
    assert kept > 0 and written > 0, (kept, written)
    assert "Ein ganz neuer Titel" in all_posts.read_text(encoding="utf-8")
    equals_cold(content, output, tmp_path, "after a title in the feeds", theme, extra)


def test_a_template_edit_renders_the_pages_whose_templates_reach_it(tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    post = {"title": "Zuhören lernen", "day": 3, "category": "Praxis", "tags": ["Dialog"],
            "body": "Ein Absatz."}
    site = PostsOnDisk(tmp_path, [{**post, "title": f"{WORDS[n]} lernen", "day": 1 + n}
                                  for n in range(6)])
    output = tmp_path / "output"
    build(site.content, output, theme=theme)
    site.write(("body", 0, "Ein anderer Absatz."))
    assert build(site.content, output, theme=theme)[0] == 0  # renders all, keeps a record
    before = stamps(output)
    # a partial only listings include: posts' pages are replayed
    pagination = theme / "templates" / "partials" / "pagination.html"
    save(pagination, pagination.read_text(encoding="utf-8") + "<!-- Seiten -->\n")
    replayed, rendered = build(site.content, output, theme=theme)
    assert replayed > 0 and rendered > 0, (replayed, rendered)
    after = stamps(output)
    post_page = os.path.join("2026", "05", "beitrag-3", "index.html")
    assert after[post_page] == before[post_page]  # not written again
    assert "<!-- Seiten -->" in (output / "index.html").read_text(encoding="utf-8")
    equals_cold(site.content, output, tmp_path, "after a partial's edit", theme)
    # base.html: every page made from it (robots.txt, say, is not)
    base = theme / "templates" / "base.html"
    save(base, base.read_text(encoding="utf-8").replace("</body>", "<!-- Fuß --></body>"))
    replayed, rendered = build(site.content, output, theme=theme)
    assert rendered > replayed, (replayed, rendered)
    # (the CMS's admin page is the CMS plugin's own, not the theme's)
    pages = [page for page in output.rglob("*.html")
             if "pagefind" not in page.parts and "admin" not in page.parts]
    assert all("<!-- Fuß -->" in page.read_text(encoding="utf-8") for page in pages)
    equals_cold(site.content, output, tmp_path, "after an edit of base.html", theme)
    # a theme's stylesheet: copied (and minified) again, every page replayed
    css = theme / "static" / "css" / "site.css"
    save(css, css.read_text(encoding="utf-8") + "\n.neu { color: red }\n")
    replayed, rendered = build(site.content, output, theme=theme)
    assert rendered == 0 and replayed > 0, (replayed, rendered)
    assert ".neu" in (output / "theme" / "css" / "site.css").read_text(encoding="utf-8")
    equals_cold(site.content, output, tmp_path, "after a stylesheet's edit", theme)


def stamps(output: Path) -> dict[str, int]:
    return {str(path.relative_to(output)): path.stat().st_mtime_ns
            for path in output.rglob("*") if path.is_file()}


def test_a_text_edit_writes_its_page_and_feeds_alone(tmp_path):
    post = {"title": "Zuhören lernen", "day": 3, "category": "Praxis", "tags": ["Dialog"],
            "body": f"{OPENING}\n\nZweiter Absatz."}
    site = Site(tmp_path, [post, {**post, "title": "Moderation lernen", "day": 5}])
    site.apply(("body", 1, f"{OPENING}\n\nEin anderer Absatz."))  # keeps a snapshot
    assert site.counts[-1] != "text"
    before = stamps(site.output)
    site.apply(("body", 0, f"{OPENING}\n\nGanz neuer zweiter Absatz."))
    assert site.counts[-1] == "text"
    page = site.output / "2026" / "05" / "beitrag-0" / "index.html"
    assert "Ganz neuer zweiter Absatz" in page.read_text(encoding="utf-8")
    after = stamps(site.output)
    rewritten = {name for name in after if after[name] != before.get(name)}
    # its page, the feeds carrying its text, the search index; no listing, no other post
    assert os.path.join("2026", "05", "beitrag-0", "index.html") in rewritten
    assert any(name.startswith("feeds") for name in rewritten), sorted(rewritten)
    assert not any(name.endswith(".html") and "beitrag-0" not in name
                   for name in rewritten), sorted(rewritten)
    assert any(name.startswith("pagefind" + os.sep) for name in rewritten)
    # the search index: Pagefind on the pages changed since the full index (this one and
    # the one the build before edited), and only this page was read to find out (the
    # others are as the last index saw them, resonanz_search/facts.py)
    assert "delta index of 2 changed and 0 removed page(s)" in LOGS[-1], LOGS[-1][-2000:]
    read = re.search(r"(\d+) HTML file\(s\) not known from the writes were read", LOGS[-1])
    assert read and read[1] == "1", LOGS[-1][-2000:]
    equals_cold(site.content, site.output, tmp_path, "after a text edit")
    # a second post's text: both edits since the snapshot are written, still alone
    site.apply(("body", 1, f"{OPENING}\n\nNoch ein Absatz."))
    assert site.counts[-1] == "text"
    equals_cold(site.content, site.output, tmp_path, "after two text edits")
    # a title is more than the text: everything that shows it is rendered again
    site.apply(("title", 1, "Anders"))
    assert isinstance(site.counts[-1], tuple), site.counts[-1]
    equals_cold(site.content, site.output, tmp_path, "after a title edit")


def test_a_text_edit_put_back_is_rendered_again(tmp_path):
    """The text path writes a post's page and feeds and leaves the record of the last
    full build; the text put back as it was there, with a change that needs a full build
    and leaves that post alone (a comment on another post), must not find those files
    'as recorded'."""
    first = f"{OPENING}\n\nDer erste Absatz."
    post = {"title": "Zuhören lernen", "day": 3, "category": "Praxis", "tags": [],
            "body": first}
    # posts of their own categories, without tags: no post is related to another
    site = Site(tmp_path, [post, *({**post, "title": f"{WORDS[n]} lernen", "day": 4 + n,
                                    "category": f"Thema {n}"} for n in range(7))])
    site.apply(("body", 1, f"{OPENING}\n\nEin anderer Absatz."))  # record and snapshot
    site.apply(("body", 0, f"{OPENING}\n\nEine Zwischenfassung."))
    assert site.counts[-1] == "text"
    site.write(("body", 0, first))  # the editor's undo, and in the same build ...
    site.apply(("comment", 7, "Danke für den Beitrag."))  # ... a change for a full build
    assert isinstance(site.counts[-1], tuple) and site.counts[-1][0] > 0, site.counts[-1]
    page = site.output / "2026" / "05" / "beitrag-0" / "index.html"
    assert "Der erste Absatz" in page.read_text(encoding="utf-8")
    assert "Zwischenfassung" not in (site.output / "feeds" / "alle.atom.xml").read_text(
        encoding="utf-8")
    equals_cold(site.content, site.output, tmp_path, "after a text edit put back")


def test_a_text_edit_with_a_problem_builds_everything_to_report_it(tmp_path):
    post = {"title": "Zuhören lernen", "day": 3, "category": "Praxis", "tags": ["Dialog"],
            "body": f"{OPENING}\n\nZweiter Absatz."}
    site = Site(tmp_path, [post, {**post, "title": "Moderation lernen", "day": 5}])
    site.apply(("body", 1, f"{OPENING}\n\nEin anderer Absatz."))
    # a link to a file that does not exist: Pelican warns, the full build reports it
    site.apply(("body", 0, f"{OPENING}\n\n[kaputt]({{filename}}/posts/fehlt.md)"))
    assert isinstance(site.counts[-1], tuple), site.counts[-1]
    equals_cold(site.content, site.output, tmp_path, "after a text edit with a problem")


def test_a_deleted_post_leaves_no_page_behind(tmp_path):
    post = {"title": "Zuhören", "day": 3, "category": "Praxis", "tags": ["Dialog"],
            "body": "Ein Absatz."}
    site = Site(tmp_path, [post, {**post, "title": "Moderation", "day": 5}])
    site.apply(("body", 0, "Ein anderer Absatz."))  # from here on a record is kept
    site.apply(("comment", 1, "Danke für den Beitrag."))
    page = site.output / "2026" / "05" / "beitrag-1" / "index.html"
    assert page.is_file() and "Danke für den Beitrag." in page.read_text(encoding="utf-8")
    # the responses plugin writes the post's comments feed itself (hooks.made)
    comments = site.output / "feeds" / "kommentare" / "beitrag-1.atom.xml"
    assert comments.is_file()
    site.apply(("delete", 1, None))
    assert not page.exists() and not page.parent.exists()
    assert not comments.exists()
    equals_cold(site.content, site.output, tmp_path, "after a deletion")


# -- the demo: related and series boxes, responses, episodes ---------------------------------

DEMO_POSTS = sorted(p.name for p in (ROOT / "content" / "posts").glob("*.md"))
# templates a part of the pages reach (listings, posts, episodes, case studies)
TEMPLATES = ["partials/pagination.html", "partials/related.html", "partials/episode_card.html",
             "partials/series.html", "partials/article_teaser.html", "episode.html",
             "case_study.html", "page.html"]
demo_edits = st.one_of(
    st.tuples(st.just("post-text"), st.sampled_from(DEMO_POSTS), sentences),
    st.tuples(st.just("post-title"), st.sampled_from(DEMO_POSTS), titles),
    st.tuples(st.just("responses"), st.integers(0, 20), st.none()),
    st.tuples(st.just("show-notes"), st.just("001-zuhoeren.md"), sentences),
    st.tuples(st.just("new-episode"), st.integers(4, 9), st.none()),
    st.tuples(st.just("template"), st.sampled_from(TEMPLATES), sentences),
)


def apply_demo(content: Path, edit: tuple) -> None:
    kind, which, value = edit
    if kind == "template":  # the theme copy lies beside the content
        path = content.parent / "theme" / "templates" / which
        save(path, path.read_text(encoding="utf-8") + f"<!-- {value} -->\n")
        return
    if kind == "new-episode":
        stem = content / "episodes" / f"{which:03d}-neu"
        if not stem.with_suffix(".mp3").exists():
            shutil.copy(content / "episodes" / "003-community-ziele.mp3",
                        stem.with_suffix(".mp3"))
            save(stem.with_suffix(".md"), f"---\ntitle: Neue Folge {which}\n"
                                          f"date: 2026-06-{which:02d} 08:00\n---\nNotizen.\n")
        return
    if kind == "responses":
        files = sorted((content / "responses").glob("*.yaml"))
        path = files[which % len(files)]
        text = path.read_text(encoding="utf-8")
        changed = re.sub(r"(?m)^(\s*-?\s*author:) (.+)$", lambda m: f"{m[1]} {m[2]} K.",
                         text, count=1)
    else:
        path = content / ("episodes" if kind == "show-notes" else "posts") / which
        text = path.read_text(encoding="utf-8")
        if kind == "post-title":
            changed = re.sub(r"(?mi)^(title:) .*$", lambda m: f"{m[1]} {value}", text, count=1)
        else:
            changed = text.rstrip("\n") + f"\n\n{value}\n"
    save(path, changed)


def test_episode_pages_are_left_as_they_were_when_nothing_they_show_changed(tmp_path):
    """Episodes are the podcast plugin's content, not in Pelican's lists: the record
    knows them from the generators' context, so an edit elsewhere leaves their pages
    (and their player pages) as the last build wrote them; their own show notes render
    their page again."""
    content, theme = tmp_path / "content", tmp_path / "theme"
    shutil.copytree(ROOT / "content", content)
    shutil.copytree(ROOT / "theme", theme)
    output = tmp_path / "output"
    build(content, output, theme=theme)
    apply_demo(content, ("post-title", DEMO_POSTS[0], "Ein neuer Titel"))
    build(content, output, theme=theme)  # the first record
    # each episode's page and its player page (episoden/<slug>/embed/)
    episode_pages = sorted(str(page.relative_to(output))
                           for page in (output / "episoden").glob("*/**/index.html"))
    assert len(episode_pages) == 8, episode_pages
    before = stamps(output)
    apply_demo(content, ("post-title", DEMO_POSTS[1], "Noch ein neuer Titel"))
    replayed, rendered = build(content, output, theme=theme)
    after = stamps(output)
    assert [page for page in episode_pages if after[page] != before[page]] == []
    equals_cold(content, output, tmp_path, "after a post's title edit", theme)
    apply_demo(content, ("show-notes", "001-zuhoeren.md", "Neue Notizen zur Folge."))
    before = stamps(output)
    build(content, output, theme=theme)
    after = stamps(output)
    rewritten = [page for page in episode_pages if after[page] != before[page]]
    assert rewritten and all("001" in page for page in rewritten), rewritten
    page = os.path.join("episoden", "001-zuhoeren", "index.html")
    assert page in rewritten
    assert "Neue Notizen zur Folge." in (output / page).read_text(encoding="utf-8")
    equals_cold(content, output, tmp_path, "after an edit of show notes", theme)


@seed(19)
@settings(max_examples=7, deadline=None, database=None, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sequence=st.lists(demo_edits, min_size=1, max_size=3))
def test_batch_builds_of_the_edited_demo_equal_a_cold_build(sequence):
    with tempfile.TemporaryDirectory(prefix="record-demo-") as name:
        folder = Path(name)
        content, theme = folder / "content", folder / "theme"
        shutil.copytree(ROOT / "content", content)
        shutil.copytree(ROOT / "theme", theme)
        output = folder / "output"
        build(content, output, theme=theme)
        for edit in sequence:
            apply_demo(content, edit)
            event(f"edited: {edit[0]}")
            event(how(build(content, output, theme=theme)))
        equals_cold(content, output, folder, f"after {sequence}", theme)
    assert not os.path.exists(name)


def test_the_dev_server_builds_in_full_where_make_html_would_use_the_snapshot(tmp_path):
    """The dev server keeps its generators in memory for its own one-post path; a first
    build that stopped early with the snapshot would leave it none (every save would
    then load the snapshot again). Batch builds in this process here, so that the
    unchanged-build record sees the same packages (sys.path) as the dev server."""
    from pelican import Pelican
    from pelican.settings import read_settings

    from resonanz.devserver.site import DevSite

    def batch() -> None:
        settings_ = read_settings(str(ROOT / "pelicanconf.py"),
                                  override=overrides(site.content, site.output))
        Pelican(settings_).run()

    post = {"title": "Zuhören lernen", "day": 3, "category": "Praxis", "tags": ["Dialog"],
            "body": f"{OPENING}\n\nZweiter Absatz."}
    site = PostsOnDisk(tmp_path, [post, {**post, "title": "Moderation lernen", "day": 5}])
    site.output = tmp_path / "output"
    batch()
    site.write(("body", 1, f"{OPENING}\n\nEin anderer Absatz."))
    batch()  # keeps a snapshot
    site.write(("body", 0, f"{OPENING}\n\nGanz neuer zweiter Absatz."))
    dev = DevSite(ROOT / "pelicanconf.py", overrides(site.content, site.output))
    try:
        assert dev.full().errors == []
        assert dev.last.articles_generator() is not None  # a full build, in memory
        changed = site.write(("body", 0, f"{OPENING}\n\nNoch einmal anders."))
        assert dev.update({changed}).how == "text"
    finally:
        dev.close()
    equals_cold(site.content, site.output, tmp_path, "after the dev server's edits")
