"""Edge cases of the batch build's text-edit path (resonanz_fastbuild/textpath.py) and of
the static files a build leaves behind, found by a review that tried to break them:
after every sequence of edits and builds the output equals a cold build of the same
content, byte for byte (Pagefind's bundle aside), and no problem goes unreported.
"""

from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import ROOT, free_port, tree_digest
from test_devserver_incremental import (
    OPENING,
    assert_same_output,
    cold_build,
    overrides,
    save,
    without_search_index,
)
from test_output_record import BUILD, LOGS, TEXT_PATH, Site, build, equals_cold
from test_responses_send import Receiver

pytestmark = [pytest.mark.slow, pytest.mark.fastbuild]

POST = {"title": "Zuhören lernen", "day": 3, "category": "Praxis", "tags": ["Dialog"],
        "body": f"{OPENING}\n\nZweiter Absatz."}


def edit(path: Path, change) -> None:
    save(path, change(path.read_text(encoding="utf-8")))


def site_with_snapshot(root: Path, count: int = 2) -> Site:
    """A synthetic site after its first build and one full build over it (which keeps
    the snapshot the text path starts from)."""
    site = Site(root, [POST, *({**POST, "title": f"Moderation {n}", "day": 5 + n}
                               for n in range(count - 1))])
    site.apply(("body", 1, f"{OPENING}\n\nEin anderer Absatz."))
    assert isinstance(site.counts[-1], tuple), site.counts  # a full build, no problem
    return site


def demo_with_snapshot(root: Path) -> tuple[Path, Path]:
    """A copy of the demo content, built twice (the second time after a page's edit, a
    full build that keeps the snapshot)."""
    content, output = root / "content", root / "output"
    shutil.copytree(ROOT / "content", content)
    build(content, output)
    edit(content / "pages" / "impressum.md", lambda text: text + "\nNoch ein Satz.\n")
    assert isinstance(build(content, output), tuple), LOGS[-1][-3000:]
    return content, output


def test_a_post_restored_with_its_old_stamp_is_written_again(tmp_path):
    """A post edited in a text-path build, then put back as it was with its old
    modification time (cp -p, rsync -t, tar, a backup): unchanged for the snapshot but
    not for the last build, so it is read and written again."""
    site = site_with_snapshot(tmp_path, 3)
    kept = site.content / "posts" / "beitrag-2.md"
    backup = tmp_path / "backup.md"
    shutil.copy2(kept, backup)
    edit(kept, lambda text: text.replace("Zweiter Absatz.", "Ein Entwurf, verworfen."))
    assert build(site.content, site.output) == "text"
    shutil.copy2(backup, kept)  # back as it was, stamp included
    site.apply(("body", 0, f"{OPENING}\n\nEin neuer Absatz."))
    assert site.counts[-1] == "text"
    equals_cold(site.content, site.output, tmp_path, "after restoring a post")


def test_a_text_edit_naming_a_brand_lists_the_post_on_the_brand_page(tmp_path):
    """Brand pages (resonanz_case_studies find_mentions) list every post whose text
    names the brand: a text edit that adds the name changes that page."""
    content, output = demo_with_snapshot(tmp_path)
    edit(content / "posts" / "2025-05-06-beschwerden-als-chance.md",
         lambda text: text + "\nWie Velo Verde es vormacht.\n")
    build(content, output)
    equals_cold(content, output, tmp_path, "after a post's text named a brand")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    save(path, text)


HANDOUT = (f"Title: Handout\nDate: 2026-05-20 10:00\nCategory: Praxis\nSlug: handout\n\n"
           f"{OPENING}\n\n[Handout]({{KIND}}/files/handout.pdf)\n")


@pytest.mark.parametrize("kind", ["static", "attach"])
def test_a_text_edit_dropping_a_linked_file_leaves_no_copy_behind(tmp_path, kind):
    """A file outside STATIC_PATHS is copied because a post's text links it ({static} or
    {attach}: Pelican's context["static_links"]); a text edit that removes the link
    must not leave the copy in the output, where a cold build has none (the text path
    builds in full when a post's static links change, and the full build removes the
    copy the last build made and this one did not)."""
    site = Site(tmp_path, [POST, {**POST, "title": "Moderation", "day": 5}])
    _write(site.content / "files" / "handout.pdf", "%PDF-1.4 ein Handout")
    text = HANDOUT.replace("KIND", kind)
    _write(site.content / "posts" / "handout.md", text)
    site.apply(("body", 1, f"{OPENING}\n\nEin anderer Absatz."))  # keeps the snapshot
    assert isinstance(site.counts[-1], tuple), site.counts
    _write(site.content / "posts" / "handout.md",
           text.replace(f"[Handout]({{{kind}}}/files/handout.pdf)", "Kein Handout mehr."))
    build(site.content, site.output)
    equals_cold(site.content, site.output, tmp_path, f"after a {{{kind}}} link was removed")


def test_a_text_edit_attaching_a_static_file_moves_it(tmp_path):
    """{attach} on a file of a static path makes Pelican write it beside the post instead
    of under its folder; the build over the old output removes the old copy."""
    site = Site(tmp_path, [POST, {**POST, "title": "Moderation", "day": 5}])
    _write(site.content / "images" / "handout.pdf", "%PDF-1.4 ein Handout")
    text = HANDOUT.replace("[Handout]({KIND}/files/handout.pdf)", "Noch kein Handout.")
    _write(site.content / "posts" / "handout.md", text)
    site.apply(("body", 1, f"{OPENING}\n\nEin anderer Absatz."))
    _write(site.content / "posts" / "handout.md",
           text.replace("Noch kein Handout.", "[Handout]({attach}/images/handout.pdf)"))
    build(site.content, site.output)
    equals_cold(site.content, site.output, tmp_path, "after an {attach} link was added")


def test_a_deleted_static_file_leaves_no_copy_behind(tmp_path):
    """A file deleted from a static path leaves the output with the next build
    (plugin._remove_stale: static copies the last build made and this one did not)."""
    site = Site(tmp_path, [POST, {**POST, "title": "Moderation", "day": 5}])
    _write(site.content / "images" / "alt.pdf", "%PDF-1.4 alt")
    site.apply(("body", 1, f"{OPENING}\n\nEin anderer Absatz."))
    (site.content / "images" / "alt.pdf").unlink()
    build(site.content, site.output)
    equals_cold(site.content, site.output, tmp_path, "after a static file was deleted")


def build_with(content: Path, output: Path, **extra) -> subprocess.CompletedProcess:
    """A batch build in its own process, like test_output_record.build, with more
    settings (the same in every build of a test, so the snapshot stays usable)."""
    settings_ = {**overrides(content, output), "RESONANZ_JOBS": 2, **extra}
    script = BUILD.format(plugins=str(ROOT / "plugins"), conf=str(ROOT / "pelicanconf.py"))
    return subprocess.run([sys.executable, "-c", script, json.dumps(settings_)], cwd=ROOT,
                          capture_output=True, text=True)


@pytest.fixture
def linked_server():
    """Pages announcing Webmention endpoints, on 127.0.0.1 (test_responses_send's)."""
    Receiver.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_published_text_edit_notifies_the_pages_it_links_to(linked_server, tmp_path):
    """`make publish` (LINKBACKS_SEND) after a text edit that links an external page: the
    Webmention is sent at once, as a full build sends it (article_writer_finalized); the
    text path sends hooks.pages_rewritten for it."""
    site = Site(tmp_path, [POST, {**POST, "title": "Moderation", "day": 5}])
    publish = {"LINKBACKS_SEND": True, "LINKBACKS_RECORD": str(tmp_path / "sent.json"),
               "LINKBACKS_TIMEOUT": 5, "SITEURL": "https://resonanz.example",
               "RELATIVE_URLS": False}
    for _ in range(2):  # the first publish, then one over it (keeps the snapshot)
        run = build_with(site.content, site.output, **publish)
        assert run.returncode == 0, run.stderr[-3000:]
        edit(site.content / "posts" / "beitrag-1.md", lambda text: text + "\nMehr.\n")
    edit(site.content / "posts" / "beitrag-0.md",
         lambda text: text + f"\nSiehe [diese Seite]({linked_server}/html).\n")
    Receiver.requests = []
    run = build_with(site.content, site.output, **publish)
    assert run.returncode == 0, run.stderr[-3000:]
    took_text_path = bool(TEXT_PATH.search(run.stdout + run.stderr))
    sent = [request for request in Receiver.requests if request[0] == "POST"]
    assert [request[1] for request in sent] == ["/wm-html"], (took_text_path, sent)


def test_a_strict_text_edit_fails_on_the_link_check_like_a_cold_build(tmp_path):
    """resonanz_core's link check (checks.report_links) runs in
    article_generator_finalized, which the text path does not send; it runs for the
    re-read post through hooks.post_reread: a link it reports (here in a code span,
    where Pelican itself does not look) fails a strict build over the snapshot as it
    fails a strict cold build."""
    site = site_with_snapshot(tmp_path)
    edit(site.content / "posts" / "beitrag-0.md", lambda text: text + (
        '\nBeispiel: `<a href="{filename}/posts/fehlt.md">` im Code.\n'))
    cold = build_with(site.content, tmp_path / "cold", RESONANZ_STRICT=True)
    assert cold.returncode != 0 and "fehlt.md" in cold.stderr, cold.stderr[-2000:]
    run = build_with(site.content, site.output, RESONANZ_STRICT=True)
    log = run.stdout + run.stderr
    assert run.returncode != 0 and "fehlt.md" in log, (bool(TEXT_PATH.search(log)),
                                                        log[-2000:])


def test_the_dev_server_lists_a_post_naming_a_brand_on_the_brand_page(tmp_path):
    """The dev server's one-post path (incremental.read_text_change, which the text path
    shares) sees the brand page too (hooks.text_facts)."""
    from resonanz.devserver.site import DevSite

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    dev = DevSite(ROOT / "pelicanconf.py", overrides(content, tmp_path / "dev"))
    assert dev.full().errors == []
    post = content / "posts" / "2025-05-06-beschwerden-als-chance.md"
    edit(post, lambda text: text + "\nWie Velo Verde es vormacht.\n")
    outcome = dev.update({post})
    assert outcome.errors == [], outcome.errors
    served = without_search_index(tree_digest(dev.output))
    cold = cold_build(content, tmp_path / "cold")
    assert_same_output(cold, served, f"after a post's text named a brand ({outcome.how})")


def test_a_site_under_a_symlinked_folder_takes_the_text_path(tmp_path):
    """The inputs are stamped by resolved path (uptodate.input_folders), Pelican's
    source_path is not resolved: the snapshot keeps its posts by real path, so the
    shortcut also applies when the site lives under a symbolic link (macOS /tmp and
    /var, a ~/sites link)."""
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    site = site_with_snapshot(tmp_path / "link")
    site.apply(("body", 0, f"{OPENING}\n\nEin neuer Absatz."))
    assert site.counts[-1] == "text", site.counts
    equals_cold(site.content, site.output, tmp_path, "after a text edit under a link")
