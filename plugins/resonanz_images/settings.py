"""Defaults of the resonanz_images plugin; every key is documented in docs/settings.md."""

DEFAULTS: dict = {
    # Widths in px of the variants of a teaser image (never wider than the original).
    "IMAGES_WIDTHS": [320, 480, 720, 1080],
    # Quality of the WebP and JPEG variants (PNG originals keep a lossless PNG fallback).
    "IMAGES_QUALITY": 78,
    # Folder in the output for the variants; the names carry a hash of the source.
    "IMAGES_OUTPUT_DIR": "images/v",
    # Variants made once are kept here and reused while the source bytes are unchanged.
    "IMAGES_CACHE_PATH": ".cache/images",
    # The metadata field naming the teaser image and the one with its alternative text.
    "IMAGES_FIELD": "image",
    "IMAGES_ALT_FIELD": "image_alt",
    # A post without `image` is listed with the first image of its text (False: no image).
    "IMAGES_FIRST_IN_TEXT": True,
    # Refuse images with more pixels than this (a decompression bomb or a camera original).
    "IMAGES_MAX_PIXELS": 40_000_000,
}
