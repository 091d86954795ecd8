"""The outbox worker: claims due messages, sends them, retries what failed for now.

Any number of workers may run against PostgreSQL: a batch is claimed with
`FOR UPDATE SKIP LOCKED` and leased by pushing its due time forward, then each message is
built, sent outside any transaction, and marked. A worker stops working through a batch
once half its lease has passed and hands the rest back, so a lease never runs out under a
live worker. A worker killed mid-batch leaves its unsent messages to be picked up when the
lease ends (two minutes at most); only the message in flight can go out twice.

The long-running worker also applies the retention rules (`petition.retention.purge`) at
start and then once an hour, so a deployment that runs mail also forgets on time.
"""

from __future__ import annotations

import logging
import re
import signal
import threading
from datetime import timedelta
from types import FrameType

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError

from petition.delivery.background import build_queued_packages
from petition.extensions import db
from petition.mail.messages import BUILDERS, Undeliverable
from petition.mail.transport import PermanentFailure, TemporaryFailure, Transport, open_transport
from petition.models import OutboxMessage, OutboxStatus
from petition.models.types import utcnow
from petition.retention import PurgeSchedule

log = logging.getLogger(__name__)

BATCH_SIZE = 20
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
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(size)
        .with_for_update(skip_locked=True)
    )
    messages = list(db.session.scalars(query))
    for message in messages:
        message.next_attempt_at = now + LEASE
    ids = [message.id for message in messages]
    db.session.commit()
    return ids


def deliver_due() -> int:
    """Send every message due now; returns how many were handled (sent or not)."""
    handled = 0
    with open_transport() as transport:
        while ids := claim_batch():
            deadline = utcnow() + LEASE / 2
            for position, message_id in enumerate(ids):
                if utcnow() > deadline:
                    release(ids[position:])
                    break
                deliver(message_id, transport)
                handled += 1
    return handled


def release(ids: list[int]) -> None:
    """Hand leased messages back to the queue at once (a slow batch; others may take them)."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.QUEUED)
        .values(next_attempt_at=utcnow())
    )
    db.session.commit()


def deliver(message_id: int, transport: Transport) -> None:
    try:
        _deliver(message_id, transport)
    except (StaleDataError, ObjectDeletedError):
        # The message (or what it was about) was deleted meanwhile: a withdrawal or a purge.
        db.session.rollback()


def _deliver(message_id: int, transport: Transport) -> None:
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.status is not OutboxStatus.QUEUED:
        db.session.commit()
        return
    try:
        email = BUILDERS[message.kind](message)
        db.session.commit()  # the link's token exists before the mail that carries it
        transport.send(email)
    except Undeliverable:
        _give_up(message, "nobody left to deliver to")
    except PermanentFailure as error:
        _give_up(message, str(error))
    except TemporaryFailure as error:
        _retry_later(message, str(error))
    else:
        message.status = OutboxStatus.SENT
        message.sent_at = utcnow()
        _forget_recipient(message)
    db.session.commit()


def without_addresses(reason: str) -> str:
    """A failure reason fit for logs and the database: any mail address blanked out."""
    return ADDRESS.sub("[address]", reason)


def _retry_later(message: OutboxMessage, reason: str) -> None:
    reason = without_addresses(reason)
    message.attempts += 1
    if message.attempts >= MAX_ATTEMPTS:
        _give_up(message, reason)
        return
    message.last_error = reason[:500]
    message.next_attempt_at = utcnow() + retry_delay(message.attempts)
    log.info("outbox message %s: will retry (%s)", message.id, reason)


def _give_up(message: OutboxMessage, reason: str) -> None:
    reason = without_addresses(reason)
    message.status = OutboxStatus.FAILED
    message.last_error = reason[:500]
    _forget_recipient(message)
    log.warning("outbox message %s failed: %s", message.id, reason)


def _forget_recipient(message: OutboxMessage) -> None:
    """Once a message is done with, the outbox keeps no address or content."""
    message.recipient = None
    message.payload = {}


def run_worker(*, once: bool, poll_seconds: float = 1.0) -> int:
    """Deliver until stopped (SIGTERM or SIGINT), or once when `once`; returns messages handled."""
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    if not once and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
    handled = 0
    purge_schedule = None if once else PurgeSchedule.from_config()
    while True:
        try:
            handled += deliver_due()
            build_queued_packages()  # delivery packages staff queued in the console
        except OperationalError as error:
            db.session.rollback()
            log.warning("outbox: database unavailable (%s); retrying", type(error.orig).__name__)
        if purge_schedule is not None:
            purge_schedule.run_if_due()
        if once or stop.wait(poll_seconds):
            return handled
