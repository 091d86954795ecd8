"""A real SMTP server (aiosmtpd) that keeps what it receives, for tests to read."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Envelope:
    """What the server was told outside the message: its recipients, and whether the
    client asked for SMTPUTF8 (RFC 6531) to send them."""

    recipients: tuple[str, ...]
    smtputf8: bool


@dataclass
class Mailbox:
    host: str = "127.0.0.1"
    port: int = 0
    # Whether the server offers SMTPUTF8, so takes addresses with non-ASCII local parts.
    smtputf8: bool = False
    messages: list[EmailMessage] = field(default_factory=list)
    # One per message, in the same order.
    envelopes: list[Envelope] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # SMTP reply codes to answer the next RCPT commands with, e.g. [451, 550].
    refusals: list[int] = field(default_factory=list)
    # Called while a message is being received: stands for whatever else happens meanwhile.
    during_delivery: Callable[[], None] | None = None

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.envelopes.clear()
            self.refusals.clear()
            self.during_delivery = None

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address in str(m["To"])]

    @staticmethod
    def text_of(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    @staticmethod
    def html_of(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        with self.mailbox.lock:
            code = self.mailbox.refusals.pop(0) if self.mailbox.refusals else None
        if code is not None:
            return f"{code} refused for the test"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.mailbox.during_delivery is not None:
            self.mailbox.during_delivery()
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        received = Envelope(tuple(envelope.rcpt_tos), envelope.smtp_utf8)
        with self.mailbox.lock:
            self.mailbox.messages.append(message)  # type: ignore[arg-type]
            self.mailbox.envelopes.append(received)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_smtp_server(*, smtputf8: bool = False) -> tuple[Mailbox, Controller]:
    """A server on a free port; with `smtputf8`, one that offers SMTPUTF8 (aiosmtpd does not
    by default)."""
    mailbox = Mailbox(port=_free_port(), smtputf8=smtputf8)
    controller = Controller(
        _Handler(mailbox),
        hostname=mailbox.host,
        port=mailbox.port,
        enable_SMTPUTF8=smtputf8,
    )
    controller.start()
    return mailbox, controller
