"""Where mail goes: an SMTP server, or (without MAIL_SERVER) the console and .eml files."""

from __future__ import annotations

import functools
import re
import secrets
import smtplib
import ssl
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.header import Header
from email.quoprimime import body_encode
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from types import TracebackType
from typing import Protocol

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_mail import sanitize_address

from petition.mail.messages import Email

SMTP_TIMEOUT_SECONDS = 30
NO_SMTPUTF8 = "the mail server does not take addresses with non-ASCII characters (no SMTPUTF8)"


class TemporaryFailure(Exception):
    """Try again later: the server is down, busy, or answered 4xx."""


class PermanentFailure(Exception):
    """Do not try again: the server refused the message for good (5xx)."""


class Transport(Protocol):
    def send(self, email: Email) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class OutgoingMail:
    """A message as it goes over the wire: envelope sender and recipient, and its bytes."""

    sender: str
    recipient: str
    raw: bytes
    # The recipient's local part is not ASCII: only a server offering SMTPUTF8 takes it.
    smtputf8: bool = False

    def as_bytes(self) -> bytes:
        return self.raw


def recipient_address(address: str) -> tuple[str, bool]:
    """`address` as the envelope and the To header carry it, with its domain in ASCII (IDNA,
    as RFC 5890 has it), and whether its local part needs SMTPUTF8 (RFC 6531)."""
    if address.isascii():
        return address, False
    try:
        valid = validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        # Not the validator's words: they quote the address's characters, and reasons are
        # kept and logged.
        raise PermanentFailure("not an address mail can go to") from error
    return f"{valid.local_part}@{valid.ascii_domain}", valid.smtputf8


def build_message(email: Email) -> OutgoingMail:
    """The mail as multipart/alternative (text, then HTML) in UTF-8, lines ending in CRLF.

    Written out directly rather than through `email.message`: the stdlib's generator took
    longer per mail than everything else the worker does for it. The result is what
    Flask-Mail produced (8bit UTF-8 parts, RFC 2047 encoded headers), less its redundant
    multipart/mixed wrapper; a part with a line too long for 8bit goes quoted-printable.
    """
    sender = _sender(current_app.extensions["mail"].default_sender)
    for value in (email.subject, email.recipient, *email.headers.values()):
        if "\r" in value or "\n" in value:
            raise PermanentFailure("a header may not contain a line break")
    recipient, smtputf8 = recipient_address(email.recipient)
    headers = {
        "From": sender.header,
        "To": recipient,  # in UTF-8 (RFC 6532) when it needs SMTPUTF8, in ASCII otherwise
        "Subject": _encoded_header(email.subject),
        "Date": formatdate(localtime=True),
        "Message-ID": make_msgid(domain=sender.domain),
        "MIME-Version": "1.0",
        "Auto-Submitted": "auto-generated",
        **email.headers,
    }
    boundary = f"=_{secrets.token_hex(16)}"
    lines = [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
    head = "\r\n".join(lines).encode("utf-8" if smtputf8 else "ascii")
    start, end = f"--{boundary}\r\n".encode(), f"--{boundary}--\r\n".encode()
    parts = (start, _part("plain", email.text), b"\r\n", start, _part("html", email.html))
    raw = b"".join((head, b"\r\n\r\n", *parts, b"\r\n", end))
    return OutgoingMail(sender.address, recipient, raw, smtputf8)


@dataclass(frozen=True)
class _Sender:
    header: str
    address: str
    domain: str


@functools.cache
def _sender(configured: str) -> _Sender:
    """MAIL_DEFAULT_SENDER as a From header, as an envelope address, and its domain (for the
    Message-ID: `make_msgid` would otherwise ask DNS for this host's name for every mail)."""
    address = parseaddr(configured)[1]
    return _Sender(sanitize_address(configured), address, address.rpartition("@")[2])


LINE_BREAK = re.compile(r"\r\n|\r|\n")
LONGEST_8BIT_LINE = 998  # bytes, without the CRLF (RFC 5322 2.1.1)
LONGEST_PLAIN_HEADER = 900


def _part(subtype: str, content: str) -> bytes:
    body = "\r\n".join(LINE_BREAK.split(content)).encode()
    if max(map(len, body.split(b"\r\n"))) <= LONGEST_8BIT_LINE:
        encoding = "8bit"
    else:
        encoding = "quoted-printable"
        body = body_encode(body.decode("latin-1"), eol="\r\n").encode("latin-1")
    head = (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n"
    )
    return head.encode("ascii") + body


def _encoded_header(value: str) -> str:
    """A header value in ASCII: RFC 2047 encoded words (folded) when it needs them."""
    if value.isascii() and len(value) <= LONGEST_PLAIN_HEADER:
        return value
    return Header(value, "utf-8").encode(linesep="\r\n")


def tls_context() -> ssl.SSLContext:
    """TLS to the mail server with its certificate and host name verified (smtplib's own
    default checks neither: anyone on the path could read the links in every mail)."""
    return ssl.create_default_context(cafile=current_app.config["MAIL_TLS_CA_FILE"])


def open_smtp(timeout: float) -> smtplib.SMTP:
    """A connection to MAIL_SERVER, over TLS from the first byte when MAIL_USE_SSL says so."""
    config = current_app.config
    host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    if config["MAIL_USE_SSL"]:
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls_context())
    return smtplib.SMTP(host, port, timeout=timeout)


class SmtpTransport:
    """One connection, opened when the first message is sent and reused for the batch."""

    def __init__(self) -> None:
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = current_app.config
        smtp = open_smtp(SMTP_TIMEOUT_SECONDS)
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=tls_context())
        if config["MAIL_USERNAME"] and config["MAIL_PASSWORD"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.ehlo_or_helo_if_needed()  # what the server offers (SMTPUTF8?) is known from here
        return smtp

    def send(self, email: Email) -> None:
        message = build_message(email)
        smtp = self._session()
        if message.smtputf8 and not smtp.has_extn("smtputf8"):
            raise PermanentFailure(NO_SMTPUTF8)
        options = ["SMTPUTF8"] if message.smtputf8 else []
        with self._failures():
            smtp.sendmail(message.sender, [message.recipient], message.raw, mail_options=options)

    def _session(self) -> smtplib.SMTP:
        if self._smtp is None:
            with self._failures():
                self._smtp = self._connect()
        return self._smtp

    @contextmanager
    def _failures(self) -> Iterator[None]:
        """SMTP's errors as ours. After any error the connection is closed: the conversation
        may have stopped half-way, so the next message starts a new one."""
        try:
            yield
        except smtplib.SMTPResponseException as error:
            self.close()
            if error.smtp_code >= 500:
                raise PermanentFailure(f"{error.smtp_code} {error.smtp_error!r}") from error
            raise TemporaryFailure(f"{error.smtp_code} {error.smtp_error!r}") from error
        except smtplib.SMTPRecipientsRefused as error:
            self.close()
            codes = [code for code, _ in error.recipients.values()]
            if all(code >= 500 for code in codes):
                raise PermanentFailure(f"recipient refused {codes}") from error
            raise TemporaryFailure(f"recipient refused {codes}") from error
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise TemporaryFailure(type(error).__name__) from error
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class FileTransport:
    """Development delivery: print each message and keep it as instance/mail/<id>.eml."""

    def __init__(self) -> None:
        self.folder = Path(current_app.instance_path) / "mail"

    def send(self, email: Email) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        raw = build_message(email).raw
        (self.folder / f"{uuid.uuid4().hex}.eml").write_bytes(raw)
        sys.stdout.write(f"--- mail to {email.recipient}: {email.subject}\n{email.text}\n")
        sys.stdout.flush()

    def close(self) -> None:
        """Nothing to close."""

    def __enter__(self) -> FileTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_transport() -> SmtpTransport | FileTransport:
    return SmtpTransport() if current_app.config["MAIL_SERVER"] else FileTransport()
