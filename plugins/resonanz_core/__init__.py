"""Resonanz core plugin: strict mode, German-first i18n and dates, metadata and link checks."""

from .core import register

__all__ = ["register"]
