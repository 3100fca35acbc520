"""The dev server's output after any sequence of edits equals a cold build's, byte for
byte (Pagefind's index aside): random edits, additions and deletions of posts on a small
synthetic site, each sequence compared with a cold `pelican` run in its own process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import ROOT, TEST_SITEURL, tree_digest
from hypothesis import HealthCheck, Phase, event, given, seed, settings
from hypothesis import strategies as st

pytestmark = [pytest.mark.slow, pytest.mark.fastbuild]

WORDS = ["Gemeinschaft", "Kundendialog", "hören", "Rückmeldung", "Straße", "leise", "Zuhörer",
         "antworten", "Moderation", "Beitrag", "offen", "Frage", "über", "Ideen"]
TAGS = ["Zuhören", "Moderation", "Podcast", "Dialog"]
CATEGORIES = ["Praxis", "Strategie"]

COLD = """
import json, sys
sys.path.insert(0, {plugins!r})
from pelican import Pelican
from pelican.settings import read_settings
overrides = json.loads(sys.argv[1])
Pelican(read_settings({conf!r}, override=overrides)).run()
"""


def overrides(content: Path, output: Path) -> dict:
    cache = output.parent / (output.name + "-cache")
    return {
        "PATH": str(content), "OUTPUT_PATH": str(output), "THEME": str(ROOT / "theme"),
        "PLUGIN_PATHS": [str(ROOT / "plugins")], "CACHE_PATH": str(cache / "pelican"),
        "PODCAST_CACHE_PATH": str(cache / "podcast"), "IMAGES_CACHE_PATH": str(cache / "images"),
        "SITEURL": TEST_SITEURL, "CANONICAL_SITEURL": TEST_SITEURL, "FEED_DOMAIN": TEST_SITEURL,
        "RELATIVE_URLS": True, "RESONANZ_STRICT": False, "RESONANZ_JOBS": 1,
        "DEFAULT_PAGINATION": 2,  # a handful of posts already spans several pages
    }


def cold_build(content: Path, output: Path) -> dict[str, str]:
    script = COLD.format(plugins=str(ROOT / "plugins"), conf=str(ROOT / "pelicanconf.py"))
    subprocess.run([sys.executable, "-c", script, json.dumps(overrides(content, output))],
                   cwd=ROOT, check=True, capture_output=True)
    return without_search_index(tree_digest(output))


def without_search_index(digest: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in digest.items()
            if not name.startswith("pagefind" + os.sep)}


def assert_same_output(cold: dict[str, str], built: dict[str, str], note: str) -> None:
    """Both trees hold the same files with the same bytes (digests by relative path)."""
    missing, extra = sorted(set(cold) - set(built)), sorted(set(built) - set(cold))
    assert not missing and not extra, f"{note}: missing {missing}, extra {extra}"
    differing = [name for name in cold if cold[name] != built[name]]
    assert not differing, f"{note}: differ from a cold build: {differing}"


def markdown(post: dict) -> str:
    tags = ", ".join(post["tags"])
    return (f"Title: {post['title']}\nDate: 2026-05-{post['day']:02d} 10:00\n"
            f"Category: {post['category']}\nTags: {tags}\nAuthor: Lena Hoffmann\n"
            f"Slug: {post['slug']}\n\n{post['body']}\n")


def save(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    # a new stamp even when two saves fall into one tick of the file system's clock
    stamp = time.time_ns()
    os.utime(path, ns=(stamp, stamp))


sentences = st.lists(st.sampled_from(WORDS), min_size=3, max_size=12).map(
    lambda words: " ".join(words).capitalize() + ".")
# Half the texts open with more words than the summary takes (SUMMARY_MAX_LENGTH = 40):
# an edit after them changes the text alone, which the dev server renders on its own.
OPENING = " ".join(WORDS * 4) + "."
bodies = st.tuples(st.booleans(), st.lists(sentences, min_size=1, max_size=3)).map(
    lambda drawn: "\n\n".join([OPENING] * drawn[0] + drawn[1]))
titles = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
posts = st.fixed_dictionaries({
    "title": titles, "day": st.integers(1, 28), "category": st.sampled_from(CATEGORIES),
    "tags": st.lists(st.sampled_from(TAGS), max_size=2, unique=True), "body": bodies})
edits = st.one_of(
    st.tuples(st.just("body"), st.integers(0, 20), bodies),
    st.tuples(st.just("title"), st.integers(0, 20), titles),
    st.tuples(st.just("day"), st.integers(0, 20), st.integers(1, 28)),
    st.tuples(st.just("tags"), st.integers(0, 20),
              st.lists(st.sampled_from(TAGS), max_size=2, unique=True)),
    st.tuples(st.just("add"), st.integers(0, 20), posts),
    st.tuples(st.just("delete"), st.integers(0, 20), st.none()),
)


class PostsOnDisk:
    """A synthetic content folder of posts; edits are written to disk (the builds that
    follow are the subclasses')."""

    def __init__(self, root: Path, first: list[dict]) -> None:
        self.root = root
        self.content = root / "content"
        for folder in ("posts", "pages", "images", "episodes", "responses"):
            (self.content / folder).mkdir(parents=True)
        self.posts: dict[str, dict] = {}
        self.made = 0
        for post in first:
            self.add(post)

    def path(self, slug: str) -> Path:
        return self.content / "posts" / f"{slug}.md"

    def pick(self, index: int) -> str:
        slugs = sorted(self.posts)
        return slugs[index % len(slugs)]

    def add(self, post: dict) -> Path:
        slug = f"beitrag-{self.made}"
        self.made += 1
        self.posts[slug] = {**post, "slug": slug}
        save(self.path(slug), markdown(self.posts[slug]))
        return self.path(slug)

    def write(self, edit: tuple) -> Path | None:
        """A post added, deleted or one field changed; the file, or None when the edit
        does nothing (the last post is never deleted)."""
        kind, index, value = edit
        if kind == "add":
            return self.add(value)
        slug = self.pick(index)
        if kind == "delete":
            if len(self.posts) == 1:
                return None
            del self.posts[slug]
            self.path(slug).unlink()
            return self.path(slug)
        self.posts[slug][kind] = value
        save(self.path(slug), markdown(self.posts[slug]))
        return self.path(slug)


class Site(PostsOnDisk):
    """A synthetic site on disk and the dev server's resident build of it."""

    def __init__(self, root: Path, first: list[dict]) -> None:
        from resonanz.devserver.site import DevSite

        super().__init__(root, first)
        self.dev = DevSite(ROOT / "pelicanconf.py", overrides(self.content, root / "dev"))
        outcome = self.dev.full()
        assert outcome.errors == []
        self.ways: list[str] = []

    def apply(self, edit: tuple) -> None:
        changed = self.write(edit)
        if changed is None:
            return
        outcome = self.dev.update({changed})
        assert outcome.errors == [], outcome.errors
        self.ways.append(outcome.how)


@seed(19)
@settings(max_examples=20, deadline=None, database=None, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(first=st.lists(posts, min_size=1, max_size=4),
       sequence=st.lists(edits, min_size=1, max_size=6))
def test_any_edit_sequence_equals_a_cold_build(first, sequence):
    with tempfile.TemporaryDirectory(prefix="devserver-") as folder:
        site = Site(Path(folder), first)
        for edit in sequence:
            site.apply(edit)
        for way in site.ways:
            event(f"rendered: {way}")
        served = without_search_index(tree_digest(site.dev.output))
        cold = cold_build(site.content, Path(folder) / "cold")
        assert_same_output(cold, served, f"after {sequence}")


def test_a_text_edit_renders_one_page_and_equals_a_cold_build(tmp_path):
    opening = OPENING
    post = {"title": "Zuhören lernen", "day": 3, "category": "Praxis",
            "tags": ["Dialog"], "body": f"{opening}\n\nZweiter Absatz."}
    site = Site(tmp_path, [post, {**post, "title": "Noch ein Beitrag", "day": 4}])
    site.apply(("body", 0, f"{opening}\n\nGanz neuer zweiter Absatz über Moderation."))
    assert site.ways == ["text"]
    page = site.dev.output / "2026" / "05" / "beitrag-0" / "index.html"
    assert "Ganz neuer zweiter Absatz" in page.read_text(encoding="utf-8")
    cold = cold_build(site.content, tmp_path / "cold")
    served = without_search_index(tree_digest(site.dev.output))
    assert served == cold


# -- the demo site: posts with related, series and responses boxes, episodes ---------------

DEMO_POSTS = sorted(p.name for p in (ROOT / "content" / "posts").glob("*.md"))
demo_edits = st.one_of(
    st.tuples(st.just("post-text"), st.sampled_from(DEMO_POSTS), sentences),
    st.tuples(st.just("post-title"), st.sampled_from(DEMO_POSTS), titles),
    st.tuples(st.just("responses"), st.integers(0, 20), st.none()),
    st.tuples(st.just("show-notes"), st.just("001-zuhoeren.md"), sentences),
)


def apply_demo(dev, content: Path, edit: tuple) -> str:
    import re

    kind, which, value = edit
    if kind == "responses":
        files = sorted((content / "responses").glob("*.yaml"))
        path = files[which % len(files)]
        text = path.read_text(encoding="utf-8")
        # a commenter's name corrected: the post's page changes
        changed = re.sub(r"(?m)^(\s*-?\s*author:) (.+)$", lambda m: f"{m[1]} {m[2]} K.",
                         text, count=1)
        if changed == text:
            return "none"
    else:
        path = content / ("episodes" if kind == "show-notes" else "posts") / which
        text = path.read_text(encoding="utf-8")
        if kind == "post-title":
            changed = re.sub(r"(?mi)^(title:) .*$", lambda m: f"{m[1]} {value}", text, count=1)
        else:
            changed = text.rstrip("\n") + f"\n\n{value}\n"
    save(path, changed)
    outcome = dev.update({path})
    assert outcome.errors == [], outcome.errors
    return outcome.how


@seed(19)
@settings(max_examples=8, deadline=None, database=None, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sequence=st.lists(demo_edits, min_size=1, max_size=3))
def test_edits_of_the_demo_equal_a_cold_build(sequence):
    import shutil

    from resonanz.devserver.site import DevSite

    with tempfile.TemporaryDirectory(prefix="devserver-demo-") as folder:
        content = Path(folder) / "content"
        shutil.copytree(ROOT / "content", content)
        dev = DevSite(ROOT / "pelicanconf.py", overrides(content, Path(folder) / "dev"))
        assert dev.full().errors == []
        for edit in sequence:
            event(f"rendered: {apply_demo(dev, content, edit)}")
        served = without_search_index(tree_digest(dev.output))
        cold = cold_build(content, Path(folder) / "cold")
        assert_same_output(cold, served, f"after {sequence}")


def test_render_workers_set_on_the_command_line_work_in_the_dev_server(tmp_path):
    # -e RESONANZ_JOBS=2: the pages the workers wrote are known, so a deleted post's page
    # goes as in a cold build, and no "without declaring" error blocks the one-post path
    from resonanz_fastbuild import parallel

    from resonanz.devserver.site import DevSite

    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    for n in range(12):
        save(content / "posts" / f"p{n}.md", markdown(
            {"title": f"Beitrag {n}", "day": 1 + n, "category": "Praxis", "tags": ["Dialog"],
             "slug": f"p{n}", "body": f"{OPENING}\n\nText {n}."}))
    dev = DevSite(ROOT / "pelicanconf.py",
                  {**overrides(content, tmp_path / "dev"), "RESONANZ_JOBS": 2})
    assert dev.full().errors == []
    assert len(parallel.LAST_RUN) == 2 and all(parallel.LAST_RUN), parallel.LAST_RUN
    (content / "posts" / "p3.md").unlink()
    outcome = dev.update({content / "posts" / "p3.md"})
    assert (outcome.how, outcome.errors) == ("full", [])
    page = content / "posts" / "p5.md"
    save(page, page.read_text(encoding="utf-8") + "\nNoch ein Satz.\n")
    assert dev.update({page}).how == "text"
    served = without_search_index(tree_digest(dev.output))
    assert served == cold_build(content, tmp_path / "cold")
