"""Local preview server for output/ that answers HTTP Range requests, so audio can seek.

Python's http.server always sends the whole file: a browser then cannot jump to a chapter.
`make serve` runs this module; `make devserver` runs it with `pelican -r ...` beside it.
"""

from __future__ import annotations

import argparse
import email.utils
import functools
import http.server
import logging
import re
import shutil
import signal
import subprocess
import sys
import threading
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO

logger = logging.getLogger(__name__)

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The (first, last) byte positions of a single `bytes=` range, or None to send everything.

    Raises ValueError when the range cannot be satisfied (the server answers 416).
    Several ranges in one header are legal but rare; sending the whole file is allowed then.
    """
    match = _RANGE.match(header.strip())
    if not match or "," in header:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix range: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise ValueError(header)
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        raise ValueError(header)
    return start, end


class RangeRequestHandler(http.server.SimpleHTTPRequestHandler):
    """SimpleHTTPRequestHandler plus `Accept-Ranges`, 206 Partial Content and 416."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".m4a": "audio/mp4",
        ".opus": "audio/ogg",
        ".vtt": "text/vtt",
        ".webp": "image/webp",
        # the browser CMS reads /admin/config.yml and complains about any other type
        ".yml": "text/yaml",
    }

    def send_head(self) -> BinaryIO | None:  # type: ignore[override]
        self._remaining: int | None = None
        header = self.headers.get("Range")
        path = Path(self.translate_path(self.path))
        if not header or not path.is_file() or not self._if_range_matches(path):
            return super().send_head()
        size = path.stat().st_size
        try:
            wanted = parse_range(header, size)
        except ValueError:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if wanted is None:
            return super().send_head()
        start, end = wanted
        handle = path.open("rb")
        handle.seek(start)
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Last-Modified", self.date_time_string(int(path.stat().st_mtime)))
        self.end_headers()
        self._remaining = end - start + 1
        return handle

    def _if_range_matches(self, path: Path) -> bool:
        # If-Range with a date: the range applies only to the file version the client has.
        validator = self.headers.get("If-Range")
        if not validator:
            return True
        try:
            since = email.utils.parsedate_to_datetime(validator).timestamp()
        except (TypeError, ValueError):
            return False  # an ETag: we send none, so it cannot match
        return int(path.stat().st_mtime) <= since

    def end_headers(self) -> None:
        self.send_header("Accept-Ranges", "bytes")
        super().end_headers()

    def copyfile(self, source: BinaryIO, outputfile: BinaryIO) -> None:  # type: ignore[override]
        remaining = getattr(self, "_remaining", None)
        if remaining is None:
            shutil.copyfileobj(source, outputfile)
            return
        while remaining > 0:
            chunk = source.read(min(64 * 1024, remaining))
            if not chunk:
                break
            outputfile.write(chunk)
            remaining -= len(chunk)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
        logger.info("%s %s", self.address_string(), format % args)


def make_server(directory: Path, bind: str, port: int) -> http.server.ThreadingHTTPServer:
    """A threaded server for `directory` (which may not exist yet: a first build is running)."""
    handler = functools.partial(RangeRequestHandler, directory=str(directory))
    return http.server.ThreadingHTTPServer((bind, port), handler)


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def main(argv: list[str] | None = None) -> int:
    """Serve OUTPUT; with a command after `--`, run it alongside (e.g. `pelican -r ...`)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[argv.index("--") + 1:] if "--" in argv else []
    own = argv[: argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(prog="python -m resonanz serve", description=__doc__)
    parser.add_argument("output", type=Path, help="the folder to serve (output/)")
    parser.add_argument("-b", "--bind", default="127.0.0.1", help="address (default %(default)s)")
    parser.add_argument("-p", "--port", type=int, default=8000, help="port (default %(default)s)")
    args = parser.parse_args(own)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    server = make_server(args.output.resolve(), args.bind, args.port)
    rebuild = subprocess.Popen(command) if command else None
    # SIGTERM (make, a test, a process manager) ends the server like Ctrl-C, so the
    # rebuilding process is stopped too instead of running on without a server.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    logger.info("Serving %s on http://%s:%s/ (Range requests supported)", args.output,
                args.bind, args.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        _stop(rebuild)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
