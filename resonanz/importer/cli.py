"""`python -m resonanz import --from wordpress|blogger|movabletype FILE --content DIR`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import blogger, movabletype, wordpress
from .model import Export, ImportInputError
from .run import Options, plan, write

logger = logging.getLogger(__name__)

SOURCES = ("wordpress", "blogger", "movabletype")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m resonanz import",
        description="Import posts, pages, comments, trackbacks and pingbacks of an old blog. "
        "Files edited since the last import are never overwritten.",
    )
    parser.add_argument("--from", dest="source", required=True, choices=SOURCES,
                        help="format of the export file")
    parser.add_argument("file", type=Path, help="the export file (WXR .xml, Blogger .atom/.xml, "
                        "Movable Type .txt)")
    parser.add_argument("--content", type=Path, default=Path("content"),
                        help="content folder of the site (default: content)")
    parser.add_argument("--redirects-dir", type=Path, default=None,
                        help="where _redirects, nginx-redirects.map and html/ go "
                        "(default: redirects/ next to the content folder)")
    parser.add_argument("--download-media", action="store_true",
                        help="download the old blog's images and attachments into the content "
                        "folder (off by default: they are only listed)")
    parser.add_argument("--old-base-url", default="",
                        help="URL of the old blog, e.g. https://alt.example/blog/ (needed for "
                        "Movable Type; overrides what the export says)")
    parser.add_argument("--site-url", default="",
                        help="URL of the new site for the canonical link of redirect pages")
    parser.add_argument("--media-dir", default="images/imported",
                        help="folder under content/ for the old blog's files "
                        "(default: images/imported)")
    parser.add_argument("--timezone", default="Europe/Berlin",
                        help="time zone of dates the export gives without one "
                        "(default: Europe/Berlin)")
    parser.add_argument("--encoding", default=None,
                        help="read the export in this encoding instead of the declared one")
    parser.add_argument("--old-permalink", default=movabletype.DEFAULT_PERMALINK,
                        help="Movable Type only: old URL of an entry below --old-base-url, with "
                        "{year} {month} {day} {basename} (default: %(default)s)")
    parser.add_argument("--mt-basename-limit", type=int, default=movabletype.BASENAME_LIMIT,
                        help="Movable Type only: length of basenames made from titles for "
                        "entries without BASENAME, the blog's 'basename length' "
                        "(default: %(default)s)")
    parser.add_argument("--dry-run", action="store_true",
                        help="parse and report, write nothing")
    return parser


def read_export(source: str, path: Path, zone: ZoneInfo, encoding: str | None = None,
                permalink: str = movabletype.DEFAULT_PERMALINK,
                basename_limit: int = movabletype.BASENAME_LIMIT) -> Export:
    """Parse an export file of the given format; ImportInputError if it cannot be read."""
    if source == "wordpress":
        return wordpress.parse(path, zone, encoding)
    if source == "blogger":
        return blogger.parse(path, zone, encoding)
    return movabletype.parse(path, zone, encoding, permalink, basename_limit)


def main(argv: list[str]) -> int:
    """Run the import; 0 when done (skipped items are reported), 1 on unreadable input."""
    options = _parser().parse_args(argv)
    try:
        zone = ZoneInfo(options.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        print(f"import: --timezone = {options.timezone!r}: unknown time zone "
              "(e.g. Europe/Berlin)", file=sys.stderr)
        return 2
    content = options.content
    if not content.is_dir():
        print(f"import: --content = {str(content)!r}: not a folder", file=sys.stderr)
        return 1
    try:
        export = read_export(options.source, options.file, zone, options.encoding,
                             options.old_permalink, options.mt_basename_limit)
        if options.old_base_url:
            export.site_url = options.old_base_url.rstrip("/") + "/"
        planned = plan(export, Options(
            content=content,
            redirects_dir=options.redirects_dir or content.resolve().parent / "redirects",
            media_dir=options.media_dir,
            download_media=options.download_media,
            site_url=options.site_url,
            dry_run=options.dry_run,
        ))
        report = write(planned)
    except ImportInputError as error:
        print(f"import: {error}", file=sys.stderr)
        print("import: nothing was written.", file=sys.stderr)
        return 1
    sys.stdout.write(report.text(options.source, options.dry_run))
    return 0
