"""resonanz_images: teaser variants by Pillow (widths, WebP + JPEG/PNG), the <picture> the
templates write, the cache, and clear errors for images that cannot be used."""

from __future__ import annotations

import io
from pathlib import Path

import lxml.html
import pytest
from conftest import build_site
from PIL import Image
from resonanz_images.plugin import first_image_in_text, source_path
from resonanz_images.variants import (
    JPEG,
    PNG,
    WEBP,
    ImageError,
    render_variants,
    variant_widths,
)


def image_bytes(size=(1200, 630), mode="RGB", fmt="JPEG") -> bytes:
    colour = (200, 80, 60, 128) if mode == "RGBA" else (200, 80, 60)
    image = Image.new(mode, size, colour)
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(("source", "widths", "expected"), [
    (1200, [320, 480, 720, 1080], [320, 480, 720, 1080]),
    (600, [320, 480, 720, 1080], [320, 480, 600]),   # never scaled up; its own width instead
    (200, [320, 480], [200]),
    (1080, [320, 1080], [320, 1080]),
])
def test_variant_widths(source, widths, expected):
    assert variant_widths(source, widths) == expected


def test_variants_are_webp_and_jpeg_at_each_width_with_their_real_size():
    variants = render_variants(image_bytes(), "bild", [320, 720], 78, 10_000_000)
    assert sorted((v.mime, v.width, v.height) for v in variants) == [
        (JPEG, 320, 168), (JPEG, 720, 378), (WEBP, 320, 168), (WEBP, 720, 378)]
    for variant, blob in variants.items():
        decoded = Image.open(io.BytesIO(blob))
        assert decoded.size == (variant.width, variant.height)
        assert decoded.format == {JPEG: "JPEG", WEBP: "WEBP"}[variant.mime]
        assert variant.name.startswith("bild-")
        extension = "webp" if variant.mime == WEBP else "jpg"
        assert variant.name.endswith(f"-{variant.width}.{extension}")
    # same bytes in, same files out (a build gives the same output twice)
    again = render_variants(image_bytes(), "bild", [320, 720], 78, 10_000_000)
    assert {v.name: b for v, b in again.items()} == {v.name: b for v, b in variants.items()}


def test_transparent_png_keeps_a_png_fallback():
    variants = render_variants(image_bytes((400, 400), "RGBA", "PNG"), "logo", [320], 78, 10**7)
    assert {v.mime for v in variants} == {WEBP, PNG}
    png = next(b for v, b in variants.items() if v.mime == PNG)
    assert Image.open(io.BytesIO(png)).mode == "RGBA"


@pytest.mark.parametrize(("data", "message"), [
    (b"kein Bild", "not a readable image"),
    (image_bytes((3000, 3000)), "more than"),
])
def test_unusable_images_raise_a_clear_error(data, message):
    with pytest.raises(ImageError, match=message):
        render_variants(data, "x", [320], 78, 1_000_000)


@pytest.mark.parametrize(("value", "expected"), [
    ("images/a.jpg", "images/a.jpg"),
    ("{static}/images/a.jpg", "images/a.jpg"),
    ("/images/a.jpg", "images/a.jpg"),
    ("https://cdn.example.org/a.jpg", None),
])
def test_source_path(value, expected):
    assert source_path(value) == expected


@pytest.mark.parametrize(("content", "expected"), [
    ('<p>x</p><img alt="Säulen" src="{static}/images/a.jpg">', ("images/a.jpg", "Säulen")),
    ('<img src="../../../images/b.png" alt="">', ("images/b.png", "")),
    ('<img src="https://resonanz.example/images/c.jpg" alt="C">', ("images/c.jpg", "C")),
    ('<img src="https://anderswo.example/d.jpg" alt="D"><img src="/images/e.jpg">',
     ("images/e.jpg", "")),
    ("<p>kein Bild</p>", None),
])
def test_first_image_in_text(content, expected):
    assert first_image_in_text(content, "https://resonanz.example") == expected


def _post(folder: Path, slug: str, extra: str = "", body: str = "Text.") -> None:
    (folder / f"{slug}.md").write_text(
        f"Title: Post {slug}\nDate: 2026-01-0{len(slug) % 9 + 1} 10:00\nCategory: Test\n"
        f"Slug: {slug}\nSummary: Kurz.\n{extra}\n{body}\n", encoding="utf-8")


def test_lists_and_posts_get_pictures_made_once_and_then_from_the_cache(tiny_content,
                                                                         tmp_path, caplog):
    (tiny_content / "images" / "teaser.jpg").write_bytes(image_bytes())
    _post(tiny_content / "posts", "mitbild", "Image: images/teaser.jpg\nImage_alt: Ein Bild")
    _post(tiny_content / "posts", "imtext", "",
          "Vorher.\n\n![Im Text]({static}/images/teaser.jpg)\n")
    _post(tiny_content / "posts", "fehlt", "Image: images/gibt-es-nicht.jpg")
    # an unreadable image in the text was never chosen as a teaser: no error, no card image
    (tiny_content / "images" / "kaputt.png").write_bytes(b"\x89PNG kein Bild")
    _post(tiny_content / "posts", "kaputtimtext", "", "![Kaputt]({static}/images/kaputt.png)\n")
    caplog.set_level("INFO", logger="resonanz_images.plugin")
    cache = str(tmp_path / "image-cache")
    result = build_site(tiny_content, tmp_path / "out", IMAGES_CACHE_PATH=cache)
    assert result.error is None
    out = tmp_path / "out"
    # a missing teaser is one problem, reported by resonanz_core like a missing link
    problems = [p for p in result.problems if "gibt-es-nicht" in p]
    assert len(problems) == 1, problems
    assert "resonanz_core: posts/fehlt.md: image = 'images/gibt-es-nicht.jpg': no such file" \
        in problems[0], problems
    home = lxml.html.parse(str(out / "index.html")).getroot()
    pictures = home.xpath("//article[contains(@class,'teaser')]//picture")
    assert len(pictures) == 2  # the post with `image` and the one with an image in its text
    for picture in pictures:
        webp = picture.xpath("source[@type='image/webp']/@srcset")[0]
        img = picture.xpath(".//img")[0]  # libxml2 does not know <source> is empty
        assert img.get("loading") == "lazy" and img.get("width") == "1080"
        assert img.get("height") == "567" and img.get("alt") == ""
        for candidate in webp.split(", ") + img.get("srcset").split(", "):
            url, width = candidate.rsplit(" ", 1)
            file = out / "images" / "v" / url.rsplit("/", 1)[1]
            assert Image.open(file).width == int(width.rstrip("w"))
    # the hero on the post page is the explicit image, loaded at once, with its alt text
    post = lxml.html.parse(str(out / "2026" / "01" / "mitbild" / "index.html")).getroot()
    hero = post.xpath("//figure[@class='article__image']//img")[0]
    assert hero.get("alt") == "Ein Bild"
    assert hero.get("loading") is None
    # an image taken from the text is not shown twice on its own page
    in_text = lxml.html.parse(str(out / "2026" / "01" / "imtext" / "index.html")).getroot()
    assert in_text.xpath("//figure[@class='article__image']") == []
    # a missing teaser is left out, not shown as a broken image or offered to social networks;
    # the message names content/ as the editor knows it, not the build machine's path
    missing = lxml.html.parse(str(out / "2026" / "01" / "fehlt" / "index.html")).getroot()
    assert missing.xpath("//figure[@class='article__image']") == []
    assert "gibt-es-nicht" not in lxml.html.tostring(missing, encoding="unicode")
    assert "no such file in content/;" in problems[0], problems
    assert "Errno" not in problems[0], problems
    assert "resonanz_images: 1 images made, 0 from the cache" in caplog.text
    made = {p.name: p.read_bytes() for p in (out / "images" / "v").iterdir()}

    caplog.clear()
    second = build_site(tiny_content, tmp_path / "out2", IMAGES_CACHE_PATH=cache)
    assert second.error is None
    assert "resonanz_images: 0 images made, 1 from the cache" in caplog.text
    assert {p.name: p.read_bytes() for p in (tmp_path / "out2" / "images" / "v").iterdir()} \
        == made
