"""Queueing mail: the outbox row commits, or rolls back, with the change it reports."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert

from petition.extensions import db
from petition.models import Organisation, OutboxMessage

INSERT = insert(OutboxMessage.__table__)  # built once; each call brings its values
CONFIRM = "confirm_signature"  # the mail with a new confirmation link


def enqueue(
    kind: str,
    *,
    lang: str,
    recipient: str | None = None,
    signature_id: int | None = None,
    organisation: Organisation | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Queue message `kind` (a folder under templates/email/) in the current transaction.

    One INSERT, at once: cheaper than the session's unit of work, and the worker needs
    nothing but the row."""
    if organisation is not None and organisation.id is None:
        db.session.flush()  # the message refers to a row that is not written yet
    row = {
        "kind": kind,
        "lang": lang,
        "recipient": recipient,
        "signature_id": signature_id,
        "organisation_id": organisation.id if organisation else None,
        "payload": payload or {},
    }
    db.session.execute(INSERT, row)
