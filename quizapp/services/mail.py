"""Outgoing mail through an SMTP server (standard library only). The settings are arguments, read from the app's
``MAIL_*`` configuration by the caller (``MailSettings.from_config``): nothing here reads Flask's globals."""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from email.header import Header
from email.message import Message
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from typing import Any

logger = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class MailError(Exception):
    """Mail could not be handed to the SMTP server; ``reason`` is for the log, never for a page."""

    reason: str


@dataclass(frozen=True, slots=True)
class MailSettings:
    server: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    use_ssl: bool = False
    timeout: float = SMTP_TIMEOUT_SECONDS

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings | None:
        """The settings of ``MAIL_*`` in ``config``; None when no ``MAIL_SERVER`` is set (mail is off). The port
        defaults to 465 with SSL, 587 with STARTTLS and 25 otherwise; the sender to the user name."""
        server = (config.get("MAIL_SERVER") or "").strip()
        if not server:
            return None
        use_ssl, use_tls = bool(config.get("MAIL_USE_SSL")), bool(config.get("MAIL_USE_TLS"))
        port = config.get("MAIL_PORT") or (465 if use_ssl else 587 if use_tls else 25)
        sender = config.get("MAIL_DEFAULT_SENDER") or config.get("MAIL_USERNAME") or f"quizapp@{server}"
        return cls(server=server, port=int(port), sender=sender, username=config.get("MAIL_USERNAME") or None,
                   password=config.get("MAIL_PASSWORD") or None, use_tls=use_tls, use_ssl=use_ssl)


@dataclass(frozen=True, slots=True)
class Mail:
    to: str
    subject: str
    body: str


def build_message(mail: Mail, sender: str) -> Message:
    """A plain-text UTF-8 message. Built with the ``compat32`` classes: on Python 3.11 the newer ``EmailMessage``
    drops the space between two words where it splits a long Vietnamese subject into encoded words."""
    message = MIMEText(mail.body, "plain", "utf-8")
    name, address = parseaddr(sender)
    message["From"] = formataddr((name, address), charset="utf-8") if name else address
    message["To"] = mail.to
    message["Subject"] = Header(mail.subject, "utf-8")
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    return message


def send(settings: MailSettings, mail: Mail) -> None:
    """Hand ``mail`` to the SMTP server of ``settings`` (SSL, or STARTTLS, and a login when given); raises
    ``MailError`` when the server cannot be reached or refuses it."""
    message = build_message(mail, settings.sender)
    context = ssl.create_default_context()
    try:
        if settings.use_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.server, settings.port, timeout=settings.timeout,
                                                  context=context)
        else:
            smtp = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout)
        with smtp:
            if settings.use_tls and not settings.use_ssl:
                smtp.starttls(context=context)
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"{type(error).__name__}: {error}") from error


def send_in_background(settings: MailSettings, mail: Mail) -> threading.Thread:
    """``send`` in a thread of its own, so that the answer to the request that asked for the mail takes the same
    time whether or not a mail was sent (a page that must not tell which accounts exist). A failure is logged."""

    def run() -> None:
        try:
            send(settings, mail)
        except MailError as error:
            logger.error("mail to %s not sent: %s", mail.to, error.reason)

    thread = threading.Thread(target=run, name="quizapp-mail", daemon=False)
    thread.start()
    return thread
