"""Packages queued from the console and built by the worker."""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

import pytest
from sqlalchemy import select, update

from petition.delivery.background import (
    MAX_ATTEMPTS,
    LeaseLost,
    build_claimed,
    build_queued_packages,
    claim_queued,
    lease_length,
    progress_writer,
    queue_package,
)
from petition.delivery.package import build_package
from petition.extensions import db
from petition.models import AuditEvent, DeliveryPackage, PackageStatus, Role
from petition.worker import run_worker
from tests.conftest import Clock
from tests.delivery.outputs import CUTOFF, add_signature, add_target
from tests.factories import make_campaign, make_staff
from tests.pages import sign_in_staff


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


def test_progress_is_written_as_the_build_goes_on_postgresql(app, clock):
    campaign = make_campaign()
    package_id = queued(campaign, add_target(campaign, "en"))
    write = progress_writer(claim_queued())
    if db.engine.dialect.name != "postgresql":
        assert write is None  # one writer at a time: the record goes to 100 when done
        return
    assert write is not None
    clock.advance(minutes=3)
    write(3)  # small steps are not worth a write
    write(40)
    write(100)  # the build's own commit writes 100
    with db.engine.connect() as connection:
        progress, lease_until = connection.execute(
            select(DeliveryPackage.progress, DeliveryPackage.lease_until).where(
                DeliveryPackage.id == package_id
            )
        ).one()
    assert progress == 40
    assert lease_until == clock.now + lease_length()  # each write renews the lease


# A worker killed while building: its lease runs out and the next worker takes over.


def package(package_id: int) -> DeliveryPackage:
    db.session.expire_all()
    return db.session.get(DeliveryPackage, package_id)


def outlive_the_lease(clock: Clock) -> None:
    clock.advance(seconds=lease_length().total_seconds())


def outcome(package_id: int) -> tuple[PackageStatus, int]:
    built = package(package_id)
    return built.status, built.attempt


def test_a_package_under_a_live_lease_is_left_to_its_worker(app, tmp_path, clock):
    campaign = make_campaign()
    package_id = queued(campaign, add_target(campaign, "en"))
    assert claim_queued() is not None  # a worker takes it and is still building it
    clock.advance(seconds=lease_length().total_seconds() - 1)

    assert build_queued_packages(tmp_path) == 0

    assert outcome(package_id) == (PackageStatus.BUILDING, 1)
    assert not package(package_id).lease_ran_out
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("live_loggers")
def test_a_package_whose_worker_died_is_built_by_the_next_worker(app, tmp_path, clock, caplog):
    campaign = make_campaign()
    add_signature(campaign, "Олена Петренко")
    package_id = queued(campaign, add_target(campaign, "uk"))
    claim_queued()  # then the worker is killed
    db.session.execute(
        update(DeliveryPackage).where(DeliveryPackage.id == package_id).values(progress=40)
    )
    db.session.commit()
    outlive_the_lease(clock)
    assert package(package_id).lease_ran_out

    with caplog.at_level(logging.INFO):
        assert build_queued_packages(tmp_path) == 1

    built = package(package_id)
    assert built.status is PackageStatus.READY
    assert built.attempt == 2
    assert built.lease_until is None
    assert built.counts["individuals"] == 1
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"delivery package {package_id}: its lease ran out while building" in logged
    assert "Олена" not in logged


def test_a_package_that_took_its_worker_down_three_times_fails_and_the_queue_goes_on(
    app, tmp_path, clock
):
    campaign = make_campaign()
    poison = queued(campaign, add_target(campaign, "uk"))
    for _ in range(MAX_ATTEMPTS):
        assert claim_queued().package_id == poison  # then the worker dies, each time
        outlive_the_lease(clock)
    following = queued(campaign, add_target(campaign, "ru"))

    assert build_queued_packages(tmp_path) == 1  # only the one that follows is built

    failed = package(poison)
    assert failed.status is PackageStatus.FAILED
    assert f"{MAX_ATTEMPTS} times" in failed.error
    assert package(following).status is PackageStatus.READY


def test_a_package_left_building_before_leases_existed_is_taken_over(app, tmp_path):
    campaign = make_campaign()
    package_id = queued(campaign, add_target(campaign, "en"))
    db.session.execute(
        update(DeliveryPackage)
        .where(DeliveryPackage.id == package_id)
        .values(status=PackageStatus.BUILDING, lease_until=None)
    )
    db.session.commit()

    assert build_queued_packages(tmp_path) == 1
    assert package(package_id).status is PackageStatus.READY


def test_a_build_taken_over_midway_records_nothing_and_frees_the_name(app, tmp_path, clock):
    campaign = make_campaign()
    package_id = queued(campaign, add_target(campaign, "en"))
    slow = claim_queued()
    outlive_the_lease(clock)
    latest = claim_queued()  # another worker takes over while the first is still at it
    assert slow is not None
    assert latest is not None

    build_claimed(slow, tmp_path)  # the slow worker finishes after all

    assert outcome(package_id) == (PackageStatus.BUILDING, 2)
    assert list(tmp_path.iterdir()) == []  # its folder is gone again
    build_claimed(latest, tmp_path)
    built = package(package_id)
    assert built.status is PackageStatus.READY
    assert [folder.name for folder in tmp_path.iterdir()] == [Path(built.folder).name]
    assert len(built_events()) == 1


def test_a_late_build_leaves_the_latest_workers_result_alone(app, tmp_path, clock):
    campaign = make_campaign()
    package_id = queued(campaign, add_target(campaign, "en"))
    slow = claim_queued()
    outlive_the_lease(clock)
    assert build_queued_packages(tmp_path) == 1  # another worker takes over and finishes
    assert slow is not None
    manifest = package(package_id).manifest_sha256

    build_claimed(slow, tmp_path)  # the slow worker finishes last: its name is taken

    after = package(package_id)
    assert after.status is PackageStatus.READY
    assert after.error is None
    assert after.manifest_sha256 == manifest
    assert (Path(after.folder) / "manifest.json").is_file()
    assert len(built_events()) == 1


@pytest.mark.postgresql
def test_a_worker_taken_over_stops_at_its_next_progress_write(app, clock):
    campaign = make_campaign()
    package_id = queued(campaign, add_target(campaign, "en"))
    slow = claim_queued()
    outlive_the_lease(clock)
    claim_queued()
    write = progress_writer(slow)

    with pytest.raises(LeaseLost):
        write(40)
    assert package(package_id).progress == 0  # the latest worker's, untouched


@pytest.mark.postgresql
def test_a_worker_asked_to_stop_hands_its_package_back_at_once(app, tmp_path):
    campaign = make_campaign()
    add_signature(campaign, "Олена Петренко")
    package_id = queued(campaign, add_target(campaign, "uk"))
    stop = threading.Event()
    stop.set()  # a deploy's SIGTERM, while the build is under way

    build_claimed(claim_queued(), tmp_path, stop)

    handed_back = package(package_id)
    assert handed_back.status is PackageStatus.QUEUED
    assert (handed_back.progress, handed_back.lease_until) == (0, None)
    assert list(tmp_path.iterdir()) == []  # nothing half-written left behind
    assert build_queued_packages(tmp_path) == 1  # the next worker need not wait for a lease
    assert package(package_id).status is PackageStatus.READY


@pytest.mark.postgresql
def test_workers_racing_build_each_package_once(app, tmp_path, clock):
    campaign = make_campaign()
    waiting = [queued(campaign, add_target(campaign, "en")) for _ in range(3)]
    abandoned = queued(campaign, add_target(campaign, "uk"))
    db.session.execute(
        update(DeliveryPackage)
        .where(DeliveryPackage.id == abandoned)
        .values(status=PackageStatus.BUILDING, attempt=1, lease_until=clock.now)
    )
    db.session.commit()
    tried: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def work() -> None:
        try:
            with app.app_context():
                start.wait(timeout=10)
                tried.append(build_queued_packages(tmp_path))
                db.session.remove()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    assert sum(tried) == 4
    assert [outcome(package_id) for package_id in waiting] == [(PackageStatus.READY, 1)] * 3
    assert outcome(abandoned) == (PackageStatus.READY, 2)  # taken over once
    assert len(built_events()) == 4


def test_staff_see_a_package_whose_lease_ran_out_as_queued(app, client, clock):
    sign_in_staff(client, make_staff(Role.EXPORTER))
    campaign = make_campaign()
    package_id = queued(campaign, add_target(campaign, "en"))
    claim_queued()
    db.session.execute(
        update(DeliveryPackage).where(DeliveryPackage.id == package_id).values(progress=40)
    )
    db.session.commit()
    assert shown_status(client, package_id) == ("Building", "40")

    outlive_the_lease(clock)

    assert shown_status(client, package_id) == ("Queued", "0")


def shown_status(client, package_id: int) -> tuple[str, str]:
    """The status word and the progress bar's value on the package's staff page."""
    page = client.get(f"/staff/deliveries/{package_id}").get_data(as_text=True)
    status = re.search(r'<dd class="delivery-status">\s*(\w+).*?value="(\d+)"', page, re.S)
    assert status is not None
    return status.group(1), status.group(2)


def built_events() -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "delivery.package_built"))
    )
