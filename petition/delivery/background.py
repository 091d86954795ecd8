"""Packages queued from the staff console and built by the worker (`flask outbox run`),
so that no web request waits for one.

The console adds a QUEUED record (`queue_package`) and commits; a worker claims it with
`FOR UPDATE SKIP LOCKED` (several workers never build the same one), marks it BUILDING,
builds it into `DELIVERY_DIR` (default: `<instance>/deliveries`) and records READY or
FAILED. On PostgreSQL the percentage is written as it goes, through a connection of its
own, for the console's progress bar; SQLite has one writer at a time, so there the record
goes from 0 to 100 at the end.

A claim is a lease: it holds for `DELIVERY_LEASE_MINUTES` and each progress write renews
it. A worker killed mid-build (SIGKILL, a host lost, a deploy) stops renewing, and once the
lease has run out the next worker takes the package over and builds it again from 0 %.
SQLite has no progress writes, so nothing renews the lease there: the claim's lease has to
outlast the whole build. SQLite means one worker, in development, where builds take
seconds; should a build outlast the lease while a second worker runs, that worker builds
the package again and the rule below keeps one result.

A worker that was only slow, not dead, may still be building when it is taken over. Each
claim counts up the package's `attempt`, and whatever a worker writes (progress, READY,
FAILED) applies only while the attempt is still its own: the latest claim's outcome is the
one recorded. The slow worker notices at its next progress write and stops. If it only
notices at the end, its folder is already renamed into place, and it removes it again so
that the latest claim can take the name; if the latest claim got there first, the slow one
finds the name taken and its failure is not recorded. One narrow race is left: should the
slow worker's folder exist in the milliseconds in which the latest claim checks or takes
the name, the latest claim records FAILED and staff queue the package again. No wrong
result is ever recorded as READY.
"""

from __future__ import annotations

import logging
import shutil
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, CursorResult, Row, Update, and_, or_, select, update

from petition.delivery.package import (
    Progress,
    failure_reason,
    new_package,
    write_package,
)
from petition.extensions import db
from petition.models import Campaign, DeliveryPackage, PackageStatus, StaffUser, Target
from petition.models.types import utcnow

log = logging.getLogger(__name__)
PROGRESS_STEP = 5  # percent between two writes of the progress
# A build that takes its worker down every time (memory, say) is not retried for ever.
MAX_ATTEMPTS = 3
GIVEN_UP = f"the build stopped its worker {MAX_ATTEMPTS} times (details in the server's log)"


def delivery_dir() -> Path:
    configured = current_app.config.get("DELIVERY_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "deliveries"


def queue_package(
    campaign: Campaign, target: Target, *, cutoff: datetime, actor: StaffUser | None
) -> DeliveryPackage:
    """A package for the worker to build; the caller commits it."""
    return new_package(campaign, target, cutoff, actor, PackageStatus.QUEUED)


@dataclass(frozen=True)
class Claim:
    """A package this worker holds; `attempt` tells this claim from any later one."""

    package_id: int
    attempt: int


class LeaseLost(Exception):
    """Another worker took the package over: this build's result is not wanted."""


class Stopping(Exception):
    """The worker was asked to stop (a deploy): the package goes back to the queue now,
    rather than when its lease runs out."""


def claim_queued() -> Claim | None:
    """Take the oldest package waiting for a worker (queued, or left BUILDING by a worker
    whose lease ran out): mark it BUILDING under a new lease and commit. A package whose
    build took its worker down `MAX_ATTEMPTS` times is recorded as FAILED instead."""
    now = utcnow()
    while (row := _oldest_waiting(now)) is not None:
        if row.status is PackageStatus.BUILDING and row.attempt >= MAX_ATTEMPTS:
            log.warning("delivery package %s: given up after %s attempts", row.id, row.attempt)
            _set(row.id, status=PackageStatus.FAILED, error=GIVEN_UP, lease_until=None)
            db.session.commit()
            continue
        claim = Claim(row.id, row.attempt + 1)
        if row.status is PackageStatus.BUILDING:
            log.warning(
                "delivery package %s: its lease ran out while building; taken over (attempt %s)",
                claim.package_id,
                claim.attempt,
            )
        values = {"progress": 0, "attempt": claim.attempt, "lease_until": now + lease_length()}
        _set(claim.package_id, status=PackageStatus.BUILDING, **values)
        db.session.commit()
        return claim
    db.session.commit()
    return None


def _oldest_waiting(now: datetime) -> Row[int, PackageStatus, int] | None:
    return db.session.execute(
        select(DeliveryPackage.id, DeliveryPackage.status, DeliveryPackage.attempt)
        .where(_waiting_for_worker(now))
        .order_by(DeliveryPackage.created_at, DeliveryPackage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()


def _set(package_id: int, **values: Any) -> None:
    db.session.execute(
        update(DeliveryPackage).where(DeliveryPackage.id == package_id).values(**values)
    )


def lease_length() -> timedelta:
    return timedelta(minutes=current_app.config["DELIVERY_LEASE_MINUTES"])


def _waiting_for_worker(now: datetime) -> ColumnElement[bool]:
    """Queued, or `DeliveryPackage.lease_ran_out` (no lease: BUILDING before leases existed)."""
    lease_ran_out = and_(
        DeliveryPackage.status == PackageStatus.BUILDING,
        or_(DeliveryPackage.lease_until.is_(None), DeliveryPackage.lease_until <= now),
    )
    return or_(DeliveryPackage.status == PackageStatus.QUEUED, lease_ran_out)


def _held(claim: Claim) -> Update:
    """An update of the package that applies only while `claim` is the latest claim."""
    return update(DeliveryPackage).where(
        DeliveryPackage.id == claim.package_id,
        DeliveryPackage.status == PackageStatus.BUILDING,
        DeliveryPackage.attempt == claim.attempt,
    )


def progress_writer(claim: Claim, stop: threading.Event | None = None) -> Progress | None:
    """Write the percentage, renewing the lease; raises `LeaseLost` once taken over, and
    `Stopping` once `stop` is set."""
    if db.engine.dialect.name != "postgresql":
        return None  # nor any renewal: on SQLite the claim's lease covers the whole build
    written = [0]

    def write(percent: int) -> None:
        # 100 is written with the package's record itself, by the build's own commit.
        if percent >= 100 or percent - written[0] < PROGRESS_STEP:
            return
        if stop is not None and stop.is_set():
            raise Stopping
        written[0] = percent
        renewal = _held(claim).values(progress=percent, lease_until=utcnow() + lease_length())
        with db.engine.begin() as connection:
            if connection.execute(renewal).rowcount != 1:
                raise LeaseLost

    return write


def build_claimed(claim: Claim, out_dir: Path, stop: threading.Event | None = None) -> None:
    """Build a claimed package and record the outcome; a failure is recorded, not raised."""
    package = db.session.get(DeliveryPackage, claim.package_id)
    if package is None:
        return
    actor = db.session.get(StaffUser, package.created_by_id) if package.created_by_id else None
    try:
        write_package(package, out_dir, actor=actor, progress=progress_writer(claim, stop))
        if not _update_held(claim, lease_until=None):  # locks the row until the commit
            if package.folder:  # its name belongs to the latest claim's build
                shutil.rmtree(package.folder, ignore_errors=True)
            raise LeaseLost
        db.session.commit()
    except LeaseLost:
        db.session.rollback()
        log.warning("delivery package %s: another worker took it over", claim.package_id)
    except Stopping:
        db.session.rollback()
        if _update_held(claim, status=PackageStatus.QUEUED, progress=0, lease_until=None):
            log.info("delivery package %s: handed back to the queue", claim.package_id)
        db.session.commit()
    except Exception as error:  # recorded for the console; the worker goes on
        db.session.rollback()
        reason = failure_reason(error)
        if _update_held(claim, status=PackageStatus.FAILED, error=reason, lease_until=None):
            log.warning("delivery package %s failed: %s", claim.package_id, reason)
        else:
            log.warning("delivery package %s: another worker took it over", claim.package_id)
        db.session.commit()


def _update_held(claim: Claim, **values: Any) -> bool:
    """Set `values` in the session's transaction if `claim` still holds the package.

    Runs before the session flushes the build's own changes (READY, …), so the row is
    locked against a takeover by this statement, not by a flush that would not check."""
    result = db.session.execute(
        _held(claim).values(**values),
        execution_options={"autoflush": False, "synchronize_session": False},
    )
    assert isinstance(result, CursorResult)  # noqa: S101 - DML always gives a cursor result
    return result.rowcount == 1


def build_queued_packages(out_dir: Path | None = None, stop: threading.Event | None = None) -> int:
    """Build every queued package, one after another, until `stop` is set; returns how many
    were tried. A build under way when `stop` is set goes back to the queue."""
    tried = 0
    while not (stop is not None and stop.is_set()) and (claim := claim_queued()) is not None:
        build_claimed(claim, out_dir or delivery_dir(), stop)
        tried += 1
    return tried
