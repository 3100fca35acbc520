"""Related posts (shared tags and category, weighted) and popular posts (data file or comments)."""

from .plugin import register

__all__ = ["register"]
