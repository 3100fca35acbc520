"""Build into a fresh folder and replace output/ only when the build succeeded."""

from __future__ import annotations

import argparse
import filecmp
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

logger = logging.getLogger(__name__)


def keep_unchanged_mtimes(old: Path, new: Path) -> int:
    """Give files whose bytes did not change their previous modification time.

    rsync and rclone compare size and mtime; a fresh build gives every file a new
    mtime, so without this every deploy would transfer the whole site again.
    Returns how many files kept their time.
    """
    kept = 0
    for path in new.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        if path.stat().st_nlink > 1:
            # a hard link into content/ (podcast audio): its time belongs to the source
            continue
        before = old / path.relative_to(new)
        if before.is_file() and filecmp.cmp(before, path, shallow=False):
            stat = before.stat()
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
            kept += 1
    return kept


def swap_in(new: Path, output: Path) -> None:
    """Replace output with new: two renames on one file system, the old site removed last."""
    retired = output.with_name(output.name + ".old")
    if retired.exists():
        shutil.rmtree(retired)
    if output.exists():
        output.rename(retired)
    new.rename(output)
    if retired.exists():
        shutil.rmtree(retired)


def build(settings: Path, content: Path, output: Path, pelican_args: list[str]) -> int:
    output = output.resolve()
    staging = output.with_name(output.name + ".new")
    if staging.exists():
        shutil.rmtree(staging)
    command = [
        sys.executable, "-m", "pelican", str(content), "-o", str(staging), "-s", str(settings),
        *pelican_args,
    ]
    env = {**os.environ, "RESONANZ_STRICT": os.environ.get("RESONANZ_STRICT", "1")}
    result = subprocess.run(command, env=env)
    if result.returncode != 0 or not (staging / "index.html").is_file():
        shutil.rmtree(staging, ignore_errors=True)
        print(
            f"publish: the build failed (exit {result.returncode}); {output} was left as it was",
            file=sys.stderr,
        )
        return result.returncode or 1
    if output.exists():
        kept = keep_unchanged_mtimes(output, staging)
        print(f"publish: {kept} unchanged file(s) keep their modification time")
    swap_in(staging, output)
    print(f"publish: {output} replaced by the new build")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m resonanz publish", description=__doc__)
    parser.add_argument("--settings", type=Path, default=Path("publishconf.py"))
    parser.add_argument("--content", type=Path, default=Path("content"))
    parser.add_argument("--output", type=Path, default=Path("output"))
    parser.add_argument("pelican_args", nargs="*", help="more arguments for pelican (after --)")
    args = parser.parse_args(argv)
    return build(args.settings, args.content, args.output, args.pelican_args)
