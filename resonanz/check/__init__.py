"""Site checks run on a built output/: `python -m resonanz check OUTPUT_DIR` (see cli.py)."""

from resonanz.check.cli import main

__all__ = ["main"]
