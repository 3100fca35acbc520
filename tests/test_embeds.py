"""Embeds plugin: video URLs and placeholders, share links, player pages, oEmbed, _headers."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from conftest import CONTENT, ROOT, TEST_SITEURL, build_site, tree_digest
from lxml import html
from pelican.settings import read_settings
from PIL import Image
from resonanz_embeds import headers, player, previews, share
from resonanz_embeds.video import Video, find_video_paragraph, parse_video_url, replace_videos

VIDEO_POST = "2026/03/video-serie-kundenservice/index.html"
NOCOOKIE = "www.youtube-nocookie.com"


def with_embeds(**overrides) -> dict:
    """Settings overrides that switch the plugins on, whatever pelicanconf.py says yet."""
    settings = read_settings(str(ROOT / "pelicanconf.py"))
    plugins = list(settings["PLUGINS"])
    for name in ("resonanz_podcast", "resonanz_embeds"):
        if name not in plugins:
            plugins.append(name)
    scripts = list(settings.get("RESONANZ_SCRIPTS") or [])
    styles = list(settings.get("RESONANZ_STYLESHEETS") or [])
    return {
        "PLUGINS": plugins,
        "RESONANZ_SCRIPTS": scripts if "embeds.js" in scripts else [*scripts, "embeds.js"],
        "RESONANZ_STYLESHEETS": styles if "embeds.css" in styles else [*styles, "embeds.css"],
        **overrides,
    }


@pytest.fixture(scope="session")
def embeds_site(tmp_path_factory):
    """The demo content with the embeds and podcast plugins on, built once."""
    before = tree_digest(CONTENT)
    result = build_site(CONTENT, tmp_path_factory.mktemp("embeds") / "output", **with_embeds())
    assert result.error is None, result.error
    assert tree_digest(CONTENT) == before, "the build changed files under content/"
    return result


def parse(path: Path):
    return html.fromstring(path.read_bytes())


def episode_slugs(output: Path) -> list[str]:
    return sorted(p.parent.parent.name for p in output.glob("episoden/*/embed/index.html"))


# ---------- video URLs


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.youtube.com/watch?v=aqz-KE-bpKQ", ("youtube", "aqz-KE-bpKQ", 0, "")),
        ("https://youtube.com/watch?v=aqz-KE-bpKQ&t=1m30s", ("youtube", "aqz-KE-bpKQ", 90, "")),
        ("https://youtu.be/aqz-KE-bpKQ?t=42", ("youtube", "aqz-KE-bpKQ", 42, "")),
        ("https://m.youtube.com/shorts/aqz-KE-bpKQ", ("youtube", "aqz-KE-bpKQ", 0, "")),
        ("https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ", ("youtube", "aqz-KE-bpKQ", 0, "")),
        ("http://vimeo.com/1084537", ("vimeo", "1084537", 0, "")),
        ("https://vimeo.com/1084537/abcdef1234#t=1h2s", ("vimeo", "1084537", 3602, "abcdef1234")),
        ("https://vimeo.com/channels/staffpicks/1084537", ("vimeo", "1084537", 0, "")),
        ("https://player.vimeo.com/video/1084537?h=abcdef12", ("vimeo", "1084537", 0, "abcdef12")),
    ],
)
def test_video_urls_are_recognised(url, expected):
    video = parse_video_url(url)
    assert (video.provider, video.video_id, video.start, video.unlisted_hash) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=tooshort",
        "https://www.youtube.com/channel/UCabc",
        "https://vimeo.com/about",
        "https://example.com/watch?v=aqz-KE-bpKQ",
        "ftp://youtu.be/aqz-KE-bpKQ",
        "https://youtube.com.evil.example/watch?v=aqz-KE-bpKQ",
    ],
)
def test_other_urls_are_not_videos(url):
    assert parse_video_url(url) is None


def test_player_urls_use_privacy_hosts_with_dnt():
    youtube = urlsplit(Video("youtube", "aqz-KE-bpKQ", 90).player_src)
    assert youtube.netloc == NOCOOKIE and youtube.path == "/embed/aqz-KE-bpKQ"
    assert parse_qs(youtube.query) == {
        "autoplay": ["1"],
        "dnt": ["1"],
        "rel": ["0"],
        "start": ["90"],
    }
    vimeo = urlsplit(Video("vimeo", "1084537", 0, "abcdef12").player_src)
    assert vimeo.netloc == "player.vimeo.com" and vimeo.path == "/video/1084537"
    assert parse_qs(vimeo.query) == {"h": ["abcdef12"], "autoplay": ["1"], "dnt": ["1"]}
    assert Video("vimeo", "1084537").watch_url == "https://vimeo.com/1084537"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("https://youtu.be/aqz-KE-bpKQ", ("https://youtu.be/aqz-KE-bpKQ", "", False)),
        (
            '<a href="https://youtu.be/aqz-KE-bpKQ">https://youtu.be/aqz-KE-bpKQ</a>',
            ("https://youtu.be/aqz-KE-bpKQ", "", False),
        ),
        (
            '!video<a href="https://vimeo.com/1?a=1&amp;b=2">Titel &amp; mehr</a>',
            ("https://vimeo.com/1?a=1&b=2", "Titel & mehr", True),
        ),
        ('<a href="https://youtu.be/aqz-KE-bpKQ">unser Video</a>', None),
        ("Siehe https://youtu.be/aqz-KE-bpKQ", None),
    ],
)
def test_video_paragraphs(body, expected):
    found = find_video_paragraph(body)
    assert (found and (found.url, found.title, found.explicit)) == expected


def test_replace_videos_touches_only_lone_video_paragraphs():
    content = (
        "<p>Text davor.</p>\n<p>https://youtu.be/aqz-KE-bpKQ</p>\n"
        "<pre><code>https://youtu.be/aqz-KE-bpKQ\n</code></pre>\n"
        "<p>https://example.com/</p>"
    )
    seen = []

    def render(found):
        seen.append(found.url)
        return "<figure>VIDEO</figure>" if parse_video_url(found.url) else None

    new, count = replace_videos(content, render)
    assert count == 1
    assert new == (
        "<p>Text davor.</p>\n<figure>VIDEO</figure>\n"
        "<pre><code>https://youtu.be/aqz-KE-bpKQ\n</code></pre>\n"
        "<p>https://example.com/</p>"
    )
    assert seen == ["https://youtu.be/aqz-KE-bpKQ", "https://example.com/"]


def test_videos_in_markdown_source_skip_code_blocks():
    text = (
        "Intro\n\nhttps://youtu.be/aqz-KE-bpKQ\n\n```\nhttps://vimeo.com/222\n```\n\n"
        "    https://vimeo.com/333\n\n!video[Titel](https://vimeo.com/1084537)\n\n"
        "<https://youtu.be/aqz-KE-bpKQ>\n"
    )
    assert previews.videos_in_text(text) == [
        Video("youtube", "aqz-KE-bpKQ"),
        Video("vimeo", "1084537"),
    ]


def test_normalised_preview_is_a_small_jpeg():
    buffer = io.BytesIO()
    Image.new("RGBA", (1280, 720), (200, 10, 10, 255)).save(buffer, "PNG")
    data = previews.normalise_preview(buffer.getvalue())
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.size, image.mode) == ("JPEG", (640, 360), "RGB")
    with pytest.raises(previews.PreviewError):
        previews.normalise_preview(b"<html>not an image</html>")


def test_preview_command_stores_missing_previews_and_keeps_existing(tmp_path, monkeypatch):
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "posts/a.md").write_text(
        "Title: A\n\nhttps://youtu.be/aqz-KE-bpKQ\n\n!video[B](https://vimeo.com/1084537)\n"
    )
    kept = content / "images/embeds/vimeo-1084537.jpg"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"hand-picked")
    fetched = []

    def fake_fetch(video, timeout):
        fetched.append(video.preview_name)
        return b"jpeg"

    monkeypatch.setattr(previews, "fetch_preview", fake_fetch)
    assert previews.main(["--content", str(content)]) == 0
    assert fetched == ["youtube-aqz-KE-bpKQ.jpg"]
    assert (content / "images/embeds/youtube-aqz-KE-bpKQ.jpg").read_bytes() == b"jpeg"
    assert kept.read_bytes() == b"hand-picked"


# ---------- share links

TRICKY_TITLE = "Kund:innen & Marken – „Zuhören“ #1? 100% ehrlich/offen"
PAGE_URL = "https://resonanz.example/2026/03/beitrag/?x=1&y=2"


@pytest.mark.parametrize(
    ("service", "prefix", "fields"),
    [
        ("bluesky", "https://bsky.app/intent/compose", {"text": f"{TRICKY_TITLE} {PAGE_URL}"}),
        ("linkedin", "https://www.linkedin.com/sharing/share-offsite/", {"url": PAGE_URL}),
        ("x", "https://x.com/intent/post", {"text": TRICKY_TITLE, "url": PAGE_URL}),
        ("facebook", "https://www.facebook.com/sharer/sharer.php", {"u": PAGE_URL}),
        ("whatsapp", "https://wa.me/", {"text": f"{TRICKY_TITLE} {PAGE_URL}"}),
        ("mastodon", "../teilen/mastodon/", {"text": TRICKY_TITLE, "url": PAGE_URL}),
    ],
)
def test_share_links_encode_title_and_url(service, prefix, fields):
    href = share.share_href(service, TRICKY_TITLE, PAGE_URL, "../teilen/mastodon/")
    base, _, query = href.partition("?")
    assert base == prefix
    assert {k: v[0] for k, v in parse_qs(query, strict_parsing=True).items()} == fields
    # every reserved character is percent-encoded: nothing of the title leaks into the syntax
    assert "&" not in query.replace("&url=", "").replace("&u=", "") or service in ("x", "mastodon")
    assert " " not in href and "#" not in href and "+" not in query


def test_mail_link_has_subject_and_url_with_percent_encoding():
    href = share.share_href("email", TRICKY_TITLE, PAGE_URL)
    scheme, _, query = href.partition(":?")
    assert scheme == "mailto"
    fields = dict(pair.split("=", 1) for pair in query.split("&"))
    assert set(fields) == {"subject", "body"}
    # RFC 6068: spaces as %20 (a + would show up literally in many mail clients)
    assert "+" not in query and "%20" in fields["subject"]
    assert unquote(fields["subject"]) == TRICKY_TITLE
    assert unquote(fields["body"]).endswith("\n" + PAGE_URL)


def test_share_list_follows_the_configured_order():
    links = share.share_links(["x", "email", "copy"], "T", "https://a.example/")
    assert [link.service for link in links] == ["x", "email", "copy"]
    assert [link.external for link in links] == [True, False, False]
    assert links[2].href == "https://a.example/"


# ---------- oEmbed and embed code


def test_oembed_document_is_rich_with_the_player_iframe():
    document = player.oembed_document(
        title='Folge "1" & mehr',
        player_url="https://r.example/episoden/a/embed/",
        width=640,
        height=260,
        provider_name="Resonanz",
        provider_url="https://r.example/",
        thumbnail=("https://r.example/a.jpg", 300, 300),
    )
    data = json.loads(player.oembed_json(document))
    for field in ("version", "type", "html", "width", "height", "title", "provider_name"):
        assert field in data
    assert (data["version"], data["type"]) == ("1.0", "rich")
    iframe = html.fragment_fromstring(data["html"])
    assert iframe.tag == "iframe" and iframe.get("src") == "https://r.example/episoden/a/embed/"
    assert iframe.get("title") == 'Folge "1" & mehr'
    assert (iframe.get("width"), iframe.get("height")) == ("640", "260")
    assert data["thumbnail_width"] == 300


# ---------- _headers


def rules_of(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    rules: list[tuple[str, list[tuple[str, str]]]] = []
    for line in text.splitlines():
        if line.startswith("/"):
            rules.append((line.strip(), []))
        elif line.startswith("  ") and rules:
            name, _, value = line.strip().partition(": ")
            rules[-1][1].append((name, value))
        else:
            assert line.startswith("#") or not line.strip(), f"stray line {line!r}"
    return rules


def matches(pattern: str, path: str) -> bool:
    """Netlify/Cloudflare path matching: `*` is a splat (any characters, also `/`)."""
    regex = "^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$"
    return re.match(regex, path) is not None


def headers_for(rules, path: str) -> list[tuple[str, str]]:
    """Every header a request gets: both hosts apply all matching rules."""
    return [header for pattern, items in rules if matches(pattern, path) for header in items]


def test_player_pages_are_framable_everything_else_is_not(tmp_path):
    for page in (
        "index.html",
        "2026/03/a/index.html",
        "episoden/index.html",
        "episoden/a/index.html",
        "episoden/a/embed/index.html",
        "episoden/page/2/index.html",
        "theme/css/site.css",
    ):
        (tmp_path / page).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / page).write_text("x")
    policy = {"default-src": ["'self'"], "frame-ancestors": ["'self'"]}
    text = headers.headers_file(
        headers.deny_paths(tmp_path, "episoden/{slug}/embed/"),
        "episoden/{slug}/embed/",
        policy,
        {"X-Content-Type-Options": "nosniff"},
    )
    rules = rules_of(text)
    for path in ("/", "/2026/03/a/", "/episoden/", "/episoden/a/", "/episoden/page/2/"):
        got = headers_for(rules, path)
        csp = [v for k, v in got if k == "Content-Security-Policy"]
        assert csp == ["default-src 'self'; frame-ancestors 'none'"], path
        assert ("X-Frame-Options", "DENY") in got and ("X-Content-Type-Options", "nosniff") in got
    got = headers_for(rules, "/episoden/a/embed/")
    assert [v for k, v in got if k == "Content-Security-Policy"] == [
        "default-src 'self'; frame-ancestors *"
    ]
    assert "X-Frame-Options" not in dict(got)


# ---------- the demo site


def test_video_post_has_click_to_load_placeholders_and_no_iframe(embeds_site):
    doc = parse(embeds_site.output / VIDEO_POST)
    figures = doc.xpath("//figure[@data-embed-src]")
    assert [f.get("data-embed-provider") for f in figures] == ["youtube", "vimeo"]
    assert not doc.xpath("//iframe"), "no player may be in the page before the click"
    youtube, vimeo = figures
    assert urlsplit(youtube.get("data-embed-src")).netloc == NOCOOKIE
    assert urlsplit(vimeo.get("data-embed-src")).netloc == "player.vimeo.com"
    for figure in figures:
        assert parse_qs(urlsplit(figure.get("data-embed-src")).query)["dnt"] == ["1"]
    # without JavaScript: a plain link to the video on the provider's site
    assert youtube.xpath(".//a[@class='embed__link']/@href") == [
        "https://www.youtube.com/watch?v=aqz-KE-bpKQ"
    ]
    assert vimeo.xpath(".//a[@class='embed__link']/@href") == ["https://vimeo.com/1084537"]
    assert vimeo.get("data-embed-title") == "Übergaben ohne Wiederholen – Beispielvideo"
    assert "Vimeo" in vimeo.xpath("string(.//figcaption)")
    privacy = youtube.xpath(".//figcaption/a/@href")
    assert privacy == ["../../../datenschutz/"]
    assert (
        (embeds_site.output / VIDEO_POST)
        .parent.joinpath(privacy[0], "index.html")
        .resolve()
        .is_file()
    )
    # no preview stored in the repository: a neutral placeholder, no image from the provider
    assert youtube.xpath(".//span[contains(@class, 'embed__preview--neutral')]")
    assert not doc.xpath("//img[contains(@src, 'ytimg') or contains(@src, 'vimeocdn')]")
    assert (embeds_site.output / "theme/images/embeds-video.svg").is_file()


def test_article_share_links_point_to_the_article(embeds_site):
    doc = parse(embeds_site.output / VIDEO_POST)
    links = {
        a.getparent().get("class").split("--")[-1]: a
        for a in doc.xpath("//section[@class='share']//a[@class='share__link']")
    }
    assert list(links) == [
        "email",
        "copy",
        "mastodon",
        "bluesky",
        "linkedin",
        "x",
        "facebook",
        "whatsapp",
    ]
    url = f"{TEST_SITEURL}/2026/03/video-serie-kundenservice/"
    title = "Neue Video-Serie: Kundenservice, der zuhört"
    mail = links["email"].get("href")
    assert mail.startswith("mailto:?subject=Neue%20Video-Serie%3A%20Kundenservice%2C%20der%20zuh")
    assert unquote(mail.split("body=")[1]) == f"{title}\n\n{url}"
    assert links["copy"].get("href") == url and links["copy"].get("data-embeds-copy") == url
    x = urlsplit(links["x"].get("href"))
    assert (x.netloc, parse_qs(x.query)) == ("x.com", {"text": [title], "url": [url]})
    mastodon = urlsplit(links["mastodon"].get("href"))
    assert mastodon.path == "../../../teilen/mastodon/" and parse_qs(mastodon.query)["url"] == [url]
    assert (embeds_site.output / "teilen/mastodon/index.html").is_file()
    for service in ("bluesky", "linkedin", "x", "facebook", "whatsapp"):
        assert set(links[service].get("rel").split()) >= {"noopener", "noreferrer"}
    assert not doc.xpath("//*[contains(@class, 'share')]//*[contains(@class, 'count')]")


def test_player_page_per_episode_with_audio_chapters_and_link_back(embeds_site):
    slugs = episode_slugs(embeds_site.output)
    assert slugs, "the demo has episodes, each needs a player page"
    assert len(slugs) == len(list(embeds_site.output.glob("episoden/*/index.html")))
    for slug in slugs:
        page = embeds_site.output / f"episoden/{slug}/embed/index.html"
        doc = parse(page)
        sources = doc.xpath("//audio/source/@src")
        assert sources and all((page.parent / s).resolve().is_file() for s in sources), slug
        back = doc.xpath("//a[contains(., 'Zur Folge')]/@href")
        assert back == [f"../../../episoden/{slug}/"] and doc.xpath("//h1")
        assert doc.xpath("//meta[@name='robots']/@content") == ["noindex"]
        assert all(a.get("target") == "_blank" for a in doc.xpath("//a[not(@data-start)]"))
    chapters = parse(embeds_site.output / "episoden/001-zuhoeren/embed/index.html").xpath(
        "//ol[@class='chapter-list']/li/a/@data-start"
    )
    assert chapters == ["0.0", "2.5", "5.0"]


def test_oembed_json_per_episode_points_at_the_player(embeds_site):
    for slug in episode_slugs(embeds_site.output):
        data = json.loads((embeds_site.output / f"episoden/{slug}/oembed.json").read_text())
        assert (data["version"], data["type"]) == ("1.0", "rich")
        assert isinstance(data["width"], int) and isinstance(data["height"], int)
        iframe = html.fragment_fromstring(data["html"])
        assert iframe.get("src") == f"{TEST_SITEURL}/episoden/{slug}/embed/"
        assert data["provider_url"] == f"{TEST_SITEURL}/"
        if "thumbnail_url" in data:
            local = data["thumbnail_url"].removeprefix(TEST_SITEURL + "/")
            assert (embeds_site.output / local).is_file()


def test_episode_page_offers_embed_code_and_oembed_discovery(embeds_site):
    page = embeds_site.output / "episoden/001-zuhoeren/index.html"
    doc = parse(page)
    codes = doc.xpath("//textarea[contains(@class, 'embed-code__field')]")
    assert len(codes) == 1, "lead: include partials/episode_share.html in episode.html"
    iframe = html.fragment_fromstring(codes[0].text)
    assert iframe.tag == "iframe"
    assert iframe.get("src") == f"{TEST_SITEURL}/episoden/001-zuhoeren/embed/"
    discovery = doc.xpath("//head/link[@type='application/json+oembed']/@href")
    assert discovery == [f"{TEST_SITEURL}/episoden/001-zuhoeren/oembed.json"], (
        "lead: include partials/embeds_head.html in partials/head_extra.html"
    )


def test_headers_file_of_the_demo_site(embeds_site):
    text = (embeds_site.output / "_headers").read_text()
    rules = rules_of(text)
    assert len(rules) <= headers.CLOUDFLARE_RULE_LIMIT
    assert "/episoden/*/embed/*" in [pattern for pattern, _ in rules]
    pages = sorted(embeds_site.output.rglob("*.html"))
    assert len(pages) > 30
    for page in pages:
        relative = page.relative_to(embeds_site.output).as_posix()
        path = "/" + relative.removesuffix("index.html")
        got = headers_for(rules, path)
        csp = [v for k, v in got if k == "Content-Security-Policy"]
        assert len(csp) == 1, f"{path}: {len(csp)} CSP headers"
        directives = dict(d.strip().split(" ", 1) for d in csp[0].split(";"))
        if relative.startswith("admin/"):  # the CMS has a policy of its own (resonanz_cms)
            assert "'unsafe-eval'" in directives["script-src"], path
            assert directives["frame-ancestors"] == "'none'", path
            continue
        if "/embed/" in relative:
            assert directives["frame-ancestors"] == "*" and "X-Frame-Options" not in dict(got)
        else:
            assert directives["frame-ancestors"] == "'none'", path
            assert ("X-Frame-Options", "DENY") in got, path
        assert directives["script-src"] == "'self'"
        assert "https://www.youtube-nocookie.com" in directives["frame-src"]


def test_a_bad_video_and_a_bad_setting_are_reported_and_the_rest_builds(tiny_content, tmp_path):
    (tiny_content / "posts/kaputt.md").write_text(
        "Title: Kaputt\nDate: 2026-01-01\nCategory: Test\n\n"
        "!video[Ein Video](https://example.com/film)\n\nhttps://youtu.be/aqz-KE-bpKQ\n",
        encoding="utf-8",
    )
    result = build_site(
        tiny_content, tmp_path / "out", **with_embeds(EMBEDS_SHARE_SERVICES=["email", "myspace"])
    )
    assert result.error is None
    assert any(
        "embeds: posts/kaputt.md: video = 'https://example.com/film': expected a YouTube or Vimeo"
        in p
        for p in result.problems
    ), result.problems
    assert any("EMBEDS_SHARE_SERVICES = ['email', 'myspace']" in p for p in result.problems)
    doc = parse(next((tmp_path / "out").glob("20*/*/kaputt/index.html")))
    assert len(doc.xpath("//figure[@data-embed-provider='youtube']")) == 1
    assert [a.get("href")[:7] for a in doc.xpath("//a[@class='share__link']")] == ["mailto:"]


def test_stored_preview_is_used_and_nothing_is_fetched(tiny_content, tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the build tried to reach the network")

    import resonanz_embeds.videos

    monkeypatch.setattr(resonanz_embeds.videos, "fetch_preview", no_network)
    monkeypatch.setattr(previews, "urlopen", no_network)
    (tiny_content / "images/embeds").mkdir()
    Image.new("RGB", (640, 360), (10, 120, 200)).save(
        tiny_content / "images/embeds/youtube-aqz-KE-bpKQ.jpg"
    )
    (tiny_content / "posts/video.md").write_text(
        "Title: Video\nDate: 2026-01-01\nCategory: Test\nLang: en\n\n"
        "https://youtu.be/aqz-KE-bpKQ\n\nhttps://vimeo.com/1084537\n",
        encoding="utf-8",
    )
    result = build_site(tiny_content, tmp_path / "out", **with_embeds(EMBEDS_PRIVACY_PAGE=""))
    assert result.error is None and result.problems == []
    page = next((tmp_path / "out").glob("en/20*/*/video/index.html"))
    doc = parse(page)
    src = doc.xpath("//figure[@data-embed-provider='youtube']//img/@src")
    assert src == ["../../../../images/embeds/youtube-aqz-KE-bpKQ.jpg"]
    assert (page.parent / src[0]).resolve().is_file()
    # the Vimeo video has no stored preview and fetching is off: the neutral placeholder
    assert not doc.xpath("//figure[@data-embed-provider='vimeo']//img")
    assert doc.xpath(
        "string(//figure[@data-embed-provider='vimeo']//*[@class='embed__play-text'])"
    ) == ("Play video")
    assert not doc.xpath("//figcaption/a"), "EMBEDS_PRIVACY_PAGE = '' means no link"
