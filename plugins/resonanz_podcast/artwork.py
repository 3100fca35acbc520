"""Cover art: check Apple Podcasts' rules with Pillow and render RGB JPEG web/feed variants."""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

logger = logging.getLogger(__name__)

APPLE_MIN = 1400
APPLE_MAX = 3000
_EXTENSION_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}


class ArtworkError(ValueError):
    """An image that cannot be used at all (unreadable, not an image, decompression bomb)."""


@dataclass(frozen=True)
class ArtworkProblem:
    """One breach of Apple's artwork rules: the field, the value seen and how to fix it."""

    field: str
    value: object
    fix: str


@dataclass(frozen=True)
class ArtworkInfo:
    """What the image file really is."""

    width: int
    height: int
    format: str
    mode: str


def _open(data: bytes, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; we refuse outright.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        # Pillow's own message is a repr of the stream object, which helps no one
        raise ArtworkError(
            f"not a readable image ({len(data)} bytes, neither JPEG nor PNG); "
            "use a square JPEG or PNG, 1400-3000 px"
        ) from None
    except OSError as exc:
        raise ArtworkError(f"not a readable image ({exc}); export it again as JPEG") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ArtworkError("image has too many pixels (decompression bomb?)") from None
    width, height = image.size
    if width * height > max_pixels:
        raise ArtworkError(
            f"{width}x{height} px is more than {max_pixels} pixels; refusing to decode it "
            f"(decompression bomb?); save it at {APPLE_MAX}x{APPLE_MAX} px"
        )
    return image


def inspect_artwork(
    data: bytes, name: str, max_pixels: int
) -> tuple[ArtworkInfo, list[ArtworkProblem]]:
    """Check a cover against Apple's rules; return the facts and every rule it breaks."""
    image = _open(data, max_pixels)
    info = ArtworkInfo(image.width, image.height, image.format or "", image.mode)
    size = f"{info.width}x{info.height}"
    problems = []
    if info.width != info.height:
        problems.append(ArtworkProblem("cover", size, "must be square; crop it to 1:1"))
    if min(info.width, info.height) < APPLE_MIN:
        problems.append(
            ArtworkProblem("cover", size, f"must be at least {APPLE_MIN}x{APPLE_MIN} px")
        )
    if max(info.width, info.height) > APPLE_MAX:
        problems.append(
            ArtworkProblem(
                "cover", size, f"is larger than {APPLE_MAX} px; the feed gets a scaled copy"
            )
        )
    if info.format not in ("JPEG", "PNG"):
        problems.append(ArtworkProblem("cover", info.format, "must be a JPEG or PNG file"))
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    expected = _EXTENSION_FORMATS.get(suffix)
    if expected and info.format in ("JPEG", "PNG") and expected != info.format:
        problems.append(
            ArtworkProblem(
                "cover",
                name,
                f"is a {info.format} file with a {suffix} name; rename it to "
                f".{'png' if info.format == 'PNG' else 'jpg'}",
            )
        )
    if info.mode not in ("RGB", "L") and not (info.format == "PNG" and info.mode == "RGBA"):
        problems.append(
            ArtworkProblem(
                "cover", info.mode, "colour space must be RGB; the feed gets a converted copy"
            )
        )
    return info, problems


def render_variants(data: bytes, sizes: list[int], max_pixels: int) -> dict[int, bytes]:
    """Scale a cover to each width in `sizes` (never up) as baseline RGB JPEG; key = width.

    The largest variant is capped at Apple's 3000 px and is the one the feed uses. Pixels are
    flattened onto white, because Apple rejects transparency and CMYK/palette images.
    """
    image = _open(data, max_pixels)
    image.load()
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    largest = min(image.width, APPLE_MAX)
    widths = sorted({w for w in sizes if w <= largest} | {largest}, reverse=True)
    variants = {}
    for width in widths:
        height = round(image.height * width / image.width)
        scaled = image if width == image.width else image.resize((width, height), Image.LANCZOS)
        buffer = io.BytesIO()
        scaled.save(buffer, format="JPEG", quality=85, optimize=True)
        variants[width] = buffer.getvalue()
    return variants
