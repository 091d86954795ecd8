"""Packages queued from the console and built by the worker."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from petition.delivery.background import build_queued_packages, progress_writer, queue_package
from petition.delivery.package import build_package
from petition.extensions import db
from petition.mail.worker import run_worker
from petition.models import AuditEvent, DeliveryPackage, PackageStatus, Role
from tests.delivery.outputs import CUTOFF, add_signature, add_target
from tests.factories import make_campaign, make_staff


def queued(campaign, target, actor=None):
    package = queue_package(campaign, target, cutoff=CUTOFF, actor=actor)
    db.session.commit()
    return package.id


def test_the_worker_builds_what_staff_queued(app, tmp_path):
    campaign = make_campaign()
    add_signature(campaign, "Олена Петренко")
    exporter = make_staff(Role.EXPORTER)
    package_id = queued(campaign, add_target(campaign, "uk"), exporter)

    assert build_queued_packages(tmp_path) == 1

    db.session.expire_all()
    package = db.session.get(DeliveryPackage, package_id)
    assert package.status is PackageStatus.READY
    assert package.progress == 100
    assert package.counts["individuals"] == 1
    assert (Path(package.folder) / "manifest.json").is_file()
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "delivery.package_built")
    )
    assert event.actor_id == exporter.id
    assert build_queued_packages(tmp_path) == 0


def test_a_failure_is_recorded_and_the_next_package_still_built(app, tmp_path):
    campaign = make_campaign()
    first, second = add_target(campaign, "ru"), add_target(campaign, "en")
    build_package(campaign, first, cutoff=CUTOFF, out_dir=tmp_path)
    db.session.commit()
    failing, working = queued(campaign, first), queued(campaign, second)

    assert build_queued_packages(tmp_path) == 2

    db.session.expire_all()
    failed = db.session.get(DeliveryPackage, failing)
    assert failed.status is PackageStatus.FAILED
    assert "exists already" in failed.error
    assert db.session.get(DeliveryPackage, working).status is PackageStatus.READY


def test_the_outbox_worker_builds_queued_packages(app, tmp_path):
    app.config["DELIVERY_DIR"] = str(tmp_path)
    campaign = make_campaign()
    package_id = queued(campaign, add_target(campaign, "en"))

    run_worker(once=True)

    db.session.expire_all()
    package = db.session.get(DeliveryPackage, package_id)
    assert package.status is PackageStatus.READY
    assert Path(package.folder).parent == tmp_path.resolve()


def test_progress_is_written_as_the_build_goes_on_postgresql(app, tmp_path):
    campaign = make_campaign()
    package_id = queued(campaign, add_target(campaign, "en"))
    write = progress_writer(package_id)
    if db.engine.dialect.name != "postgresql":
        assert write is None  # one writer at a time: the record goes to 100 when done
        return
    assert write is not None
    write(3)  # small steps are not worth a write
    write(40)
    write(100)  # the build's own commit writes 100
    with db.engine.connect() as connection:
        progress = connection.scalar(
            select(DeliveryPackage.progress).where(DeliveryPackage.id == package_id)
        )
    assert progress == 40
