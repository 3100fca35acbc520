"""Resolving paths that editors write, refusing any that leave content/."""

from __future__ import annotations

from pathlib import Path


class PathOutsideContent(ValueError):
    """A path in metadata points outside content/ (e.g. '../../etc/passwd')."""


def resolve_inside(content_root: str | Path, base_dir: str | Path, written: str) -> Path:
    """Resolve `written` (relative to base_dir, or to content/ when it starts with '/').

    Raises PathOutsideContent when the result is not inside content_root.
    """
    root = Path(content_root).resolve()
    candidate = root / written.lstrip("/") if written.startswith("/") else Path(base_dir) / written
    resolved = candidate.resolve()
    if resolved != root and root not in resolved.parents:
        raise PathOutsideContent(f"{written!r} leaves content/ (resolves to {resolved})")
    return resolved
