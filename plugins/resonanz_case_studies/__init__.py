"""Case studies: a content type with brand, industry, year and sources; facet and brand pages."""

from .plugin import register

__all__ = ["register"]
