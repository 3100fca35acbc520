"""Resonanz fast build: workers, shared feed entries, frozen URLs, skipped unchanged builds.

Switch it off by taking it out of PLUGINS (RESONANZ_FASTBUILD=0 does so in
pelicanconf.py): Pelican's own code paths then write the same site.
"""

from .plugin import register

__all__ = ["register"]
