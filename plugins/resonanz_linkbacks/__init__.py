"""linkbacks_send plugin: Webmention and Pingback for external links, at publish time only."""

from .plugin import register

__all__ = ["register"]
