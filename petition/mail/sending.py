"""Sending the outbox: claims due messages, sends them, retries what failed for now.

Any number of workers may run against PostgreSQL: a batch is claimed with
`FOR UPDATE SKIP LOCKED` and leased by pushing its due time forward, then each message is
built, sent outside any transaction, and marked. A worker stops working through a batch
once half its lease has passed and hands the rest back, so a lease never runs out under a
live worker. A worker killed mid-batch leaves its unsent messages to be picked up when the
lease ends (two minutes at most); only the message in flight can go out twice.

A message that raises anything while it is built or sent (a bug, data no builder or header
can carry) fails for good with the error as its reason, and the worker goes on: one message
can never stop the queue. Only the database's errors stop a batch, which is then retried.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Update, bindparam, select, text, update
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import selectinload

from petition.extensions import db
from petition.mail.messages import (
    BUILDERS,
    Email,
    Undeliverable,
    mail_context,
    tokens_written_together,
)
from petition.mail.transport import PermanentFailure, TemporaryFailure, Transport, open_transport
from petition.models import Campaign, Organisation, OutboxMessage, OutboxStatus, Signature
from petition.models.types import utcnow

log = logging.getLogger(__name__)

BATCH_SIZE = 50
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 12
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=2)
# SMTP replies often quote the refused address ("550 <x@example.org>: no such user").
ADDRESS = re.compile(r"[^\s<>\"'()\[\],;:]+@[^\s<>\"'()\[\],;:]+")


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 30 s, 1 min, 2 min, … capped at two hours."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


def claim_batch(size: int = BATCH_SIZE) -> list[int]:
    """Lease up to `size` due messages to this worker and return their ids."""
    now = utcnow()
    _relax_commit()
    query = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(size)
        .with_for_update(skip_locked=True)
    )
    ids = list(db.session.scalars(query))
    if ids:
        _update(ids, next_attempt_at=now + LEASE)
    db.session.commit()
    return ids


def deliver_due(on_claimed: Callable[[list[int]], object] | None = None) -> int:
    """Send every message due now; returns how many were handled (sent or not).
    `on_claimed` sees each batch's ids once it is leased, before any of it is built."""
    handled = 0
    with open_transport() as transport, _outcome_log() as outcomes:
        while ids := claim_batch():
            if on_claimed is not None:
                on_claimed(ids)
            deadline = utcnow() + LEASE / 2
            outgoing = prepare(ids)
            handled += len(ids) - len(outgoing)  # nobody to deliver to: given up already
            for position, (message, email) in enumerate(outgoing):
                if utcnow() > deadline:
                    release([message.id for message, _ in outgoing[position:]])
                    break
                deliver(message, email, transport, outcomes)
                handled += 1
    return handled


@dataclass(frozen=True)
class Leased:
    """What the worker still needs to know of a message once its batch is prepared."""

    id: int
    attempts: int


def prepare(ids: list[int]) -> list[tuple[Leased, Email]]:
    """Build the mail of each leased message, in one transaction for the batch.

    Its commit makes every link's token exist before any mail that carries it goes out; a
    token whose mail never goes (the worker dies, the send fails) is an unknown hash that
    expires. A message with nobody left to deliver to is given up here.
    """
    _relax_commit()
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.QUEUED)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .options(
            selectinload(OutboxMessage.signature)
            .selectinload(Signature.campaign)
            .selectinload(Campaign.texts),
            selectinload(OutboxMessage.organisation)
            .selectinload(Organisation.campaign)
            .selectinload(Campaign.texts),
        )
    )
    outgoing = []
    with mail_context(), tokens_written_together():
        for message in db.session.scalars(query):
            try:
                email = BUILDERS[message.kind](message)
            except Undeliverable:
                _give_up(message, "nobody left to deliver to")
            except SQLAlchemyError:
                raise  # the database's trouble, not the message's: the batch is retried
            except Exception as error:  # a poison message fails alone, never the worker
                _give_up(message, f"could not be built: {_described(error)}")
            else:
                outgoing.append((Leased(message.id, message.attempts), email))
    db.session.commit()
    return outgoing


def release(ids: list[int]) -> None:
    """Hand leased messages back to the queue at once (a slow batch; others may take them)."""
    _relax_commit()
    _update(ids, next_attempt_at=utcnow())
    db.session.commit()


def deliver(message: Leased, email: Email, transport: Transport, outcomes: Connection) -> None:
    """Send one message and record the outcome at once, in a transaction of its own: a
    worker killed after that does not send the message again."""
    try:
        transport.send(email)
    except PermanentFailure as error:
        outcome = _failed(message, str(error))
    except TemporaryFailure as error:
        outcome = _retry_later(message, str(error))
    except Exception as error:  # a poison message fails alone, never the worker
        outcome = _failed(message, f"could not be sent: {_described(error)}")
    else:
        outcome = {"status": OutboxStatus.SENT, "sent_at": utcnow(), **FORGET_RECIPIENT}
    # A message deleted meanwhile (a withdrawal, a purge) matches no row: nothing to record.
    # The values go in as parameters of one prepared statement: building the statement
    # anew for each message cost more than the round trip to the database.
    outcomes.execute(RECORD_OUTCOME, {"message_id": message.id, **outcome})
    outcomes.commit()


@contextmanager
def _outcome_log() -> Iterator[Connection]:
    """A connection of its own for recording each message's outcome, held for the whole run.

    Through the session, every one-statement transaction would also take a connection from
    the pool (testing it first), begin, and hand it back (rolling back): three times the
    round trips. On PostgreSQL each statement commits by itself (autocommit), without
    waiting for the disk; see `_relax_commit` for why that is safe.
    """
    with db.engine.connect() as connection:
        if connection.dialect.name != "postgresql":
            yield connection
            return
        connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.exec_driver_sql("SET synchronous_commit TO OFF")
        try:
            yield connection
        finally:
            with suppress(DBAPIError):  # a broken connection is not pooled again anyway
                connection.exec_driver_sql("RESET synchronous_commit")


def _queued(ids: list[int]) -> Update:
    return update(OutboxMessage).where(
        OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.QUEUED
    )


def _update(ids: list[int], **values: Any) -> None:
    """Set `values` on the queued messages `ids` in the session's transaction."""
    db.session.execute(_queued(ids).values(**values).execution_options(synchronize_session=False))


def _relax_commit() -> None:
    """On PostgreSQL, let this transaction's commit return before its WAL reaches disk.

    The worker's commits are leases, tokens and "sent" marks. A worker that dies loses
    none of them (they are committed); only a crash of PostgreSQL itself can lose the last
    few hundred milliseconds of them. A lost token is a link that does not work (the signer
    asks again); a lost "sent" mark means that mail goes out twice, the at-least-once
    delivery the outbox already accepts for the message in flight. In exchange the worker
    does not wait for a disk flush for every message.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(SET_LOCAL_ASYNC_COMMIT)


def without_addresses(reason: str) -> str:
    """A failure reason fit for logs and the database: any mail address blanked out."""
    return ADDRESS.sub("[address]", reason)


def _described(error: Exception) -> str:
    """An unexpected error as a failure reason: its kind only, never what it says, which may
    quote what a signer typed (a name, the characters of an address)."""
    return type(error).__name__


def _retry_later(message: Leased, reason: str) -> dict[str, Any]:
    reason = without_addresses(reason)
    attempts = message.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        return {"attempts": attempts, **_failed(message, reason)}
    log.info("outbox message %s: will retry (%s)", message.id, reason)
    return {
        "attempts": attempts,
        "last_error": reason[:500],
        "next_attempt_at": utcnow() + retry_delay(attempts),
    }


def _failed(message: Leased, reason: str) -> dict[str, Any]:
    reason = without_addresses(reason)
    log.warning("outbox message %s failed: %s", message.id, reason)
    return {"status": OutboxStatus.FAILED, "last_error": reason[:500], **FORGET_RECIPIENT}


def _give_up(message: OutboxMessage, reason: str) -> None:
    for name, value in _failed(Leased(message.id, message.attempts), reason).items():
        setattr(message, name, value)


# Once a message is done with, the outbox keeps no address or content.
FORGET_RECIPIENT: dict[str, Any] = {"recipient": None, "payload": {}}
RECORD_OUTCOME = update(OutboxMessage).where(
    OutboxMessage.id == bindparam("message_id"), OutboxMessage.status == OutboxStatus.QUEUED
)
SET_LOCAL_ASYNC_COMMIT = text("SET LOCAL synchronous_commit TO OFF")
