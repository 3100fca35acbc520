"""On-disk cache for audio facts and artwork variants, keyed by size + mtime or content hash."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

# Bump when the shape of cached data changes, so old entries are ignored rather than misread.
CACHE_VERSION = 4


class PodcastCache:
    """A directory of small JSON and binary files; counts hits and misses for the build log."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.hits = 0
        self.misses = 0
        if directory is not None:
            try:
                directory.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                logger.warning(
                    "podcast: cache: PODCAST_CACHE_PATH = %r: cannot create it (%s); "
                    "building without cache",
                    str(directory),
                    exc.strerror,
                )
                self.directory = None

    @staticmethod
    def file_key(path: Path, kind: str) -> str:
        """Key for a file's derived data: changes whenever its size or mtime does."""
        stat = path.stat()
        raw = f"{CACHE_VERSION}:{kind}:{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
        return hashlib.sha256(raw.encode()).hexdigest()[:32]

    @staticmethod
    def bytes_key(data: bytes, kind: str) -> str:
        """Key for derived data of in-memory bytes (covers are small, hashing them is cheap)."""
        digest = hashlib.sha256(data)
        digest.update(f":{CACHE_VERSION}:{kind}".encode())
        return digest.hexdigest()[:32]

    def knows(self, key: str) -> bool:
        """Whether JSON is stored under key (without counting a hit or miss)."""
        return self.directory is not None and (self.directory / f"{key}.json").is_file()

    def get_json(self, key: str) -> Any | None:
        if self.directory is None:
            self.misses += 1
            return None
        try:
            data = json.loads((self.directory / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return data

    def put_json(self, key: str, value: Any) -> None:
        if self.directory is not None:
            self._write(self.directory / f"{key}.json", json.dumps(value).encode())

    def get_blobs(self, key: str, names: list[str]) -> dict[str, bytes] | None:
        """All of `names` stored under `key`, or None (a miss) if any is missing."""
        if self.directory is None:
            self.misses += 1
            return None
        try:
            blobs = {name: (self.directory / f"{key}-{name}").read_bytes() for name in names}
        except OSError:
            self.misses += 1
            return None
        self.hits += 1
        return blobs

    def put_blobs(self, key: str, blobs: dict[str, bytes]) -> None:
        if self.directory is not None:
            for name, data in blobs.items():
                self._write(self.directory / f"{key}-{name}", data)

    @staticmethod
    def _write(target: Path, data: bytes) -> None:
        # Write then rename: a build killed half-way never leaves a truncated cache entry.
        temporary = target.with_name(target.name + f".{os.getpid()}.tmp")
        try:
            temporary.write_bytes(data)
            os.replace(temporary, target)
        except OSError as exc:
            logger.debug("podcast: cache write failed for %s: %s", target, exc)
