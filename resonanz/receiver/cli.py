"""`python -m resonanz receiver ...`: serve, verify, list, approve/reject/spam, export, block."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from .config import ConfigError, ReceiverConfig, config_from_env
from .export import export_approved
from .store import MODERATION_STATES, Store

logger = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m resonanz receiver",
        description="Receive Webmention, Pingback and TrackBack; moderate; export to content/.",
        epilog="Settings come from RESONANZ_* environment variables (docs/betrieb-kommentare.md).",
    )
    parser.add_argument("--db", help="database file (default: $RESONANZ_RECEIVER_DB)")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP endpoints and verification workers")
    serve.add_argument("--host", help="listen address (default: $RESONANZ_RECEIVER_HOST)")
    serve.add_argument("--port", type=int, help="port (default: $RESONANZ_RECEIVER_PORT)")
    commands.add_parser("verify", help="verify every queued mention once, then exit")
    listing = commands.add_parser("list", help="show mentions")
    listing.add_argument(
        "--status",
        default="pending",
        choices=MODERATION_STATES + ("queued", "failed", "deleted", "all"),
    )
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    for name, state in (("approve", "approved"), ("reject", "rejected"), ("spam", "spam")):
        moderate = commands.add_parser(name, help=f"mark mentions as {state}")
        moderate.add_argument("ids", nargs="+", type=int, metavar="ID")
        moderate.set_defaults(state=state)
        if name == "spam":
            moderate.add_argument(
                "--block", action="store_true", help="also block the source's domain"
            )
    export = commands.add_parser("export", help="append approved mentions to responses/*.yaml")
    export.add_argument(
        "--content",
        type=Path,
        default=Path("content"),
        help="the content folder (default: content)",
    )
    export.add_argument(
        "--all",
        action="store_true",
        help="also re-offer mentions exported before (ids already there are kept)",
    )
    forget = commands.add_parser(
        "forget",
        help="delete one person's comments and data; published ones leave content/ too",
    )
    forget.add_argument("email", help="the e-mail address the person commented with")
    commands.add_parser(
        "publish", help="commit and push approved responses now (RESONANZ_GIT_CHECKOUT)"
    )
    block = commands.add_parser("block", help="refuse all mentions from a domain")
    block.add_argument("domain")
    unblock = commands.add_parser("unblock", help="remove a domain from the block list")
    unblock.add_argument("domain")
    load = commands.add_parser("loadtest", help="measure requests per second (benchmark)")
    load.add_argument("--seconds", type=float, default=10.0)
    load.add_argument("--clients", type=int, default=4)
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    if args.command == "loadtest":
        from .loadtest import run_load_test

        return run_load_test(seconds=args.seconds, clients=args.clients)
    try:
        config = config_from_env(
            db_path=Path(args.db) if args.db else None,
            host=getattr(args, "host", None),
            port=getattr(args, "port", None),
        )
    except ConfigError as exc:
        print(f"receiver: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve":
        from .server import serve_forever

        serve_forever(config)
        return 0
    if args.command == "verify":
        from .service import Receiver

        done = Receiver(config).process_queue()
        print(f"verified {done} queued mention(s)")
        return 0
    store = Store(config.db_path)
    if args.command == "list":
        return list_mentions(store, args.status, args.json)
    if args.command in ("approve", "reject", "spam"):
        code = moderate(store, args.ids, args.state, getattr(args, "block", False))
        if args.state == "approved":
            after_approval(store, config, args.ids)
        return code
    if args.command == "forget":
        return forget(store, config, args.email)
    if args.command == "publish":
        return publish(store, config)
    if args.command == "export":
        return export(store, config, args.content, args.all)
    if args.command == "block":
        store.block(args.domain)
        print(f"blocked {args.domain}")
        return 0
    if args.command == "unblock":
        found = store.unblock(args.domain)
        print(f"unblocked {args.domain}" if found else f"{args.domain} was not blocked")
        return 0 if found else 1
    return 2


def after_approval(store: Store, config: ReceiverConfig, ids: list[int]) -> None:
    """Mails of the approved comments, then one commit for all of them (live loop)."""
    import threading

    from .comments import CommentDesk
    from .service import Receiver

    desk = CommentDesk(Receiver(config, store))
    for mention_id in ids:
        mention = store.get(mention_id)
        if mention is not None and mention.moderation == "approved":
            desk.after_approval(mention)
    for thread in threading.enumerate():
        if thread.name == "receiver-mail":
            thread.join(60)
    if config.git_checkout:
        publish(store, config)


def publish(store: Store, config: ReceiverConfig) -> int:
    from .live import GitError, Publisher

    if not config.git_checkout:
        print(
            "receiver: publish: set RESONANZ_GIT_CHECKOUT to the site's checkout", file=sys.stderr
        )
        return 2
    try:
        report = Publisher(store, config).publish_pending()
    except (GitError, OSError, ValueError) as exc:
        print(f"receiver: publish failed, kept for the next run: {exc}", file=sys.stderr)
        return 1
    if report.commit:
        print(f"pushed {report.commit[:10]}: {', '.join(report.files)}")
    else:
        print("nothing to publish")
    return 0


def forget(store: Store, config: ReceiverConfig, email: str) -> int:
    from .comment_store import CommentStore

    removed = CommentStore(store).forget(email)
    print(f"forgot {len(removed)} comment(s) and the data of {email}")
    if config.git_checkout:
        return publish(store, config)
    if any(m.exported for m in removed):
        print(
            "receiver: published comments are queued for removal; set RESONANZ_GIT_CHECKOUT "
            "and run `publish`, or remove them from content/responses/ by hand",
            file=sys.stderr,
        )
    return 0


def list_mentions(store: Store, status: str, as_json: bool) -> int:
    mentions = store.list(status)
    for m in mentions:
        if as_json:
            print(
                json.dumps(
                    {
                        "id": m.id,
                        "kind": m.kind,
                        "type": m.type,
                        "status": m.status,
                        "source": m.source,
                        "target": m.target,
                        "author": m.author,
                        "title": m.title,
                        "reason": m.reason,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            who = m.author or "?"
            print(
                f"{m.id:>6}  {m.status:<9} {m.kind:<10} {who[:24]:<24} {m.source} -> {m.target}"
                + (f"  ({m.reason})" if m.reason else "")
            )
    if not as_json:
        print(f"{len(mentions)} mention(s) with status {status}")
    return 0


def moderate(store: Store, ids: list[int], state: str, block: bool) -> int:
    failed = 0
    for mention_id in ids:
        try:
            mention = store.moderate(mention_id, state)
        except (KeyError, ValueError) as exc:
            print(f"receiver: {exc.args[0]}", file=sys.stderr)
            failed += 1
            continue
        print(f"{mention_id}: {state}")
        if block:
            store.block(mention.source_host)
            print(f"blocked {mention.source_host}")
    return 1 if failed else 0


def export(store: Store, config: ReceiverConfig, content: Path, everything: bool) -> int:
    if not content.is_dir():
        print(f"receiver: --content {str(content)!r} is not a folder", file=sys.stderr)
        return 2
    report = export_approved(store, content, config.site_url, everything)
    for path, ids in report.written.items():
        print(f"{path}: added {', '.join(ids)}")
    for message in report.skipped:
        print(f"receiver: skipped: {message}", file=sys.stderr)
    if not report.written:
        print("nothing new to export")
    return 1 if report.skipped else 0
