"""`python -m resonanz check` passes on the demo; breaking the site on purpose makes it fail."""

from __future__ import annotations

import functools
import http.server
import io
import json
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, TEST_SITEURL, chromium_available, free_port
from lxml import etree
from PIL import Image

from resonanz.check import main
from resonanz.check.links import srcset_urls
from resonanz.check.site import Site, detect_siteurl
from resonanz.check.validator import check_html

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
needs_browser = pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium")
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="needs java")


def run_check(output: Path, *options: str, capsys) -> tuple[int, str]:
    code = main([str(output), *options])
    return code, capsys.readouterr().out


def error_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("ERROR ")]


def summary_row(text: str, check: str) -> list[str]:
    """The summary table's row of one check: [name, checked, errors, warnings, note...]."""
    rows = [line.split() for line in text.splitlines() if line.startswith(check + " ")]
    assert rows, f"no summary row for {check}:\n{text}"
    return rows[-1]


@pytest.fixture
def site_copy(demo_site, tmp_path) -> Path:
    """A private copy of the built demo site, to break on purpose."""
    return Path(shutil.copytree(demo_site.output, tmp_path / "output"))


def an_article(output: Path) -> Path:
    return next(output.glob("2008/03/*/index.html"))


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), "utf-8")


# --- the demo passes ------------------------------------------------------------------


def test_demo_site_passes_every_check(demo_site, capsys):
    options = [] if chromium_available() else ["--no-browser"]
    if shutil.which("java") is None:
        options.append("--no-html-validation")
    code, out = run_check(demo_site.output, *options, capsys=capsys)
    assert error_lines(out) == []
    assert code == 0, out
    assert f"as {TEST_SITEURL}/" in out  # found from the home page's canonical link
    for check in ("links", "a11y", "feeds", "jsonld", "sitemap", "robots", "privacy", "weight"):
        name, checked, errors, *_ = summary_row(out, check)
        assert int(checked) > 0 and errors == "0", out
    pages = len(list(demo_site.output.rglob("*.html")))
    assert int(summary_row(out, "links")[1]) >= pages
    if chromium_available():
        # Lighthouse on home, a post with comments, an episode, a case study and search
        assert summary_row(out, "lighthouse")[1:3] == ["5", "0"], out
    assert "check OK: 0 error(s)" in out


# --- broken on purpose ------------------------------------------------------------------


def test_dead_link_and_missing_anchor_are_named(site_copy, capsys):
    article = an_article(site_copy)
    edit(article, "</article>",
         '<p><a href="../../../gibt-es-nicht/">kaputt</a> <a href="#kein-anker">weg</a>'
         ' <img src="../../../images/fehlt.jpg" alt="Fehlt"></p></article>')
    (site_copy / "ueber-uns" / "index.html").unlink()  # every footer/menu link now dead
    code, out = run_check(site_copy, "--only", "links", capsys=capsys)
    assert code == 1
    rel = str(article.relative_to(site_copy))
    errors = error_lines(out)
    assert any(rel in e and "gibt-es-nicht/index.html does not exist" in e for e in errors), out
    assert any(rel in e and "has no id 'kein-anker'" in e for e in errors), out
    assert any(rel in e and "images/fehlt.jpg does not exist" in e for e in errors), out
    assert any("index.html:" in e and "ueber-uns/index.html does not exist" in e for e in errors)
    assert "check FAILED" in out
    assert int(summary_row(out, "links")[2]) == len(errors)


def test_sitemap_robots_and_feeds_point_at_existing_files(site_copy, capsys):
    (site_copy / "robots.txt").unlink()
    edit(site_copy / "sitemap.xml", "</urlset>",
         f"<url><loc>{TEST_SITEURL}/verschwunden/</loc></url></urlset>")
    feed = site_copy / "feeds" / "alle.atom.xml"
    article = next(site_copy.glob("2025/05/beschwerden-als-chance/index.html"))
    article.unlink()
    code, out = run_check(site_copy, "--only", "sitemap", "--only", "robots", "--only", "feeds",
                          capsys=capsys)
    assert code == 1
    errors = error_lines(out)
    assert any(e.startswith("ERROR [robots] robots.txt") and "missing" in e for e in errors)
    assert any("[sitemap] sitemap.xml:" in e and "verschwunden/index.html does not exist" in e
               for e in errors), out
    assert any("[feeds] feeds/alle.atom.xml" in e and "beschwerden-als-chance" in e
               for e in errors), out
    assert feed.is_file()


@needs_java
def test_invalid_html_is_named_by_the_validator(demo_site, tmp_path, capsys):
    # a small site (home + one article) keeps this to one quick JVM run
    site = tmp_path / "small"
    article = an_article(demo_site.output)
    for page in (demo_site.output / "index.html", article):
        target = site / page.relative_to(demo_site.output)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(page, target)
    broken = site / article.relative_to(demo_site.output)
    edit(broken, '<div class="e-content prose">',
         '<div class="e-content prose"><p><div>Absatz</p><span id="inhalt">doppelt</span>')
    code, out = run_check(site, "--only", "html", capsys=capsys)
    assert code == 1
    rel = str(broken.relative_to(site))
    errors = error_lines(out)
    assert errors and all(e.startswith(f"ERROR [html] {rel}:") for e in errors), out
    assert any("invalid HTML" in e and "“p”" in e for e in errors), out
    assert any("Duplicate ID “inhalt”" in e for e in errors), out
    assert summary_row(out, "html")[1:3] == ["2", str(len(errors))]


def test_missing_java_is_an_error_unless_skipped(demo_site, monkeypatch, capsys):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("JAVA", raising=False)
    result = check_html(Site(demo_site.output), files=[])
    assert result.errors == 1 and "java not found" in result.findings[0].message
    assert "--no-html-validation" in result.findings[0].message
    code, out = run_check(demo_site.output, "--only", "html", "--no-html-validation",
                          capsys=capsys)
    assert code == 0 and "skipped: --no-html-validation" in out


def test_image_without_alt_and_other_a11y_basics(site_copy, capsys):
    home = site_copy / "index.html"
    edit(home, 'alt="" width="40"', 'width="40"')
    page = site_copy / "impressum" / "index.html"
    edit(page, "</main>", '<h1>Zweite</h1><a href="../"></a>'
         '<form><input type="text" name="q"></form></main>')
    edit(page, '<html lang="de"', "<html")
    code, out = run_check(site_copy, "--only", "a11y", capsys=capsys)
    assert code == 1
    errors = error_lines(out)
    assert any(e.startswith("ERROR [a11y] index.html:") and 'images/logo.png">' in e
               and "no alt attribute" in e for e in errors), out
    for problem in ("expected exactly one h1, found 2", "link has no text",
                    "form field has no label", "no lang attribute"):
        assert any("impressum/index.html" in e and problem in e for e in errors), problem
    # the logo appears on every page, but only the edited home page lost its alt
    assert sum("no alt attribute" in e for e in errors) == 1


@needs_browser
def test_axe_finds_serious_violations_in_chromium(site_copy, capsys):
    home = site_copy / "index.html"
    edit(home, 'alt="" width="40"', 'width="40"')
    edit(home, "</main>", '<p><a href="https://cdn.example.com/x"><img src="images/logo.png">'
         "</a></p></main>")
    code, out = run_check(site_copy, "--only", "axe", "--axe-page", "index.html", capsys=capsys)
    assert code == 1
    errors = error_lines(out)
    assert any(e.startswith("ERROR [axe] index.html:") and "image-alt (critical" in e
               for e in errors), out
    assert summary_row(out, "axe")[1] == "1"


def test_third_party_resources_before_consent(site_copy, capsys):
    article = an_article(site_copy)
    edit(article, "</head>", '<script src="https://cdn.example.com/track.js" defer></script>'
         '<link rel="stylesheet" href="https://fonts.example.net/font.css"></head>')
    edit(article, "</article>", '<iframe src="https://video.example.org/embed/1" title="Video">'
         "</iframe></article>")
    code, out = run_check(site_copy, "--only", "privacy", capsys=capsys)
    assert code == 1
    rel = str(article.relative_to(site_copy))
    errors = error_lines(out)
    for host in ("cdn.example.com", "fonts.example.net", "video.example.org"):
        assert any(rel in e and f"third-party host {host}" in e for e in errors), host
    assert len(errors) == 3  # links to other sites in the text are not requests
    code, out = run_check(site_copy, "--only", "privacy", "--allow-host", "cdn.example.com",
                          "--allow-host", "fonts.example.net", "--allow-host",
                          "video.example.org", capsys=capsys)
    assert code == 0


def test_page_weight_budget(site_copy, capsys):
    code, out = run_check(site_copy, "--only", "weight", "--budget-kb", "2", capsys=capsys)
    assert code == 1
    errors = error_lines(out)
    assert any(e.startswith("ERROR [weight] index.html:") and "exceeds the budget of 2 KB" in e
               and "theme/css/site.css" in e for e in errors), out


def test_broken_json_ld_is_named(site_copy, capsys):
    article = an_article(site_copy)
    text = article.read_text("utf-8")
    text = text.replace('"headline": ', '"titel": ', 1)
    text = text.replace('"@context": "https://schema.org", "@type": "BreadcrumbList"',
                        '"@type": "BreadcrumbList"', 1)
    article.write_text(text, "utf-8")
    edit(site_copy / "index.html", '<script type="application/ld+json">',
         '<script type="application/ld+json">{kaputt')
    code, out = run_check(site_copy, "--only", "jsonld", capsys=capsys)
    assert code == 1
    rel = str(article.relative_to(site_copy))
    errors = error_lines(out)
    assert any(rel in e and "BlogPosting has no headline" in e for e in errors), out
    assert any(rel in e and "@context = None" in e for e in errors), out
    assert any(e.startswith("ERROR [jsonld] index.html:") and "does not parse" in e
               for e in errors), out


# --- podcast feeds ----------------------------------------------------------------------


def write_podcast_feed(output: Path) -> tuple[Path, Path]:
    """A small podcast feed like the podcast plugin's, with audio inside the output."""
    audio = output / "podcast" / "001-test.mp3"
    audio.parent.mkdir(parents=True, exist_ok=True)
    audio.write_bytes(b"ID3" + bytes(4093))
    chapters = audio.with_suffix(".chapters.json")
    chapters.write_text(json.dumps({"version": "1.2.0", "chapters": [{"startTime": 0,
                                                                       "title": "Start"}]}))
    nsmap = {"itunes": ITUNES, "podcast": PODCAST, "atom": ATOM}
    rss = etree.Element("rss", version="2.0", nsmap=nsmap)
    channel = etree.SubElement(rss, "channel")
    feed = output / "feeds" / "podcast.xml"

    def sub(parent, tag, content=None, **attributes):
        element = etree.SubElement(parent, tag, attributes)
        element.text = content
        return element

    sub(channel, "title", "Resonanz – der Podcast")
    sub(channel, "link", f"{TEST_SITEURL}/")
    sub(channel, "description", "Gespräche über Kundendialog.")
    sub(channel, "language", "de")
    sub(channel, f"{{{ATOM}}}link", rel="self", href=f"{TEST_SITEURL}/feeds/podcast.xml",
        type="application/rss+xml")
    sub(channel, f"{{{ITUNES}}}image", href=f"{TEST_SITEURL}/images/podcast/cover.jpg")
    category = sub(channel, f"{{{ITUNES}}}category", text="Business")
    sub(category, f"{{{ITUNES}}}category", text="Marketing")
    sub(channel, f"{{{ITUNES}}}explicit", "false")
    sub(channel, f"{{{ITUNES}}}author", "Resonanz")
    owner = sub(channel, f"{{{ITUNES}}}owner")
    sub(owner, f"{{{ITUNES}}}email", "podcast@resonanz.example")
    sub(channel, f"{{{PODCAST}}}guid", "917393e3-1b1e-5cef-ace4-edaa54e1f810")
    sub(channel, f"{{{PODCAST}}}locked", "no")
    item = sub(channel, "item")
    sub(item, "title", "Zuhören statt senden")
    sub(item, "link", f"{TEST_SITEURL}/")
    sub(item, "guid", "b3c4a6c2-5d3e-5f7a-9d4b-0d3f1c2e4a51", isPermaLink="false")
    sub(item, "pubDate", "Mon, 03 Feb 2025 10:00:00 +0100")
    sub(item, "enclosure", url=f"{TEST_SITEURL}/podcast/001-test.mp3",
        length=str(audio.stat().st_size), type="audio/mpeg")
    sub(item, f"{{{ITUNES}}}duration", "00:01:00")
    sub(item, f"{{{PODCAST}}}chapters", url=f"{TEST_SITEURL}/podcast/001-test.chapters.json",
        type="application/json+chapters")
    feed.write_bytes(etree.tostring(rss, xml_declaration=True, encoding="utf-8"))
    return feed, audio


def podcast_feed(output: Path) -> tuple[Path, Path | None]:
    """The podcast plugin's feed when the build made one, else a hand-made one."""
    feed = output / "feeds" / "podcast.xml"
    if feed.is_file():
        return feed, None
    return write_podcast_feed(output)


def test_podcast_feed_passes_and_is_seen_as_podcast(site_copy, capsys):
    podcast_feed(site_copy)
    code, out = run_check(site_copy, "--only", "feeds", "--only", "podcast", capsys=capsys)
    assert error_lines(out) == [], out
    assert code == 0
    assert int(summary_row(out, "podcast")[1]) >= 1


def test_feed_without_enclosure_length_fails(site_copy, capsys):
    feed, _ = podcast_feed(site_copy)
    text = feed.read_text("utf-8")
    broken, count = re.subn(r'(<enclosure[^>]*?) length="\d+"', r"\1", text, count=1)
    assert count == 1
    feed.write_text(broken, "utf-8")
    code, out = run_check(site_copy, "--only", "podcast", capsys=capsys)
    assert code == 1
    errors = error_lines(out)
    assert any(e.startswith("ERROR [podcast] feeds/podcast.xml:") and "<enclosure" in e
               and "enclosure has no length" in e for e in errors), out


def test_enclosure_length_must_match_the_file_and_apple_tags_are_required(site_copy, capsys):
    feed, audio = write_podcast_feed(site_copy)
    audio.write_bytes(audio.read_bytes() + b"\0" * 10)  # the file changed after the feed
    tree = etree.parse(str(feed))
    channel = tree.getroot().find("channel")
    channel.remove(channel.find("language"))
    channel.remove(channel.find(f"{{{ITUNES}}}explicit"))
    channel.find("item").remove(channel.find("item/guid"))
    tree.write(str(feed), xml_declaration=True, encoding="utf-8")
    code, out = run_check(site_copy, "--only", "podcast", capsys=capsys)
    assert code == 1
    errors = error_lines(out)
    assert any("feeds/podcast.xml" in e and "length=4096 but podcast/001-test.mp3 is 4106 bytes"
               in e for e in errors), out
    assert any("<channel><language>" in e and "Apple requires it" in e for e in errors), out
    assert any("<itunes:explicit>" in e and "missing" in e for e in errors), out
    assert any("<guid>" in e and "missing" in e for e in errors), out


def test_broken_feed_xml_is_bozo(site_copy, capsys):
    feed = site_copy / "feeds" / "alle.rss.xml"
    edit(feed, "</channel>", "<item><title>kaputt</item></channel>")
    code, out = run_check(site_copy, "--only", "feeds", capsys=capsys)
    assert code == 1
    assert any(e.startswith("ERROR [feeds] feeds/alle.rss.xml:") and "feedparser" in e
               for e in error_lines(out)), out


# --- units --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "urls"),
    [
        ("a.jpg", ["a.jpg"]),
        ("a.jpg 1x, b.jpg 2x", ["a.jpg", "b.jpg"]),
        (" small.png 300w ,large.png 1200w ", ["small.png", "large.png"]),
        ("", []),
    ],
)
def test_srcset_urls(value, urls):
    assert srcset_urls(value) == urls


def test_site_maps_siteurl_and_media_url_into_the_output(tmp_path):
    (tmp_path / "podcast").mkdir()
    (tmp_path / "podcast" / "a.mp3").write_bytes(b"x")
    (tmp_path / "blog").mkdir()
    (tmp_path / "blog" / "index.html").write_text("<p>")
    site = Site(tmp_path, siteurl="https://example.org/sub",
                url_map={"https://cdn.example.net/media": "podcast"})
    assert site.resolve("https://cdn.example.net/media/a.mp3").path == tmp_path / "podcast/a.mp3"
    assert site.resolve("https://example.org/sub/blog/").exists
    assert site.resolve("https://example.org/sub/blog").exists  # a folder without slash
    assert site.resolve("/sub/blog/#x", tmp_path / "blog" / "index.html").fragment == "x"
    assert site.resolve("../../../../etc/passwd", tmp_path / "blog/index.html").exists is False
    assert site.resolve("https://example.org/other").kind == "external"
    assert site.resolve("mailto:a@example.org").kind == "skip"
    assert site.resolve("%2e%2e/%2e%2e/etc/passwd", tmp_path / "blog/index.html").exists is False


def test_siteurl_is_detected_from_canonical_or_robots(tmp_path):
    assert detect_siteurl(tmp_path) == ""
    (tmp_path / "robots.txt").write_text("User-agent: *\nSitemap: https://a.example/x/sitemap.xml")
    assert detect_siteurl(tmp_path) == "https://a.example/x/"
    (tmp_path / "index.html").write_text('<link rel="canonical" href="https://b.example/">')
    assert detect_siteurl(tmp_path) == "https://b.example/"


def test_missing_output_dir_is_a_usage_error(tmp_path, capsys):
    assert main([str(tmp_path / "nichts")]) == 2
    assert "build the site first" in capsys.readouterr().err


# --- in the browser: player, chapters, dark mode, mobile width, screenshots ---------------

ARTIFACTS = Path(os.environ.get("RESONANZ_ARTIFACTS", ROOT / "test-artifacts")) / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "mobile": {"width": 375, "height": 740}}


class _RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with HTTP Range support: Chromium seeks audio with range requests."""

    def log_message(self, *args) -> None:  # keep the test output readable
        pass

    def send_head(self):
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if not match or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        start = int(match.group(1))
        end = min(int(match.group(2) or size - 1), size - 1)
        if start >= size:
            self.send_error(416)
            return None
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        data = path.read_bytes()[start:end + 1]
        return io.BytesIO(data)


@pytest.fixture(scope="module")
def served_demo(demo_site):
    handler = functools.partial(_RangeHandler, directory=str(demo_site.output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", demo_site.output
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"],
        )
        yield browser
        browser.close()


def template_page(output: Path, kind: str) -> Path:
    """The first page of a template in the built demo, or a skip if the demo has none yet."""
    patterns = {
        "home": ["index.html"],
        "article": ["2008/03/*/index.html"],
        "episode": ["episoden/*/index.html"],
        "case-study": ["fallstudien/*/index.html"],
    }
    markers = {"episode": "is-episode", "case-study": "case-study"}
    for pattern in patterns[kind]:
        for path in sorted(output.glob(pattern)):
            if kind not in markers or markers[kind] in path.read_text("utf-8"):
                return path
    pytest.skip(f"the demo build has no {kind} page (plugin not enabled)")


def open_page(chromium, url: str, viewport: str = "desktop", scheme: str = "light"):
    context = chromium.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme)
    requested_hosts = set()
    context.on("request", lambda request: requested_hosts.add(request.url.split("/")[2]))
    page = context.new_page()
    page.goto(url, wait_until="load")
    return page, requested_hosts


@needs_browser
def test_player_plays_the_episode_and_a_chapter_link_seeks(served_demo, chromium):
    base, output = served_demo
    episode = template_page(output, "episode")
    page, hosts = open_page(chromium, base + str(episode.relative_to(output)))
    try:
        page.wait_for_function("document.querySelector('audio').readyState >= 1")
        duration = page.evaluate("document.querySelector('audio').duration")
        assert 0 < duration < 24 * 3600  # known and finite: the server answered with ranges
        page.evaluate("const a = document.querySelector('audio'); a.muted = true; a.play()")
        page.wait_for_function("document.querySelector('audio').currentTime > 0.3")
        chapters = page.locator("a.chapter-link[data-start]")
        if chapters.count() < 2:
            pytest.skip("this episode has no chapters to seek to")
        start = float(chapters.nth(1).get_attribute("data-start"))
        page.evaluate("document.querySelector('audio').pause()")
        chapters.nth(1).click()
        page.wait_for_function(
            f"Math.abs(document.querySelector('audio').currentTime - {start}) < 0.6"
        )
        assert hosts == {base.split("/")[2]}
    finally:
        page.context.close()


@needs_browser
def test_dark_mode_renders_dark(served_demo, chromium):
    base, output = served_demo
    colours = {}
    for scheme in ("light", "dark"):
        page, _ = open_page(chromium, base, scheme=scheme)
        colours[scheme] = page.evaluate(
            "getComputedStyle(document.body).backgroundColor.match(/\\d+/g).slice(0, 3)"
            ".map(Number)"
        )
        page.context.close()
    luminance = {k: sum(v) / (3 * 255) for k, v in colours.items()}
    assert luminance["dark"] < 0.3 < luminance["light"], colours


@needs_browser
@pytest.mark.parametrize("kind", ["home", "article", "episode", "case-study"])
def test_pages_fit_a_phone_and_screenshots_are_saved(served_demo, chromium, kind):
    base, output = served_demo
    path = template_page(output, kind)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for viewport, size in VIEWPORTS.items():
        page, _ = open_page(chromium, base + str(path.relative_to(output)), viewport)
        try:
            # the screenshot first: it is what one looks at when the width check fails
            shot = ARTIFACTS / f"{kind}-{viewport}.png"
            page.screenshot(path=str(shot), full_page=True)
            widths = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert widths[0] <= widths[1], f"{kind} scrolls sideways at {viewport}: {widths}"
        finally:
            page.context.close()
        with Image.open(shot) as image:
            assert image.width == size["width"] and image.height >= size["height"]
