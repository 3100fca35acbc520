"""Embeds plugin: click-to-load videos, share links, the embeddable episode player, oEmbed."""

from .plugin import register

__all__ = ["register"]
