"""Run the receiver with waitress: the WSGI app plus verification worker threads."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import waitress
from waitress.server import BaseWSGIServer, MultiSocketServer

from .app import ReceiverApp
from .config import ReceiverConfig
from .service import Receiver

logger = logging.getLogger(__name__)


@dataclass
class RunningReceiver:
    """A receiver served from a background thread (tests, the load test)."""

    receiver: Receiver
    server: BaseWSGIServer | MultiSocketServer
    url: str
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def close(self) -> None:
        """Stop serving; the serving thread closes its own sockets (asyncore is not thread-safe)."""
        self.stop.set()
        self.receiver.wakeup.set()
        for thread in self.threads:
            thread.join(timeout=10)


def create_server(
    config: ReceiverConfig, receiver: Receiver | None = None
) -> tuple[Receiver, BaseWSGIServer | MultiSocketServer]:
    receiver = receiver or Receiver(config)
    server = waitress.create_server(
        ReceiverApp(receiver),
        host=config.host,
        port=config.port,
        threads=config.threads,
        ident="resonanz-receiver",
        max_request_body_size=config.max_request_bytes,
        # behind a reverse proxy the receiver sees X-Forwarded-* only from the proxy; with
        # it trusted, REMOTE_ADDR is the reader's address (the comment rate limit needs that)
        clear_untrusted_proxy_headers=True,
        **(
            {
                "trusted_proxy": config.trusted_proxy,
                "trusted_proxy_headers": {"x-forwarded-for"},
            }
            if config.trusted_proxy
            else {}
        ),
    )
    return receiver, server


def serve_forever(config: ReceiverConfig) -> None:
    """`python -m resonanz receiver serve`: blocks until interrupted."""
    receiver, server = create_server(config)
    stop = threading.Event()
    receiver.start_workers(stop)
    if not config.token:
        logger.warning("receiver: RESONANZ_RECEIVER_TOKEN is not set; moderation page disabled")
    if config.allow_private:
        logger.warning("receiver: RESONANZ_RECEIVER_ALLOW_PRIVATE is on; use it only in tests")
    logger.info(
        "receiver: listening on http://%s:%s/ for %s (database %s)",
        config.host,
        server.effective_port,
        config.site_url,
        config.db_path,
    )
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        receiver.wakeup.set()
        server.close()


def _serve_until(server: BaseWSGIServer, stop: threading.Event) -> None:
    # waitress has no public stop(): run its loop in short slices and check the flag between
    while not stop.is_set():
        server.asyncore.loop(timeout=0.1, map=server._map, count=1)
    server.close()
    server.task_dispatcher.shutdown()
    for channel in list(server._map.values()):
        channel.close()


def start_in_thread(config: ReceiverConfig, workers: bool = True) -> RunningReceiver:
    """Serve on config.host and a free port (port 0) from a daemon thread."""
    receiver, server = create_server(config)
    running = RunningReceiver(receiver, server, f"http://{config.host}:{server.effective_port}")
    thread = threading.Thread(
        target=_serve_until, args=(server, running.stop), name="receiver-http", daemon=True
    )
    thread.start()
    running.threads.append(thread)
    if workers:
        running.threads.extend(receiver.start_workers(running.stop))
    return running
