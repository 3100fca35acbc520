"""E-mail over SMTP: moderators hear of new comments, commenters of replies (after opt-in)."""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from .config import ReceiverConfig

logger = logging.getLogger(__name__)


def message(config: ReceiverConfig, to: list[str], subject: str, body: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = config.smtp_from or f"Resonanz <receiver@{config.smtp_host or 'localhost'}>"
    mail["To"] = ", ".join(to)
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain="resonanz.invalid")
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(body)
    return mail


def send(config: ReceiverConfig, to: list[str], subject: str, body: str) -> bool:
    """Send one mail now; False (logged) if SMTP is not set up or the server refuses."""
    if not config.smtp_host or not to:
        return False
    mail = message(config, to, subject, body)
    try:
        if config.smtp_tls == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                config.smtp_host, config.smtp_port, timeout=30, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=30)
        with client:
            if config.smtp_tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if config.smtp_user:
                client.login(config.smtp_user, config.smtp_password)
            client.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        logger.error(
            "receiver: cannot send mail via %s:%s (RESONANZ_SMTP_*): %s",
            config.smtp_host,
            config.smtp_port,
            exc,
        )
        return False
    logger.info("receiver: mail %r sent to %d recipient(s)", subject, len(to))
    return True


def send_later(config: ReceiverConfig, to: list[str], subject: str, body: str) -> None:
    """Send from a thread: the reader's request never waits for the mail server."""
    if not config.smtp_host or not to:
        return
    threading.Thread(
        target=send, args=(config, to, subject, body), name="receiver-mail", daemon=True
    ).start()
