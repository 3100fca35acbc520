"""Audio files dropped into content/episodes without show notes or tags: dated by the commit
that added them (in a fresh clone), else by file time with a warning that strict mode refuses."""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import threading
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, chromium_available, free_port, tree_digest
from lxml import etree
from test_check import _RangeHandler
from test_podcast_site import FIXTURES, NS, build

pytestmark = pytest.mark.slow

# file in content/episodes -> fixture; none of the fixtures carries a title or date tag
DROPPED = {
    "001-cbr-export.mp3": "cbr.mp3",
    "002-vbr-mit-xing.mp3": "vbr-xing.mp3",
    "003-vbr_ohne_header.mp3": "vbr-noheader.mp3",
    "004-aac-export.m4a": "episode.m4a",
    "005-opus-export.opus": "episode.opus",
}
FEED_OF = {"mp3": "feeds/podcast.xml", "m4a": "feeds/podcast-m4a.xml",
           "opus": "feeds/podcast-opus.xml"}
TITLES = {
    "001-cbr-export": "Cbr export",
    "002-vbr-mit-xing": "Vbr mit xing",
    "003-vbr_ohne_header": "Vbr ohne header",
    "004-aac-export": "Aac export",
    "005-opus-export": "Opus export",
}


def git(cwd: Path, *args: str, date: str = "") -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Pod", "GIT_AUTHOR_EMAIL": "pod@resonanz.example",
           "GIT_COMMITTER_NAME": "Pod", "GIT_COMMITTER_EMAIL": "pod@resonanz.example",
           "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    done = subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)
    return done.stdout.decode()


def true_duration(path: Path) -> float:
    """ffprobe's packets summed: the true length, also of a VBR MP3 without a header (whose
    format duration ffprobe only estimates from the bitrate)."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
         "packet=duration_time", "-of", "csv=p=0", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout
    return sum(float(line.split(",")[0]) for line in out.split() if line.strip(","))


def site_files(root: Path) -> Path:
    content = root / "content"
    (content / "episodes").mkdir(parents=True)
    (content / "images/podcast").mkdir(parents=True)
    shutil.copy(FIXTURES / "cover-ok.jpg", content / "images/podcast/cover.jpg")
    return content


@pytest.fixture(scope="module")
def origin(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A repository where each audio file came in with its own commit, on its own day."""
    root = tmp_path_factory.mktemp("origin")
    content = site_files(root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "cover", date="2026-01-01T08:00:00+01:00")
    dates = {}
    for day, (name, fixture) in enumerate(DROPPED.items(), start=5):
        shutil.copy(FIXTURES / fixture, content / "episodes" / name)
        dates[name] = f"2026-03-{day:02d}T10:{day:02d}:00+01:00"
        git(root, "add", "-A")
        git(root, "commit", "-qm", f"add {name}", date=dates[name])
    return root, dates


def clone(origin: Path, target: Path, *options: str) -> Path:
    git(target.parent, "clone", "-q", *options, f"file://{origin}", target.name)
    return target


def items_by_title(feed: Path) -> dict[str, etree._Element]:
    channel = etree.parse(str(feed)).getroot().find("channel")
    return {item.findtext("title"): item for item in channel.findall("item")}


def test_committed_files_are_episodes_dated_by_their_commit(origin, tmp_path):
    repo, dates = origin
    checkout = clone(repo, tmp_path / "checkout")
    content = checkout / "content"
    before = tree_digest(content)
    result = build(content, tmp_path / "output", RESONANZ_STRICT=True)
    assert result.error is None, result.error
    assert [p for p in result.problems if "podcast" in p] == []
    assert tree_digest(content) == before
    main_feed = items_by_title(tmp_path / "output" / FEED_OF["mp3"])
    assert sorted(main_feed) == sorted(TITLES.values())
    for name, committed in dates.items():
        stem, ext = name.split(".")
        audio = content / "episodes" / name
        # in the main feed and in the feed of its own format
        for feed in {FEED_OF["mp3"], FEED_OF[ext]}:
            item = items_by_title(tmp_path / "output" / feed)[TITLES[stem]]
            published = parsedate_to_datetime(item.findtext("pubDate"))
            assert published == datetime.fromisoformat(committed), (name, feed)
            enclosure = item.find("enclosure")
            assert int(enclosure.get("length")) == audio.stat().st_size
            assert enclosure.get("url").endswith(f"/podcast/{name}")
            duration = int(item.findtext("itunes:duration", namespaces=NS))
            assert abs(duration - true_duration(audio)) <= 0.5, (name, duration)
            assert item.findtext("podcast:episode", namespaces=NS) == str(int(stem[:3]))
        served = tmp_path / "output/podcast" / name
        assert served.read_bytes() == audio.read_bytes()
    # feedparser reads every feed of the build
    for feed in FEED_OF.values():
        assert not feedparser.parse((tmp_path / "output" / feed).read_bytes()).bozo


def test_uncommitted_files_preview_with_a_warning_and_strict_refuses(tmp_path):
    content = site_files(tmp_path)
    for name, fixture in DROPPED.items():
        shutil.copy(FIXTURES / fixture, content / "episodes" / name)
    stamp = datetime(2026, 4, 2, 9, 30, tzinfo=ZoneInfo("Europe/Berlin")).timestamp()
    os.utime(content / "episodes/001-cbr-export.mp3", (stamp, stamp))
    result = build(content, tmp_path / "output")
    assert result.error is None
    warnings = [p for p in result.problems if "podcast:" in p]
    assert len(warnings) == len(DROPPED), warnings
    for name in DROPPED:
        line = next(p for p in warnings if f"episodes/{name}:" in p)
        assert f"podcast: episodes/{name}: date = None: " in line
        assert "a publish refuses it" in line
        assert f"python -m resonanz new-episode content/episodes/{name}" in line
    items = items_by_title(tmp_path / "output/feeds/podcast.xml")
    assert sorted(items) == sorted(TITLES.values())
    # the file's time, in the site's time zone (pelicanconf: Europe/Berlin)
    assert "Thu, 02 Apr 2026 09:30:00 +0200" == items["Cbr export"].findtext("pubDate")

    strict = build(content, tmp_path / "strict", RESONANZ_STRICT=True)
    assert strict.error is not None
    for name in DROPPED:
        assert f"episodes/{name}: date = None" in str(strict.error)


def test_shallow_clone_is_reported_and_not_trusted(origin, tmp_path):
    repo, dates = origin
    checkout = clone(repo, tmp_path / "shallow", "--depth", "2")
    result = build(checkout / "content", tmp_path / "output")
    assert result.error is None
    text = "\n".join(result.problems)
    # the last file came with a commit whose parent was fetched: its date is known; the
    # others seem added by the oldest fetched commit, which is not trusted
    last = list(DROPPED)[-1]
    assert f"episodes/{last}" not in text
    for name in list(DROPPED)[:-1]:
        assert f"podcast: episodes/{name}: date = None: the git history is shallow" in text
        assert "fetch-depth: 0" in text
    items = items_by_title(tmp_path / "output/feeds/podcast.xml")
    assert parsedate_to_datetime(items["Opus export"].findtext("pubDate")) == \
        datetime.fromisoformat(dates[last])


def test_rewritten_history_rebuilds_and_numbered_guids_stay(origin, tmp_path):
    repo, dates = origin
    checkout = clone(repo, tmp_path / "checkout")
    content = checkout / "content"
    feed = tmp_path / "output/feeds/podcast.xml"
    assert build(content, tmp_path / "output").error is None
    before = items_by_title(feed)["Opus export"]
    # The last commit gets another author date: no file changes, the episode's date does.
    git(checkout, "commit", "-q", "--amend", "--no-edit", "--date=2026-05-01T12:00:00+02:00")
    assert build(content, tmp_path / "output").error is None
    after = items_by_title(feed)["Opus export"]
    assert after.findtext("pubDate") == "Fri, 01 May 2026 12:00:00 +0200"
    assert after.findtext("guid") == before.findtext("guid")


def test_a_renamed_file_keeps_the_date_of_the_commit_that_added_it(origin, tmp_path):
    repo, dates = origin
    checkout = clone(repo, tmp_path / "checkout")
    assert build(checkout / "content", tmp_path / "before").error is None
    git(checkout, "mv", "content/episodes/001-cbr-export.mp3",
        "content/episodes/001-erste-folge.mp3")
    git(checkout, "commit", "-qm", "rename", date="2026-06-01T10:00:00+02:00")
    result = build(checkout / "content", tmp_path / "after", RESONANZ_STRICT=True)
    assert result.error is None, result.error
    before = items_by_title(tmp_path / "before/feeds/podcast.xml")["Cbr export"]
    after = items_by_title(tmp_path / "after/feeds/podcast.xml")["Erste folge"]
    assert parsedate_to_datetime(after.findtext("pubDate")) == datetime.fromisoformat(
        dates["001-cbr-export.mp3"])
    assert after.findtext("guid") == before.findtext("guid")


def test_unnumbered_file_dated_by_git_asks_for_a_number(tmp_path):
    root = tmp_path / "repo"
    content = site_files(root)
    shutil.copy(FIXTURES / "cbr.mp3", content / "episodes/interview-mit-aylin.mp3")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "add", date="2026-03-01T10:00:00+01:00")
    result = build(content, tmp_path / "output")
    assert result.error is None
    line = next(p for p in result.problems if "interview-mit-aylin" in p)
    assert line.startswith(
        "WARNING: podcast: episodes/interview-mit-aylin.mp3: number = None: the GUID of an "
        "episode dated by git needs a number"
    )
    assert "python -m resonanz new-episode content/episodes/interview-mit-aylin.mp3" in line
    assert list(items_by_title(tmp_path / "output/feeds/podcast.xml")) == ["Interview mit aylin"]


def test_ci_fetches_the_full_history():
    import yaml
    from conftest import ROOT

    github = yaml.safe_load((ROOT / ".github/workflows/site.yml").read_text(encoding="utf-8"))
    checkouts = [step for job in github["jobs"].values() for step in job["steps"]
                 if str(step.get("uses", "")).startswith("actions/checkout")]
    assert checkouts and all(step["with"]["fetch-depth"] == 0 for step in checkouts)
    gitlab = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert gitlab["variables"]["GIT_DEPTH"] == 0


@pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium")
def test_dropped_episode_page_in_chromium(origin, tmp_path):
    """The page of a file dated by its commit, as a listener sees it: title, date, a player
    that knows the length, at phone and desktop size, light and dark."""
    from playwright.sync_api import sync_playwright

    repo, dates = origin
    checkout = clone(repo, tmp_path / "checkout")
    output = tmp_path / "output"
    assert build(checkout / "content", output).error is None
    handler = functools.partial(_RangeHandler, directory=str(output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/episoden/003-vbr_ohne_header/"
    truth = true_duration(checkout / "content/episodes/003-vbr_ohne_header.mp3")
    shots = Path(os.environ.get("RESONANZ_ARTIFACTS", tmp_path)) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    player_heights: list[float] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for size in ({"width": 390, "height": 844}, {"width": 1366, "height": 900}):
                for scheme in ("light", "dark"):
                    context = browser.new_context(viewport=size, color_scheme=scheme)
                    page = context.new_page()
                    page.goto(url, wait_until="load")
                    heading = page.locator("h1")
                    assert heading.inner_text() == "Vbr ohne header"
                    assert heading.is_visible()
                    published = page.locator("time.dt-published")
                    assert published.is_visible()
                    assert published.get_attribute("datetime").startswith("2026-03-07T10:07")
                    assert "2026" in published.inner_text()
                    # the player's bar (player.js replaces the native controls with it)
                    bar = page.locator(".podplayer__ui").first
                    bar.wait_for(state="visible")
                    box = bar.bounding_box()
                    assert box and box["width"] >= 200, box
                    player_heights.append(box["height"])
                    shown = page.locator(".episode-duration")
                    assert shown.is_visible() and shown.inner_text().strip()
                    player = page.locator(".podplayer").first
                    measured = float(player.get_attribute("data-duration"))
                    assert abs(measured - truth) <= 0.5, measured
                    # a short episode's length in words: "6 Sek." (no-break space)
                    seconds = re.fullmatch(r"(\d+)\s+Sek\.", shown.inner_text().strip())
                    assert seconds, shown.inner_text()
                    assert abs(int(seconds[1]) - truth) <= 1, shown.inner_text()
                    # the player loads the file (its own length is Chromium's estimate from
                    # the bitrate: a VBR MP3 without header gives no better)
                    page.wait_for_function("document.querySelector('audio').readyState >= 1")
                    width = page.evaluate("[document.documentElement.scrollWidth, "
                                          "document.documentElement.clientWidth]")
                    assert width[0] <= width[1], width
                    page.screenshot(path=str(shots / f"dropped-{size['width']}-{scheme}.png"))
                    context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    assert min(player_heights) >= 40, player_heights
