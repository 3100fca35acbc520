"""Resonanz tools: commands that are not Pelican plugins (import, receiver, bench, scaffolding)."""
