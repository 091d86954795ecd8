"""Queueing mail: the outbox row commits, or rolls back, with the change it reports."""

from __future__ import annotations

from typing import Any

from petition.extensions import db
from petition.models import Organisation, OutboxMessage, Signature


def enqueue(
    kind: str,
    *,
    lang: str,
    recipient: str | None = None,
    signature: Signature | None = None,
    organisation: Organisation | None = None,
    payload: dict[str, Any] | None = None,
) -> OutboxMessage:
    """Queue message `kind` (a folder under templates/email/) in the current transaction."""
    message = OutboxMessage(
        kind=kind,
        lang=lang,
        recipient=recipient,
        signature=signature,
        organisation=organisation,
        payload=payload or {},
    )
    db.session.add(message)
    return message
