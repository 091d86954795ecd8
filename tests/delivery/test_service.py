"""The package service called directly, as a second caller (the command line, an API) would:
it leaves the same audit trail as the console."""

from __future__ import annotations

from sqlalchemy import func, select

from petition.delivery import service
from petition.extensions import db
from petition.models import AuditEvent, PackageStatus, Role
from tests.delivery.outputs import CUTOFF, add_target
from tests.factories import make_campaign, make_staff


def test_every_action_records_its_audit_event(app):
    campaign = make_campaign()
    before = db.session.scalar(select(func.max(AuditEvent.id)))  # the campaign's own events
    target = add_target(campaign, "uk")
    exporter = make_staff(Role.EXPORTER)
    [package] = service.queue_packages(campaign, str(target.id), cutoff=CUTOFF, actor=exporter)
    package.status = PackageStatus.READY
    record = service.DeliveryRecord(sent_at=CUTOFF, acknowledged_at=None, note=" by hand ")
    assert service.update_delivery(package, record, actor=exporter) == ["sent", "note"]
    assert service.update_delivery(package, record, actor=exporter) == []
    assert service.save_letter(campaign, "uk", "Шановні колеги з {target}!", actor=exporter)
    assert not service.save_letter(campaign, "uk", "Шановні колеги з {target}!\r\n", actor=exporter)
    ours = select(AuditEvent).where(AuditEvent.id > before).order_by(AuditEvent.id)
    events = db.session.scalars(ours).all()
    assert [(event.action, event.actor_id) for event in events] == [
        ("delivery.queued", exporter.id),
        ("delivery.sent", exporter.id),
        ("delivery.note_updated", exporter.id),
        ("letter_template.updated", exporter.id),
    ]
    assert service.unknown_placeholders("{target} {nobody} {nobody} {date}") == ["nobody"]
