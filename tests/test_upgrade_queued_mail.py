"""Upgrading to sealed signatures (0008): mail queued before it still reaches its signer,
and no migration's table rebuild takes the rows that refer to the table along."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import JSON, Boolean, Integer, String, column, insert, select, table

from petition.extensions import db
from petition.mail.outbox import enqueue
from petition.models import OutboxMessage, Signature, SignatureStatus
from petition.models.types import UTCDateTime
from tests.conftest import fresh_database, make_app
from tests.factories import make_campaign, make_signature

AT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
# The tables as revision 0007 left them.
CAMPAIGN = table(
    "campaign",
    column("id", Integer),
    column("slug", String),
    column("status", String),
    column("created_at", UTCDateTime()),
)
SIGNATURE = table(
    "signature",
    *(column(name, String) for name in ("name", "email", "email_normalised", "country")),
    *(column(name, String) for name in ("display", "lang", "statement_sha256", "status")),
    column("id", Integer),
    column("campaign_id", Integer),
    column("links_sent", Integer),
    column("wants_updates", Boolean),
    column("created_at", UTCDateTime()),
)
OUTBOX = table(
    "outbox_message",
    *(column(name, String) for name in ("kind", "lang", "recipient", "status")),
    column("payload", JSON),
    column("id", Integer),
    column("signature_id", Integer),
    column("attempts", Integer),
    column("next_attempt_at", UTCDateTime()),
    column("created_at", UTCDateTime()),
)


def old_signature(number: int, email: str) -> dict[str, object]:
    return {
        "id": number,
        "campaign_id": 1,
        "name": f"Old Signer {number}",
        "email": email,
        "email_normalised": email.lower(),
        "country": "UA",
        "display": "anonymous",
        "lang": "en",
        "statement_sha256": "0" * 64,
        "status": "pending",
        "links_sent": 1,
        "wants_updates": False,
        "created_at": AT,
    }


def old_mail(number: int, status: str, recipient: str | None = None) -> dict[str, object]:
    return {
        "id": number,
        "kind": "confirm_signature",
        "lang": "en",
        "recipient": recipient,
        "payload": {},
        "status": status,
        "signature_id": number,
        "attempts": 0,
        "next_attempt_at": AT,
        "created_at": AT,
    }


def test_mail_queued_before_the_upgrade_gets_its_address(tmp_path, smtp_server):
    with fresh_database(tmp_path) as uri:
        app = make_app(uri, smtp_server)
        with app.app_context():
            upgrade(revision="0007")
            with db.engine.begin() as connection:
                connection.execute(
                    insert(CAMPAIGN), [{"id": 1, "slug": "old", "status": "open", "created_at": AT}]
                )
                connection.execute(
                    insert(SIGNATURE),
                    [old_signature(1, "waiting@example.org"), old_signature(2, "sent@example.org")],
                )
                connection.execute(insert(OUTBOX), [old_mail(1, "queued"), old_mail(2, "sent")])

            upgrade()
            assert set(db.session.scalars(select(Signature.id))) == {1, 2}
            found = db.session.execute(select(OutboxMessage.id, OutboxMessage.recipient)).all()
            # The sent one stays without: a done message never keeps an address.
            assert dict(found) == {1: "waiting@example.org", 2: None}
            db.session.remove()
            db.engine.dispose()


def test_a_table_rebuilt_by_a_migration_keeps_the_rows_that_refer_to_it(tmp_path, smtp_server):
    """Going down to 0007 rebuilds `signature` on SQLite; its queued mail must survive."""
    with fresh_database(tmp_path) as uri:
        app = make_app(uri, smtp_server)
        with app.app_context():
            upgrade()
            signature_id = make_signature(make_campaign(), status=SignatureStatus.PENDING).id
            enqueue(
                "confirm_signature", lang="en", recipient="x@example.org", signature_id=signature_id
            )
            db.session.commit()
            db.session.remove()

            downgrade(revision="0007")
            assert db.session.execute(select(OUTBOX.c.signature_id)).scalars().all() == [
                signature_id
            ]
            db.session.remove()
            db.engine.dispose()
