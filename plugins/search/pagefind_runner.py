"""Finding and running the Pagefind binary on a built site."""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import shutil
import subprocess
from pathlib import Path

logger = logging.getLogger(__name__)

# Python packages that ship the binary: pagefind[extended] and pagefind[bin].
BINARY_PACKAGES = ("pagefind_bin_extended", "pagefind_bin")
BINARY_NAMES = ("pagefind_extended", "pagefind")


class PagefindError(RuntimeError):
    """Pagefind is missing or failed; the message says what to do."""


def find_binary(configured: str = "") -> Path:
    """The pagefind executable: the configured path, a Python package's, or one on PATH."""
    if configured:
        path = Path(configured).expanduser()
        if path.is_file():
            return path
        raise PagefindError(f"SEARCH_PAGEFIND_BINARY = {configured!r}: no such file")
    for name in BINARY_PACKAGES:
        try:
            package = importlib.import_module(name)
        except ImportError:
            continue
        try:
            return Path(package.get_executable())
        except (AttributeError, FileNotFoundError):
            continue
    for name in BINARY_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise PagefindError(
        "no pagefind binary found: install it with `pip install 'pagefind[extended]'` "
        "or set SEARCH_PAGEFIND_BINARY"
    )


def clear_bundle(bundle: Path) -> None:
    """Remove an earlier bundle so that stale index fragments do not pile up.

    Only a folder that Pagefind wrote (it has pagefind-entry.json) is removed.
    """
    if (bundle / "pagefind-entry.json").is_file():
        shutil.rmtree(bundle)


def run_pagefind(
    binary: Path, site: Path, bundle_dir: str, extra_args: list[str], timeout: float
) -> str:
    """Index the HTML under site into site/bundle_dir; returns Pagefind's report."""
    clear_bundle(site / bundle_dir)
    command = [
        str(binary),
        "--site",
        str(site),
        "--output-subdir",
        bundle_dir,
        *extra_args,
    ]
    logger.debug("search: running %s", " ".join(command))
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PagefindError(f"{binary}: {exc}") from exc
    report = (done.stdout or "") + (done.stderr or "")
    if done.returncode != 0:
        raise PagefindError(f"pagefind exited with {done.returncode}: {' '.join(report.split())}")
    return report


def pages_fingerprint(site: Path, bundle_dir: str, extra_args: list[str]) -> str:
    """sha256 over every HTML page (path and bytes) and the Pagefind arguments."""
    digest = hashlib.sha256(" ".join(extra_args).encode())
    bundle = site / bundle_dir
    for page in sorted(site.rglob("*.html")):
        if bundle in page.parents:
            continue
        digest.update(page.relative_to(site).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(page.read_bytes()).digest())
    return digest.hexdigest()


def index_is_current(site: Path, bundle_dir: str, fingerprint: str, record: Path) -> bool:
    """True when the pages are the ones the existing index was built from.

    Pagefind always indexes the whole site (seconds at thousands of pages); when a
    rebuild wrote the same pages, the index it made last time is still right.
    """
    if not (site / bundle_dir / "pagefind-entry.json").is_file() or not record.is_file():
        return False
    try:
        stored = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return stored.get(str(site.resolve())) == fingerprint


def remember_index(site: Path, fingerprint: str, record: Path) -> None:
    record.parent.mkdir(parents=True, exist_ok=True)
    try:
        stored = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else {}
    except (OSError, ValueError):
        stored = {}
    stored[str(site.resolve())] = fingerprint
    record.write_text(json.dumps(stored, indent=1, sort_keys=True), encoding="utf-8")
