"""Sync output/ to S3-compatible storage with rclone, with Content-Type and Cache-Control."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

# (rclone include patterns, Content-Type, Cache-Control). First match wins, so the
# specific feed names come before the generic *.xml. Object stores guess types from
# extensions with tables that lack .opus, .vtt and the feed flavours.
UPLOAD_RULES: list[tuple[list[str], str, str]] = [
    (["*.html"], "text/html; charset=utf-8", "public, max-age=300, must-revalidate"),
    (["feeds/podcast*.xml"], "application/rss+xml; charset=utf-8", "public, max-age=300"),
    (["*.atom.xml"], "application/atom+xml; charset=utf-8", "public, max-age=300"),
    (["feeds/**.xml"], "application/rss+xml; charset=utf-8", "public, max-age=300"),
    (["*.xml"], "application/xml; charset=utf-8", "public, max-age=3600"),
    (["*.json"], "application/json; charset=utf-8", "public, max-age=300"),
    (["*.vtt"], "text/vtt; charset=utf-8", "public, max-age=86400"),
    (["*.srt"], "application/x-subrip; charset=utf-8", "public, max-age=86400"),
    (["*.mp3"], "audio/mpeg", "public, max-age=86400"),
    (["*.m4a"], "audio/mp4", "public, max-age=86400"),
    (["*.opus"], "audio/ogg; codecs=opus", "public, max-age=86400"),
    (["*.ogg"], "audio/ogg", "public, max-age=86400"),
    (["*.css"], "text/css; charset=utf-8", "public, max-age=86400"),
    (["*.js"], "text/javascript; charset=utf-8", "public, max-age=86400"),
    (["*.svg"], "image/svg+xml", "public, max-age=604800"),
    (["*.jpg", "*.jpeg"], "image/jpeg", "public, max-age=604800"),
    (["*.png"], "image/png", "public, max-age=604800"),
    (["*.webp"], "image/webp", "public, max-age=604800"),
    (["*.txt"], "text/plain; charset=utf-8", "public, max-age=3600"),
]
NOT_UPLOADED = ["_hosting/**"]


def rclone_commands(rclone: str, output: Path, dest: str, extra: list[str]) -> list[list[str]]:
    """One `rclone copy` per content type (headers apply to a whole run), then one
    `rclone sync` that only deletes what is gone and uploads what no rule matched."""
    commands = []
    done: list[str] = []
    for patterns, content_type, cache in UPLOAD_RULES:
        command = [rclone, "copy", str(output), dest, "--checksum", "-v"]
        # --filter rules apply in order (mixing --include and --exclude does not)
        for pattern in NOT_UPLOADED + done:
            command += ["--filter", f"- {pattern}"]
        for pattern in patterns:
            command += ["--filter", f"+ {pattern}"]
        command += ["--filter", "- **"]
        command += [
            "--header-upload", f"Content-Type: {content_type}",
            "--header-upload", f"Cache-Control: {cache}",
            *extra,
        ]
        commands.append(command)
        done += patterns
    final = [rclone, "sync", str(output), dest, "--checksum", "-v"]
    for pattern in NOT_UPLOADED:
        final += ["--filter", f"- {pattern}"]
    commands.append(final + list(extra))
    return commands


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m resonanz deploy-s3", description=__doc__)
    parser.add_argument("--rclone", default="rclone")
    parser.add_argument("--output", type=Path, default=Path("output"))
    parser.add_argument("--dest", required=True, help="rclone destination, e.g. s3remote:bucket")
    parser.add_argument("rclone_args", nargs="*")
    args = parser.parse_args(argv)
    if not args.dest:
        print("deploy-s3: set S3_DEST=remote:bucket/path (docs/betrieb.md, 'Publishing')",
              file=sys.stderr)
        return 2
    for command in rclone_commands(args.rclone, args.output, args.dest, args.rclone_args):
        result = subprocess.run(command)
        if result.returncode != 0:
            return result.returncode
    return 0
