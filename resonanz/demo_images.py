"""Draw the abstract teaser images and the logo of the bundled demo site, byte for byte the same."""

from __future__ import annotations

import argparse
import io
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

logger = logging.getLogger(__name__)

TEASER_SIZE = (1200, 630)
LOGO_SIZE = 256
# The images are committed to git; this keeps every teaser well under 60 KB.
MAX_BYTES = 60_000
JPEG_QUALITY = 80
# Shapes are drawn at this multiple of the final size and scaled down: Pillow's
# ImageDraw has no anti-aliasing, downsampling gives smooth edges.
SUPERSAMPLE = 2

# Podcast covers carry German text ("Zuhören"): Pillow's built-in font has no umlauts.
# DejaVu Sans is in Debian's fonts-dejavu-core (.ci/sysdeps installs it).
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/local/share/fonts"))
FONT_FILE = "DejaVuSans-Bold.ttf"
COVER_SIZE = 1400
COVER_QUALITY = 70

RGB = tuple[int, int, int]
Painter = Callable[[ImageDraw.ImageDraw, int, int], None]

# Brand palette of the demo site: deep teal, petrol, coral, sand, violet.
TEAL = (17, 94, 89)
PETROL = (14, 116, 144)
CORAL = (244, 114, 94)
SAND = (250, 226, 190)
VIOLET = (91, 63, 160)
NIGHT = (22, 30, 56)
MINT = (134, 216, 190)
WHITE = (255, 255, 255)


@dataclass(frozen=True)
class Teaser:
    """One teaser image: file name, gradient colours (top left -> bottom right), shapes."""

    name: str
    start: RGB
    end: RGB
    paint: Painter


def gradient(size: tuple[int, int], start: RGB, end: RGB) -> Image.Image:
    """Return a diagonal gradient from `start` (top left) to `end` (bottom right)."""
    # Mean of a vertical and a horizontal 256-step ramp: no per-pixel Python loop needed.
    vertical = Image.linear_gradient("L").resize(size, Image.Resampling.BILINEAR)
    horizontal = Image.linear_gradient("L").rotate(90)
    horizontal = horizontal.resize(size, Image.Resampling.BILINEAR)
    mask = ImageChops.add(vertical, horizontal, scale=2.0)
    return Image.composite(Image.new("RGB", size, end), Image.new("RGB", size, start), mask)


def rgba(colour: RGB, alpha: int) -> tuple[int, int, int, int]:
    """Return `colour` with an alpha channel."""
    return (*colour, alpha)


def paint_welcome(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    """Overlapping circles: many voices, one community."""
    circles = [
        (0.22, 0.55, 0.30, CORAL, 150),
        (0.42, 0.38, 0.26, SAND, 120),
        (0.60, 0.62, 0.32, MINT, 110),
        (0.80, 0.35, 0.22, WHITE, 70),
        (0.92, 0.80, 0.18, CORAL, 90),
    ]
    for cx, cy, r, colour, alpha in circles:
        radius = r * h
        box = (cx * w - radius, cy * h - radius, cx * w + radius, cy * h + radius)
        draw.ellipse(box, fill=rgba(colour, alpha))


def paint_listening(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    """Concentric rings spreading from one point: listening, resonance."""
    cx, cy = 0.30 * w, 0.55 * h
    for step in range(1, 14):
        radius = step * 0.085 * h
        alpha = max(20, 190 - step * 13)
        box = (cx - radius, cy - radius, cx + radius, cy + radius)
        draw.ellipse(box, outline=rgba(SAND, alpha), width=max(2, int(0.012 * h)))
    dot = 0.05 * h
    draw.ellipse((cx - dot, cy - dot, cx + dot, cy + dot), fill=rgba(CORAL, 230))


def paint_trend(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    """Rising bars and a curve: a trend of the week."""
    heights = [0.22, 0.30, 0.27, 0.38, 0.46, 0.43, 0.55, 0.63, 0.60, 0.72]
    bar = w / (len(heights) * 1.6)
    left = 0.10 * w
    for index, fraction in enumerate(heights):
        x = left + index * bar * 1.45
        draw.rounded_rectangle((x, h * (0.88 - fraction), x + bar, h * 0.88),
                               radius=bar * 0.18, fill=rgba(WHITE, 60 + index * 12))
    points = [(left + i * bar * 1.45 + bar / 2, h * (0.80 - f)) for i, f in enumerate(heights)]
    draw.line(points, fill=rgba(CORAL, 235), width=int(0.014 * h), joint="curve")
    for x, y in points:
        r = 0.016 * h
        draw.ellipse((x - r, y - r, x + r, y + r), fill=rgba(SAND, 255))


def paint_steps(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    """Three steps leading up: building a community in three steps."""
    colours = [(MINT, 170), (SAND, 190), (CORAL, 215)]
    step_w = 0.22 * w
    for index, (colour, alpha) in enumerate(colours):
        x = 0.14 * w + index * step_w * 1.05
        top = h * (0.62 - index * 0.18)
        draw.rounded_rectangle((x, top, x + step_w, 0.86 * h), radius=0.03 * h,
                               fill=rgba(colour, alpha))
    r = 0.07 * h
    # The ball rests on the top step (its top edge is at 0.26 * h).
    cx, cy = 0.14 * w + 2 * step_w * 1.05 + step_w / 2, 0.26 * h - r
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=rgba(WHITE, 200))


def paint_voice(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    """A calm waveform: finding the voice of a brand."""
    bars = 48
    gap = w * 0.8 / bars
    for index in range(bars):
        # Two overlaid sines give a speech-like envelope without randomness.
        t = index / (bars - 1)
        envelope = 0.5 + 0.5 * math.sin(math.pi * t)
        amplitude = envelope * (0.55 + 0.45 * math.sin(index * 0.9) * math.cos(index * 0.37))
        half = max(0.02, abs(amplitude) * 0.34) * h
        x = 0.1 * w + index * gap
        colour = CORAL if 18 <= index <= 30 else SAND
        draw.rounded_rectangle((x, h / 2 - half, x + gap * 0.55, h / 2 + half),
                               radius=gap * 0.27, fill=rgba(colour, 210))


def paint_crisis(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    """A storm of small fragments calming into a straight line: crisis communication."""
    for index in range(60):
        # Golden-angle spiral: spread out evenly, same result every run.
        angle = index * 2.399963
        radius = 0.04 * h + index * 0.0055 * h
        x = 0.28 * w + math.cos(angle) * radius * 1.6
        y = 0.50 * h + math.sin(angle) * radius
        size = 0.012 * h + (index % 5) * 0.004 * h
        draw.ellipse((x - size, y - size, x + size, y + size),
                     fill=rgba(CORAL if index % 3 == 0 else SAND, 120 + index * 2))
    draw.line([(0.52 * w, 0.50 * h), (0.92 * w, 0.50 * h)], fill=rgba(WHITE, 230),
              width=int(0.02 * h))
    r = 0.03 * h
    draw.ellipse((0.92 * w - r, 0.5 * h - r, 0.92 * w + r, 0.5 * h + r), fill=rgba(MINT, 255))


TEASERS = [
    Teaser("teaser-willkommen.jpg", PETROL, VIOLET, paint_welcome),
    Teaser("teaser-zuhoeren.jpg", TEAL, NIGHT, paint_listening),
    Teaser("teaser-crm-trend.jpg", NIGHT, PETROL, paint_trend),
    Teaser("teaser-community-aufbau.jpg", VIOLET, TEAL, paint_steps),
    Teaser("teaser-markenstimme.jpg", NIGHT, VIOLET, paint_voice),
    Teaser("teaser-krisenkommunikation.jpg", (60, 30, 70), NIGHT, paint_crisis),
]


def render_teaser(teaser: Teaser) -> bytes:
    """Return the JPEG bytes of one teaser image."""
    big = (TEASER_SIZE[0] * SUPERSAMPLE, TEASER_SIZE[1] * SUPERSAMPLE)
    layer = Image.new("RGBA", big, (0, 0, 0, 0))
    teaser.paint(ImageDraw.Draw(layer), big[0], big[1])
    layer = layer.resize(TEASER_SIZE, Image.Resampling.LANCZOS)
    # A little blur on the shapes reads as depth and compresses far better as JPEG.
    layer = layer.filter(ImageFilter.GaussianBlur(1.2))
    image = gradient(TEASER_SIZE, teaser.start, teaser.end).convert("RGBA")
    image.alpha_composite(layer)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True,
                              progressive=True, subsampling="4:2:0")
    return buffer.getvalue()


def render_logo() -> bytes:
    """Return the PNG bytes of the logo: a dot with three resonance arcs."""
    size = LOGO_SIZE * 4
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size * 0.22, fill=rgba(TEAL, 255))
    cx, cy = size * 0.34, size * 0.5
    dot = size * 0.08
    draw.ellipse((cx - dot, cy - dot, cx + dot, cy + dot), fill=rgba(CORAL, 255))
    for index, colour in enumerate((SAND, SAND, MINT)):
        radius = size * (0.17 + index * 0.12)
        box = (cx - radius, cy - radius, cx + radius, cy + radius)
        draw.arc(box, start=-50, end=50, fill=rgba(colour, 255), width=int(size * 0.05))
    image = image.resize((LOGO_SIZE, LOGO_SIZE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def render_favicon(logo_png: bytes) -> bytes:
    """Return an ICO file with the logo at 16, 32 and 48 pixels."""
    buffer = io.BytesIO()
    Image.open(io.BytesIO(logo_png)).save(buffer, "ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    return buffer.getvalue()


@dataclass(frozen=True)
class Cover:
    """A podcast cover: where it goes (relative to content/), background, two lines of text."""

    path: str
    background: RGB
    title: str
    subtitle: str


COVERS = [
    Cover("images/podcast/cover.jpg", (32, 64, 96), "Resonanz", "Der Podcast"),
    Cover("episodes/001-zuhoeren.jpg", (150, 60, 40), "Folge 1", "Zuhören"),
]


def font_path() -> Path:
    """The DejaVu Sans Bold file, or an error that says which package provides it."""
    for folder in FONT_DIRS:
        if (folder / FONT_FILE).is_file():
            return folder / FONT_FILE
    raise FileNotFoundError(
        f"demo_images: {FONT_FILE} not found in {', '.join(map(str, FONT_DIRS))}: "
        "install the Debian package fonts-dejavu-core (make sysdeps)"
    )


def render_cover(cover: Cover, font: Path) -> bytes:
    """Return the JPEG bytes of a square cover: resonance rings and the two text lines."""
    size = COVER_SIZE * SUPERSAMPLE
    image = Image.new("RGB", (size, size), cover.background)
    draw = ImageDraw.Draw(image)
    unit = size / 1400
    cx, cy = 700 * unit, 650 * unit
    for radius, width in ((400, 40), (250, 30)):
        r = radius * unit
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=WHITE, width=int(width * unit))
    draw.text((size / 2, 1170 * unit), cover.title, fill=WHITE, anchor="mm",
              font=ImageFont.truetype(str(font), int(124 * unit)))
    draw.text((size / 2, 1300 * unit), cover.subtitle, fill=SAND, anchor="mm",
              font=ImageFont.truetype(str(font), int(76 * unit)))
    image = image.resize((COVER_SIZE, COVER_SIZE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=COVER_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` to `path` unless it holds these bytes already; True if written."""
    if path.exists() and path.read_bytes() == data:
        return False
    path.write_bytes(data)
    return True


def generate(images: Path, extra: Path, content: Path | None = None) -> list[Path]:
    """Write the teasers and logo into `images`, the favicon into `extra` and, with `content`,
    the podcast covers; return the files written."""
    images.mkdir(parents=True, exist_ok=True)
    extra.mkdir(parents=True, exist_ok=True)
    logo = render_logo()
    files = [(images / t.name, render_teaser(t)) for t in TEASERS]
    files.append((images / "logo.png", logo))
    files.append((extra / "favicon.ico", render_favicon(logo)))
    if content is not None:
        font = font_path()
        files += [(content / c.path, render_cover(c, font)) for c in COVERS]
    written = []
    for path, data in files:
        if len(data) > MAX_BYTES:
            raise ValueError(f"{path.name}: {len(data)} bytes, more than {MAX_BYTES}")
        path.parent.mkdir(parents=True, exist_ok=True)
        if write_if_changed(path, data):
            written.append(path)
            logger.info("wrote %s (%s bytes)", path, len(data))
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: regenerate the demo images (default: content/images, content/extra)."""
    parser = argparse.ArgumentParser(prog="demo_images", description=__doc__)
    parser.add_argument("--images", type=Path, default=Path("content/images"),
                        help="folder for teasers and logo (default: %(default)s)")
    parser.add_argument("--extra", type=Path, default=Path("content/extra"),
                        help="folder for favicon.ico (default: %(default)s)")
    parser.add_argument("--content", type=Path, default=Path("content"),
                        help="content folder for the podcast covers (default: %(default)s)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    written = generate(args.images, args.extra, args.content)
    print(f"{len(written)} of {len(TEASERS) + 2 + len(COVERS)} files written")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
