"""Pure image work: which widths to make, the variants themselves, and the srcset strings."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

# Bump when the rendering changes, so cached variants of the old kind are not reused.
RENDER_VERSION = 1
WEBP = "image/webp"
JPEG = "image/jpeg"
PNG = "image/png"
_EXTENSIONS = {WEBP: "webp", JPEG: "jpg", PNG: "png"}


class ImageError(ValueError):
    """A file that cannot be made into variants (not an image, too many pixels)."""


@dataclass(frozen=True)
class Variant:
    """One file of a responsive image: its size, type and file name in the output folder."""

    width: int
    height: int
    mime: str
    name: str


@dataclass(frozen=True)
class ResponsiveImage:
    """A teaser image as templates use it: the <picture> sources, a fallback, its real size."""

    alt: str
    folder: str
    variants: tuple[Variant, ...]

    @property
    def fallback_mime(self) -> str:
        return next(v.mime for v in self.variants if v.mime != WEBP)

    @property
    def width(self) -> int:
        return max(v.width for v in self.variants)

    @property
    def height(self) -> int:
        return max(v.height for v in self.variants)

    def url(self, variant: Variant, siteurl: str = "") -> str:
        return f"{siteurl}/{self.folder}/{variant.name}"

    def srcset(self, mime: str, siteurl: str = "") -> str:
        """'…-320.webp 320w, …-720.webp 720w' for one type, smallest first."""
        chosen = sorted((v for v in self.variants if v.mime == mime), key=lambda v: v.width)
        return ", ".join(f"{self.url(v, siteurl)} {v.width}w" for v in chosen)

    def src(self, siteurl: str = "", near: int = 720) -> str:
        """The fallback file closest to `near` px wide, for browsers without srcset."""
        chosen = [v for v in self.variants if v.mime == self.fallback_mime]
        best = min(chosen, key=lambda v: (abs(v.width - near), v.width))
        return self.url(best, siteurl)


def variant_widths(source_width: int, widths: list[int]) -> list[int]:
    """The configured widths the source can fill, plus its own width when it is smaller than
    the largest wanted one (an image is never scaled up), smallest first."""
    fitting = {w for w in widths if 0 < w <= source_width}
    if not fitting or source_width < max(widths):
        fitting.add(source_width)
    return sorted(fitting)


def source_digest(data: bytes, widths: list[int], quality: int) -> str:
    """Names the variants and keys the cache: same bytes and settings, same files."""
    digest = hashlib.sha256(data)
    digest.update(f":{RENDER_VERSION}:{sorted(widths)}:{quality}".encode())
    return digest.hexdigest()


def _open(data: bytes, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise ImageError(f"{width}x{height} px is more than {max_pixels} pixels")
            image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise ImageError(f"not a readable image ({exc})") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError("image has too many pixels (decompression bomb?)") from None
    return image


def render_variants(
    data: bytes, stem: str, widths: list[int], quality: int, max_pixels: int
) -> dict[Variant, bytes]:
    """Each width as WebP and as JPEG (PNG when the source has transparency)."""
    image = _open(data, max_pixels)
    transparent = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if transparent else "RGB")
    digest = source_digest(data, widths, quality)[:10]
    fallback = PNG if transparent else JPEG
    variants: dict[Variant, bytes] = {}
    for width in variant_widths(image.width, widths):
        height = max(1, round(image.height * width / image.width))
        scaled = image if width == image.width else image.resize(
            (width, height), Image.Resampling.LANCZOS)
        for mime in (WEBP, fallback):
            buffer = io.BytesIO()
            if mime == WEBP:
                scaled.save(buffer, "WEBP", quality=quality, method=4)
            elif mime == JPEG:
                scaled.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
            else:
                scaled.save(buffer, "PNG", optimize=True)
            name = f"{stem}-{digest}-{width}.{_EXTENSIONS[mime]}"
            variants[Variant(width, height, mime, name)] = buffer.getvalue()
    return variants
