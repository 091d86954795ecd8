"""Where mail goes: an SMTP server, or (without MAIL_SERVER) the console and .eml files."""

from __future__ import annotations

import smtplib
import sys
import uuid
from pathlib import Path
from types import TracebackType
from typing import Protocol

from flask import current_app
from flask_mail import Message, sanitize_address

from petition.mail.messages import Email

SMTP_TIMEOUT_SECONDS = 30


class TemporaryFailure(Exception):
    """Try again later: the server is down, busy, or answered 4xx."""


class PermanentFailure(Exception):
    """Do not try again: the server refused the message for good (5xx)."""


class Transport(Protocol):
    def send(self, email: Email) -> None: ...

    def close(self) -> None: ...


def build_message(email: Email) -> Message:
    return Message(
        subject=email.subject,
        recipients=[email.recipient],
        body=email.text,
        html=email.html,
        extra_headers={"Auto-Submitted": "auto-generated", **email.headers},
    )


class SmtpTransport:
    """One connection, opened when the first message is sent and reused for the batch."""

    def __init__(self) -> None:
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = current_app.config
        host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
        smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        smtp = smtp_class(host, port, timeout=SMTP_TIMEOUT_SECONDS)
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"] and config["MAIL_PASSWORD"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        return smtp

    def send(self, email: Email) -> None:
        message = build_message(email)
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.sendmail(
                sanitize_address(message.sender), [email.recipient], message.as_bytes()
            )
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
        raw = build_message(email).as_bytes()
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
