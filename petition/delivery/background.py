"""Packages queued from the staff console and built by the worker (`flask outbox run`),
so that no web request waits for one.

The console adds a QUEUED record (`queue_package`) and commits; a worker claims it with
`FOR UPDATE SKIP LOCKED` (several workers never build the same one), marks it BUILDING,
builds it into `DELIVERY_DIR` (default: `<instance>/deliveries`) and records READY or
FAILED. On PostgreSQL the percentage is written as it goes, through a connection of its
own, for the console's progress bar; SQLite has one writer at a time, so there the record
goes from 0 to 100 at the end.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from petition.delivery.package import PackageError, Progress, failure_reason, write_package
from petition.extensions import db
from petition.models import Campaign, DeliveryPackage, PackageStatus, StaffUser, Target

log = logging.getLogger(__name__)
PROGRESS_STEP = 5  # percent between two writes of the progress


def delivery_dir() -> Path:
    configured = current_app.config.get("DELIVERY_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "deliveries"


def queue_package(
    campaign: Campaign, target: Target, *, cutoff: datetime, actor: StaffUser | None
) -> DeliveryPackage:
    """A package for the worker to build; the caller commits it."""
    if cutoff.tzinfo is None:
        raise PackageError("the cut-off must be timezone-aware (UTC)")
    package = DeliveryPackage(
        campaign=campaign,
        target=target,
        cutoff_at=cutoff,
        status=PackageStatus.QUEUED,
        progress=0,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(package)
    return package


def claim_queued() -> int | None:
    """Take the oldest queued package for this worker: mark it BUILDING and commit."""
    package_id = db.session.scalar(
        select(DeliveryPackage.id)
        .where(DeliveryPackage.status == PackageStatus.QUEUED)
        .order_by(DeliveryPackage.created_at, DeliveryPackage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if package_id is not None:
        db.session.execute(
            update(DeliveryPackage)
            .where(DeliveryPackage.id == package_id)
            .values(status=PackageStatus.BUILDING, progress=0)
        )
    db.session.commit()
    return package_id


def progress_writer(package_id: int) -> Progress | None:
    if db.engine.dialect.name != "postgresql":
        return None
    written = [0]

    def write(percent: int) -> None:
        # 100 is written with the package's record itself, by the build's own commit.
        if percent >= 100 or percent - written[0] < PROGRESS_STEP:
            return
        written[0] = percent
        with db.engine.begin() as connection:
            connection.execute(
                update(DeliveryPackage)
                .where(DeliveryPackage.id == package_id)
                .values(progress=percent)
            )

    return write


def build_claimed(package_id: int, out_dir: Path) -> None:
    """Build a claimed package and record the outcome; a failure is recorded, not raised."""
    package = db.session.get(DeliveryPackage, package_id)
    if package is None:
        return
    actor = db.session.get(StaffUser, package.created_by_id) if package.created_by_id else None
    try:
        write_package(package, out_dir, actor=actor, progress=progress_writer(package_id))
        db.session.commit()
    except Exception as error:  # recorded for the console; the worker goes on
        db.session.rollback()
        reason = failure_reason(error)
        log.warning("delivery package %s failed: %s", package_id, reason)
        db.session.execute(
            update(DeliveryPackage)
            .where(DeliveryPackage.id == package_id)
            .values(status=PackageStatus.FAILED, error=reason)
        )
        db.session.commit()


def build_queued_packages(out_dir: Path | None = None) -> int:
    """Build every queued package, one after another; returns how many were tried."""
    tried = 0
    while (package_id := claim_queued()) is not None:
        build_claimed(package_id, out_dir or delivery_dir())
        tried += 1
    return tried
