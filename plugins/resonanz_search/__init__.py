"""Site search: a search page and a Pagefind index built after every Pelican run."""

from .plugin import register

__all__ = ["register"]
