"""Responses plugin: comments, trackbacks, pingbacks and webmentions from plain YAML files."""

from .plugin import register

__all__ = ["register"]
