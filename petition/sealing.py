"""Sealing what would name a signer, so that only a campaign's custodians can read it.

The format is age (https://age-encryption.org/v1, X25519 recipients): a standard with
independent implementations (`age` in Debian, `rage`, a JavaScript one for browsers), so a
custodian never depends on this code to read their data. The server holds only public
recipients (`age1…`); the private identities (`AGE-SECRET-KEY-1…`) stay with the custodians,
and any one of them can open what was sealed to all.

Measured on this project's machine (one small record, best of five runs): age takes about
0.32 ms and 365 bytes for one recipient, 0.58 ms for two; a libsodium sealed box takes
0.19 ms and 159 bytes per recipient. The sealed box is faster, but it has no file format or
offline tool of its own and seals each recipient separately; age's cost is a fraction of a
millisecond against several milliseconds of work per signing request.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pyrage
from pyrage import x25519

RECIPIENT_PREFIX = "age1"
IDENTITY_PREFIX = "AGE-SECRET-KEY-1"


class NotARecipient(ValueError):
    """The text is not an age X25519 public key (`age1…`)."""


class NotAnIdentity(ValueError):
    """The file holds no age X25519 identity (`AGE-SECRET-KEY-1…`)."""


class CannotUnseal(ValueError):
    """The identity is not one of those the data was sealed to, or the data is damaged."""


def parse_recipient(text: str) -> str:
    """The recipient in its canonical (lower-case) spelling; NotARecipient if it is none."""
    candidate = text.strip().lower()
    if not candidate.startswith(RECIPIENT_PREFIX):
        raise NotARecipient(text)
    try:
        return str(x25519.Recipient.from_str(candidate))
    except pyrage.RecipientError as error:
        raise NotARecipient(text) from error


def seal(data: bytes, recipients: Sequence[str]) -> bytes:
    """`data` encrypted so that any one of `recipients` can decrypt it (binary age file)."""
    if not recipients:
        raise NotARecipient("no recipient to seal to")
    return bytes(pyrage.encrypt(data, [x25519.Recipient.from_str(r) for r in recipients]))


def unseal(sealed: bytes, identity: x25519.Identity) -> bytes:
    try:
        return bytes(pyrage.decrypt(sealed, [identity]))
    except pyrage.DecryptError as error:
        raise CannotUnseal(str(error)) from error


def new_identity() -> x25519.Identity:
    return x25519.Identity.generate()


def recipient_of(identity: x25519.Identity) -> str:
    return str(identity.to_public())


def write_identity(identity: x25519.Identity, path: Path) -> None:
    """Write a new identity file as `age-keygen` does, readable by its owner only; never
    over an existing file (it may be the only copy of another key)."""
    created = datetime.now(UTC).isoformat(timespec="seconds")
    text = f"# created: {created}\n# public key: {recipient_of(identity)}\n{identity}\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def read_identity(path: Path) -> x25519.Identity:
    """The identity in an age identity file (comments and blank lines are skipped)."""
    try:
        return parse_identity(path.read_text())
    except (NotAnIdentity, UnicodeDecodeError) as error:
        raise NotAnIdentity(str(path)) from error


def parse_identity(text: str) -> x25519.Identity:
    """The identity in the text of an age identity file, as `age-keygen` writes it; the
    first `AGE-SECRET-KEY-1…` line counts, comments and blank lines are skipped.
    NotAnIdentity if there is none; its message never quotes the text (it is a secret)."""
    for line in text.splitlines():
        if line.strip().startswith(IDENTITY_PREFIX):
            try:
                return x25519.Identity.from_str(line.strip())
            except pyrage.IdentityError as error:
                raise NotAnIdentity("not a valid age identity") from error
    raise NotAnIdentity("no age identity")
