"""Polling the source folders: os.scandir and modification times, no dependency."""

from __future__ import annotations

import os
from pathlib import Path

Stamps = dict[str, tuple[int, int]]

SKIP = {"__pycache__", ".git", "node_modules", ".cache"}


def scan(roots: list[Path]) -> Stamps:
    """(mtime_ns, size) of every file below roots (a root may be a single file)."""
    stamps: Stamps = {}
    stack = [str(root) for root in roots]
    while stack:
        path = stack.pop()
        try:
            if os.path.isfile(path):
                stat = os.stat(path)
                stamps[path] = (stat.st_mtime_ns, stat.st_size)
                continue
            with os.scandir(path) as entries:
                for entry in entries:
                    if entry.name in SKIP or entry.name.startswith(".#"):
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif entry.is_file():
                        stat = entry.stat()
                        stamps[entry.path] = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            continue
    return stamps


def changed(before: Stamps, after: Stamps) -> set[Path]:
    """Files added, removed or modified between two scans."""
    keys = set(before) | set(after)
    return {Path(key) for key in keys if before.get(key) != after.get(key)}
