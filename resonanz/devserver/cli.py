"""`python -m resonanz devserver`: build once, serve output/, render what changes."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

from . import watch
from .http import Hub, make_server
from .site import DevSite

logger = logging.getLogger(__name__)

POLL = 0.05  # seconds between scans of the watched folders


def _value(text: str):
    # like pelican -e: JSON when it parses, else the string itself
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m resonanz devserver", description=__doc__)
    parser.add_argument("content", type=Path, help="content folder (PATH)")
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("-s", "--settings", type=Path, required=True)
    parser.add_argument("-b", "--bind", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=8000)
    parser.add_argument("-e", "--extra-settings", nargs="*", default=[], metavar="KEY=VALUE")
    parser.add_argument("--relative-urls", action="store_true")
    parser.add_argument("-D", "--debug", action="store_true")
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # PELICANOPTS meant for `pelican`
        logger.warning("devserver: options ignored: %s", " ".join(unknown))
    return args


def overrides(args: argparse.Namespace) -> dict:
    values = {"PATH": str(args.content.resolve()), "OUTPUT_PATH": str(args.output.resolve()),
              # One process unless -e RESONANZ_JOBS=n says otherwise: workers forked from
              # a resident server add their memory, and at 2,000 posts they made a full
              # rebuild no faster here (docs/entwicklung-devserver.md, "Figures").
              "RESONANZ_JOBS": 1}
    if args.relative_urls:
        values["RELATIVE_URLS"] = True
    for item in args.extra_settings:
        key, _, text = item.partition("=")
        values[key] = _value(text)
    return values


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse(argv)
    from pelican.log import init as init_logging

    init_logging(level=logging.DEBUG if args.debug else logging.WARNING)
    logging.getLogger("resonanz").setLevel(logging.INFO)
    logging.getLogger(__name__).setLevel(logging.INFO)
    site = DevSite(args.settings, overrides(args))
    site.output.mkdir(parents=True, exist_ok=True)
    hub = Hub()
    server = make_server(site.output, args.bind, args.port, hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    logger.info("devserver: http://%s:%s/ (live reload; Ctrl-C stops)", args.bind, args.port)
    roots = site.watched()
    stamps = watch.scan(roots)
    outcome = site.full()
    _report(hub, outcome)
    try:
        while not stop.wait(POLL):
            now = watch.scan(roots)
            changes = watch.changed(stamps, now)
            if not changes:
                continue
            stop.wait(POLL)  # an editor saving several files at once
            now = watch.scan(roots)
            changes = watch.changed(stamps, now)
            stamps = now
            if site.needs_restart(changes):
                logger.info("devserver: code or settings changed: starting again")
                site.close()
                server.shutdown()
                server.server_close()
                os.execv(sys.executable, [sys.executable, "-m", "resonanz", "devserver", *argv])
            outcome = site.update(changes)
            _report(hub, outcome)
            if outcome.how == "text":  # the page is served and the tabs told: now search
                site.refresh_search()
    except KeyboardInterrupt:
        pass
    finally:
        site.close()
        server.shutdown()
        server.server_close()
    return 0


def _report(hub: Hub, outcome) -> None:
    if outcome.errors:
        logger.error("devserver: %d error(s); the last good pages stay served",
                     len(outcome.errors))
    logger.info("devserver: %s build in %.2f s, %d page(s) changed", outcome.how,
                outcome.seconds, len(outcome.pages))
    hub.built(str(time.time_ns()), outcome.pages, outcome.errors)
