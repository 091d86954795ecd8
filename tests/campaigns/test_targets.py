"""The negotiating parties' service records every change in the audit trail itself."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from petition.campaigns import targets
from petition.extensions import db
from petition.models import AuditEvent, NamesPolicy, Role
from tests.factories import make_campaign, make_staff

UN = targets.TargetFields(
    name="UN Secretary-General",
    office="Secretary-General",
    organisation="United Nations",
    lang="en",
    salutation="",
    postal_address="",
    email="",
)
LINKS = ("campaign.target_attached", "campaign.target_detached")


def details(action: str) -> list[tuple[str | None, str | None, str]]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return [(e.object_type, e.object_id, e.detail) for e in db.session.scalars(query)]


def test_adding_editing_and_linking_a_party_are_audited(app):
    moderator = make_staff(Role.MODERATOR)
    campaign = make_campaign()
    target = targets.create_target(UN, actor=moderator)
    new = replace(UN, salutation="Dear Secretary-General,", email="sg@un.example.org")
    assert targets.update_target(target, new, actor=moderator) == ["salutation", "email"]
    assert targets.update_target(target, new, actor=moderator) == []
    assert targets.attach_target(campaign, target, actor=moderator)
    assert not targets.attach_target(campaign, target, actor=moderator)
    assert targets.detach_target(campaign, target, actor=moderator)
    assert not targets.detach_target(campaign, target, actor=moderator)
    db.session.commit()

    party, linked = str(target.id), str(campaign.id)
    assert details("target.created") == [("target", party, "lang=en names_policy=named")]
    assert details("target.updated") == [("target", party, "salutation, email")]
    link = ("campaign", linked, f"target={target.id}")
    assert details("campaign.target_attached") == details("campaign.target_detached") == [link]
    ours = AuditEvent.action.in_(["target.created", "target.updated", *LINKS])
    assert set(db.session.scalars(select(AuditEvent.actor_id).where(ours))) == {moderator.id}


def test_a_taken_name_is_refused_and_not_audited(app):
    targets.create_target(UN, actor=None)
    with pytest.raises(targets.TargetNameTaken):
        targets.create_target(replace(UN, name="un secretary-general"), actor=None)
    assert len(details("target.created")) == 1


def test_a_policy_change_is_audited_with_the_new_policy(app):
    target = targets.create_target(UN, actor=None)
    counted = replace(UN, names_policy=NamesPolicy.COUNTED, email="sg@un.example.org")
    assert targets.update_target(target, counted, actor=None) == ["email", "names_policy"]
    assert details("target.updated") == [("target", str(target.id), "email, names_policy=counted")]


def test_signers_are_told_who_of_the_campaigns_parties_receives_names(app):
    campaign = make_campaign()
    for name, policy in (
        ("Zeta Office", NamesPolicy.NAMED),
        ("Kremlin Desk", NamesPolicy.COUNTED),
        ("alpha Office", NamesPolicy.NAMED),
    ):
        party = targets.create_target(replace(UN, name=name, names_policy=policy), actor=None)
        targets.attach_target(campaign, party, actor=None)
    targets.create_target(
        replace(UN, name="Not Addressed", names_policy=NamesPolicy.COUNTED), actor=None
    )

    told = targets.names_recipients(campaign)
    assert [t.name for t in told.named] == ["alpha Office", "Zeta Office"]
    assert [t.name for t in told.counted] == ["Kremlin Desk"]
