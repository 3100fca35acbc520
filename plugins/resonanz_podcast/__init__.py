"""Podcast plugin: episodes from audio in content/episodes, pages, player and podcast feeds."""

from .plugin import register

__all__ = ["register"]
