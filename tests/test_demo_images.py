"""The demo's podcast covers: German text in a font that has the glyphs, same bytes every run."""

from __future__ import annotations

import pytest
from conftest import CONTENT
from PIL import Image, ImageChops, ImageDraw, ImageFont

from resonanz.demo_images import COVERS, font_path, generate, render_cover


def glyph(font: ImageFont.FreeTypeFont, text: str) -> Image.Image:
    image = Image.new("L", (80, 80))
    ImageDraw.Draw(image).text((10, 5), text, fill=255, font=font)
    return image


def test_cover_font_draws_umlauts_not_boxes():
    font = ImageFont.truetype(str(font_path()), 48)
    missing = glyph(font, "\U000e01ef")  # an unassigned code point: the font's box
    for letter, plain in (("ö", "o"), ("ä", "a"), ("ü", "u"), ("ß", "B")):
        drawn = glyph(font, letter)
        assert ImageChops.difference(drawn, missing).getbbox() is not None, letter
        assert ImageChops.difference(drawn, glyph(font, plain)).getbbox() is not None, letter


@pytest.mark.parametrize("cover", COVERS, ids=[c.path for c in COVERS])
def test_committed_covers_are_what_the_generator_draws(cover):
    assert render_cover(cover, font_path()) == (CONTENT / cover.path).read_bytes()


def test_generate_writes_nothing_when_content_is_current(tmp_path):
    images, extra = tmp_path / "images", tmp_path / "extra"
    first = generate(images, extra, tmp_path)
    assert {p.relative_to(tmp_path).as_posix() for p in first} >= {c.path for c in COVERS}
    assert generate(images, extra, tmp_path) == []  # byte for byte the same: nothing rewritten
