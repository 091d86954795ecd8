"""Migrations build exactly the models' schema, and every revision goes down and up again."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import Boolean, Integer, String, column, insert, inspect, select, table

from petition.coalition.representatives import seal_representative
from petition.coalition.services import Membership, PublicDetails, request_membership
from petition.extensions import db
from petition.models import (
    Campaign,
    LinkToken,
    Listing,
    NamesPolicy,
    Organisation,
    OrganisationKind,
    OutboxMessage,
    Signature,
)
from petition.models.types import UTCDateTime
from petition.personal import email_hash, open_representative
from tests.conftest import fresh_database, make_app
from tests.factories import (
    CAMPAIGN_BEFORE_0011,
    CUSTODIAN,
    add_campaign_before_0011,
    complete_campaign,
)


def schema_differences() -> list:
    with db.engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), db.metadata)


def test_upgrade_head_matches_models_and_every_revision_downgrades(tmp_path, smtp_server):
    with fresh_database(tmp_path) as uri:
        app = make_app(uri, smtp_server)
        with app.app_context():
            upgrade()
            assert schema_differences() == []

            script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
            revisions = list(script.walk_revisions())
            for _ in revisions:
                downgrade(revision="-1")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}

            upgrade()
            assert schema_differences() == []
            db.engine.dispose()


# The tables as revision 0005 left them (the models already have the later columns).
AUDIT_EVENT_0005 = table(
    "audit_event",
    column("at", UTCDateTime()),
    column("action", String),
    column("object_type", String),
    column("object_id", String),
    column("detail", String),
)


def status_change(campaign_id: int, at: datetime, detail: str) -> dict[str, object]:
    return {
        "at": at,
        "action": "campaign.updated",
        "object_type": "campaign",
        "object_id": str(campaign_id),
        "detail": detail,
    }


def test_upgrade_to_0006_takes_each_closed_campaigns_closing_from_its_audit_trail(
    tmp_path, smtp_server
):
    start = datetime(2025, 1, 28, 9, 0, tzinfo=UTC)
    closed_on = start + timedelta(days=40, hours=3, minutes=5, seconds=7)
    with fresh_database(tmp_path) as uri:
        app = make_app(uri, smtp_server)
        with app.app_context():
            upgrade(revision="0005")
            campaigns = [
                (1, "closed-by-staff", "closed"),
                (2, "reopened", "open"),
                (3, "closed-without-trail", "closed"),
                (11, "closed-long-ago", "closed"),  # "11" must not be taken for "1"
            ]
            rows = [
                {"id": i, "slug": s, "status": st, "created_at": start} for i, s, st in campaigns
            ]
            events = [
                status_change(1, start + timedelta(days=10), "status open→closed"),
                status_change(1, start + timedelta(days=11), "status closed→open"),
                status_change(1, closed_on, "status open→closed; goal"),
                status_change(1, closed_on + timedelta(days=1), "goal"),
                status_change(2, start + timedelta(days=5), "status open→closed"),
                status_change(2, start + timedelta(days=6), "status closed→open"),
                status_change(11, start + timedelta(days=2), "status open→closed"),
                {**status_change(3, closed_on, "target=1"), "action": "campaign.target_attached"},
            ]
            with db.engine.begin() as connection:
                connection.execute(insert(CAMPAIGN_BEFORE_0011), rows)
                connection.execute(insert(AUDIT_EVENT_0005), events)

            upgrade()
            found = db.session.execute(select(Campaign.slug, Campaign.closed_at)).all()
            assert dict(found) == {
                "closed-by-staff": closed_on,
                "reopened": None,
                "closed-without-trail": None,
                "closed-long-ago": start + timedelta(days=2),
            }
            db.session.remove()
            db.engine.dispose()


# The organisation table as revision 0008 left it: the representative in the clear.
ORGANISATION_0008 = table(
    "organisation",
    *(
        column(name, String)
        for name in (
            "name", "country", "kind", "website", "website_domain", "rep_name", "rep_role",
            "rep_email", "rep_email_normalised", "listing", "status", "lang", "statement_sha256",
        )
    ),
    column("campaign_id", Integer),
    column("founding", Boolean),
    column("links_sent", Integer),
    column("created_at", UTCDateTime()),
)  # fmt: skip


def test_upgrade_to_0009_keeps_representatives_and_finds_them_by_their_address(
    tmp_path, smtp_server
):
    """An organisation signed on before 0009 keeps its representative; a sign-on with the
    same address (spelt otherwise) finds it rather than making a second one, and once its
    decision mail has gone it is sealed like any other, its hashes written then."""
    with fresh_database(tmp_path) as uri:
        app = make_app(uri, smtp_server)
        with app.app_context(), app.test_request_context():
            upgrade(revision="0008")
            campaign_id = add_campaign_before_0011()
            old = {
                "campaign_id": campaign_id, "name": "Old Rights Group", "country": "UA",
                "kind": "human_rights", "website": "https://old.example.org",
                "website_domain": "old.example.org", "rep_name": "Oksana Oldrow",
                "rep_role": "Director", "rep_email": "Oksana@Old.example.org",
                "rep_email_normalised": "oksana@old.example.org", "listing": "public",
                "status": "approved", "lang": "uk", "statement_sha256": "0" * 64,
                "founding": False, "links_sent": 1, "created_at": datetime.now(UTC),
            }  # fmt: skip
            db.session.execute(insert(ORGANISATION_0008), [old])
            db.session.commit()

            upgrade()
            campaign = complete_campaign(db.session.get_one(Campaign, campaign_id))
            kept = db.session.scalars(select(Organisation)).one()
            assert (kept.name, kept.rep_name, kept.rep_role, kept.rep_email) == (
                "Old Rights Group",
                "Oksana Oldrow",
                "Director",
                "Oksana@Old.example.org",
            )
            assert (kept.rep_email_hash, kept.rep_sealed) == (None, None)

            wish = Membership(
                details=PublicDetails("Another Name", None, None, None, Listing.PUBLIC),
                country="UA", kind=OrganisationKind.HUMAN_RIGHTS, rep_name="Someone Else",
                rep_role="Member", rep_email="oksana@OLD.example.org", lang="en",
                statement_sha256="1" * 64,
            )  # fmt: skip
            request_membership(campaign, wish, logo=None)
            db.session.commit()
            assert db.session.scalars(select(Organisation)).one().name == "Old Rights Group"
            queued = db.session.scalars(select(OutboxMessage)).one()
            assert (queued.kind, queued.recipient) == (
                "organisation_manage_link",
                "oksana@OLD.example.org",
            )

            assert seal_representative(kept)
            db.session.commit()
            assert kept.rep_email is None
            assert kept.rep_email_hash == email_hash("oksana@old.example.org")
            assert open_representative(kept.rep_sealed or b"", CUSTODIAN).name == "Oksana Oldrow"
            db.session.remove()
            db.engine.dispose()


TARGET_0009 = table(
    "target",
    *(column(name, String) for name in ("name", "office", "organisation", "lang")),
    *(column(name, String) for name in ("salutation", "postal_address", "email")),
    column("id", Integer),
    column("created_at", UTCDateTime()),
)
CAMPAIGN_TARGET = table(
    "campaign_target", column("campaign_id", Integer), column("target_id", Integer)
)


def test_upgrade_to_0010_keeps_every_party_linked_and_named(tmp_path, smtp_server):
    """Rebuilding the target table (its new CHECK, on SQLite) keeps the campaigns' links to
    it; every party from before is named, as its packages were."""
    with fresh_database(tmp_path) as uri:
        app = make_app(uri, smtp_server)
        with app.app_context():
            upgrade(revision="0009")
            campaign_id = add_campaign_before_0011()
            party = {
                "id": 7, "name": "Old Party", "office": "", "organisation": "", "lang": "en",
                "salutation": "", "postal_address": "", "email": "",
                "created_at": datetime.now(UTC),
            }  # fmt: skip
            db.session.execute(insert(TARGET_0009), [party])
            db.session.execute(
                insert(CAMPAIGN_TARGET), [{"campaign_id": campaign_id, "target_id": 7}]
            )
            db.session.commit()

            upgrade()
            db.session.expire_all()
            [kept] = db.session.get_one(Campaign, campaign_id).targets
            assert (kept.id, kept.name, kept.names_policy) == (7, "Old Party", NamesPolicy.NAMED)
            db.session.remove()
            db.engine.dispose()


SIGNATURE_0016 = table(
    "signature",
    *(column(name, String) for name in ("country", "display", "lang", "status")),
    column("statement_sha256", String),
    column("id", Integer),
    column("campaign_id", Integer),
    column("links_sent", Integer),
    column("wants_updates", Boolean),
    column("created_at", UTCDateTime()),
)
LINK_TOKEN_0016 = table(
    "link_token",
    column("token_hash", String),
    column("purpose", String),
    column("signature_id", Integer),
    column("created_at", UTCDateTime()),
    column("expires_at", UTCDateTime()),
)


def test_upgrade_to_0019_gives_approved_organisations_a_share_code_and_keeps_signatures(
    tmp_path, smtp_server
):
    """Organisations approved before share links existed get a code each (the others
    none); rebuilding the signature table for its new foreign key (on SQLite) keeps every
    signature and the links that point to it, attributed to no partner."""
    with fresh_database(tmp_path) as uri:
        app = make_app(uri, smtp_server)
        with app.app_context():
            upgrade(revision="0016")
            campaign_id = add_campaign_before_0011()
            now = datetime.now(UTC)
            organisation = {
                "campaign_id": campaign_id, "country": "UA", "kind": "human_rights",
                "website": None, "website_domain": None, "rep_name": None, "rep_role": None,
                "rep_email": None, "rep_email_normalised": None, "listing": "public",
                "lang": "en", "statement_sha256": "0" * 64, "founding": False,
                "links_sent": 1, "created_at": now,
            }  # fmt: skip
            db.session.execute(
                insert(ORGANISATION_0008),
                [
                    {**organisation, "name": "Approved A", "status": "approved"},
                    {**organisation, "name": "Approved B", "status": "approved"},
                    {**organisation, "name": "Waiting", "status": "awaiting_review"},
                ],
            )
            signature = {
                "id": 5, "campaign_id": campaign_id, "country": "UA", "display": "anonymous",
                "lang": "en", "status": "confirmed", "statement_sha256": "0" * 64,
                "links_sent": 1, "wants_updates": False, "created_at": now,
            }  # fmt: skip
            db.session.execute(insert(SIGNATURE_0016), [signature])
            token = {
                "token_hash": "ab" * 32, "purpose": "manage_sig", "signature_id": 5,
                "created_at": now, "expires_at": now + timedelta(days=30),
            }  # fmt: skip
            db.session.execute(insert(LINK_TOKEN_0016), [token])
            db.session.commit()

            upgrade()
            codes = dict(
                db.session.execute(select(Organisation.name, Organisation.partner_code)).all()
            )
            assert codes["Waiting"] is None
            assert codes["Approved A"] != codes["Approved B"]
            for name in ("Approved A", "Approved B"):
                assert re.fullmatch(r"[\w-]{14}", codes[name] or "")
            [kept] = db.session.scalars(select(Signature)).all()
            assert (kept.id, kept.partner_id) == (5, None)
            [link] = db.session.scalars(select(LinkToken)).all()
            assert link.signature_id == 5
            db.session.remove()
            db.engine.dispose()
