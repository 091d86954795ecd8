"""What the server keeps of a person who signs: a sealed record, keyed hashes, and the forms
the public may see.

A signer's typed name, email address and city are sealed (`petition.sealing`) to the
campaign's custodians the moment they arrive; no copy of the server can read them. What
stays readable is what the public may see or the rules need:

- `public_name`: the name as the signer chose to be shown (in full, as initials) or nothing;
- `email_hash`: one person, one key (`normalise_email`), hashed with EMAIL_HASH_KEY, so a
  second signature by the same person collides with the first;
- `mailbox_hash`: the mailbox itself, so a mail carrying a manage link goes only to the
  address that signed (`a+b@` is not `a@` at every provider);
- `email_domain`: for fraud review (many signatures from one new domain).

The hash key lives in the environment (EMAIL_HASH_KEY, or derived from SECRET_KEY), never
in the database: a copy of the database cannot test guessed addresses against the hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from pyrage import x25519

from petition.models import Display
from petition.sealing import seal, unseal

GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}
RECORD_VERSION = 1


@dataclass(frozen=True)
class Details:
    """What only custodians may read: the person as they typed themselves."""

    name: str
    email: str
    city: str | None = None


@dataclass(frozen=True)
class Representative:
    """What only custodians may read of an organisation's representative, once the review
    decision has been mailed to them (until then staff answer them from the readable row)."""

    name: str
    role: str
    email: str


def seal_details(details: Details | Representative, recipients: Sequence[str]) -> bytes:
    """The record as compact JSON, sealed to every recipient (any one can open it)."""
    record = {"v": RECORD_VERSION, **vars(details)}  # asdict would deep-copy each value
    return seal(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode(), recipients)


def person_columns(details: Details, display: Display, recipients: Sequence[str]) -> dict[str, Any]:
    """A signature's columns that stand for the person: sealed details, the shown name, the
    hashes and the domain of the address."""
    return {
        "sealed": seal_details(details, recipients),
        "public_name": public_name(details.name, display),
        **address_columns(details.email),
    }


def address_columns(address: str) -> dict[str, str]:
    """What stays readable of an address for good: its keyed hashes and its domain."""
    return {
        "email_hash": email_hash(address),
        "mailbox_hash": mailbox_hash(address),
        "email_domain": email_domain(address),
    }


def open_details(sealed: bytes, identity: x25519.Identity) -> Details:
    """The details sealed in `sealed`; sealing.CannotUnseal for a key that cannot open it."""
    record = _opened(sealed, identity)
    return Details(name=record["name"], email=record["email"], city=record.get("city"))


def open_representative(sealed: bytes, identity: x25519.Identity) -> Representative:
    """The representative sealed in `sealed`; sealing.CannotUnseal for a key that cannot
    open it."""
    record = _opened(sealed, identity)
    return Representative(name=record["name"], role=record["role"], email=record["email"])


def _opened(sealed: bytes, identity: x25519.Identity) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(unseal(sealed, identity))
    return record


def normalise_email(address: str) -> str:
    """One person, one key: case folded, sub-address dropped, Gmail's dots ignored."""
    local, _, domain = address.strip().rpartition("@")
    local, domain = local.casefold(), domain.casefold().rstrip(".")
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def mailbox(address: str) -> str:
    """The mailbox an address reaches: case folded; at Gmail, dots and sub-addresses too,
    which Gmail itself ignores. Elsewhere `a+b@` may be another person's mailbox."""
    folded = address.strip().casefold().rstrip(".")
    return normalise_email(folded) if email_domain(folded) in GMAIL_DOMAINS else folded


def email_domain(address: str | None) -> str:
    """The domain of an address, case-folded, without a trailing dot."""
    if not address or "@" not in address:
        return ""
    return address.rpartition("@")[2].strip().casefold().rstrip(".")


def email_hash(address: str) -> str:
    """The keyed hash of the person behind `address` (see `normalise_email`)."""
    return _keyed(b"person", normalise_email(address))


def mailbox_hash(address: str) -> str:
    """The keyed hash of the mailbox `address` reaches."""
    return _keyed(b"mailbox", mailbox(address))


def _keyed(purpose: bytes, value: str) -> str:
    key = current_app.config["EMAIL_HASH_KEY"].encode()
    return hmac.digest(key, purpose + b"\0" + value.encode(), hashlib.sha256).hex()


def initials(name: str) -> str:
    """Initials of a name, e.g. "Олена Петренко" → "О. П." (first letter of each word)."""
    letters = (next((ch for ch in word if ch.isalpha()), "") for word in name.split())
    return " ".join(f"{letter.upper()}." for letter in letters if letter)


def public_name(name: str | None, display: Display) -> str | None:
    """The name as `display` shows it: in full, as initials, or not at all."""
    shown = (name or "").strip()
    if display is Display.ANONYMOUS or not shown:
        return None
    return shown if display is Display.FULL else initials(shown) or None
