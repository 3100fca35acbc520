"""Responsive teaser images: several widths, WebP plus a JPEG/PNG fallback, made by Pillow."""

from .plugin import register

__all__ = ["register"]
