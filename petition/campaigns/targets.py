"""The negotiating parties (targets): their details, and which ones each campaign addresses.

Like `services.py`: the functions flush, never commit, and record staff actions in the
audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import func, select

from petition import audit
from petition.extensions import db
from petition.models import Campaign, NamesPolicy, StaffUser, Target


class TargetNameTaken(Exception):
    """Another negotiating party already has this name."""


@dataclass(frozen=True)
class TargetFields:
    name: str
    office: str
    organisation: str
    lang: str
    salutation: str
    postal_address: str
    email: str
    names_policy: NamesPolicy = NamesPolicy.NAMED
    addressee: str = ""  # the office in the case the letter needs (the dative in uk, ru)
    person: str = ""
    closing: str = ""


def list_targets() -> list[Target]:
    return list(db.session.scalars(select(Target).order_by(Target.name)))


def get_target(target_id: int) -> Target:
    target: Target = db.get_or_404(Target, target_id)
    return target


def find_target_by_name(name: str) -> Target | None:
    return db.session.scalar(select(Target).where(func.lower(Target.name) == name.lower()))


def create_target(new: TargetFields, *, actor: StaffUser | None) -> Target:
    if find_target_by_name(new.name) is not None:
        raise TargetNameTaken(new.name)
    target = Target(**{f.name: getattr(new, f.name) for f in fields(TargetFields)})
    db.session.add(target)
    db.session.flush()
    audit.record(
        "target.created",
        actor=actor,
        object_type="target",
        object_id=target.id,
        detail=f"lang={target.lang} names_policy={target.names_policy.value}",
    )
    return target


def update_target(target: Target, new: TargetFields, *, actor: StaffUser | None) -> list[str]:
    """Change the party's details; returns the names of the fields that changed."""
    same_name = find_target_by_name(new.name)
    if same_name is not None and same_name.id != target.id:
        raise TargetNameTaken(new.name)
    changed = [
        f.name for f in fields(TargetFields) if getattr(target, f.name) != getattr(new, f.name)
    ]
    for name in changed:
        setattr(target, name, getattr(new, name))
    db.session.flush()
    if changed:
        audit.record(
            "target.updated",
            actor=actor,
            object_type="target",
            object_id=target.id,
            detail=", ".join(
                f"names_policy={new.names_policy.value}" if name == "names_policy" else name
                for name in changed
            ),
        )
    return changed


def target_fields(target: Target) -> TargetFields:
    return TargetFields(**{f.name: getattr(target, f.name) for f in fields(TargetFields)})


@dataclass(frozen=True)
class PartiesByPolicy:
    """Who of a campaign's parties receives its signers' names, and who only numbers."""

    named: list[Target]
    counted: list[Target]


def names_recipients(campaign: Campaign) -> PartiesByPolicy:
    """The campaign's parties by names policy, each in name order: what signers are told."""
    ordered = sorted(campaign.targets, key=lambda target: target.name.casefold())
    return PartiesByPolicy(
        named=[t for t in ordered if t.names_policy is NamesPolicy.NAMED],
        counted=[t for t in ordered if t.names_policy is NamesPolicy.COUNTED],
    )


def attachable_targets(campaign: Campaign) -> list[Target]:
    """The parties the campaign does not address yet."""
    attached = {target.id for target in campaign.targets}
    return [target for target in list_targets() if target.id not in attached]


def attach_target(campaign: Campaign, target: Target, *, actor: StaffUser | None) -> bool:
    """Address `target` in the campaign; False if it already was."""
    if target in campaign.targets:
        return False
    campaign.targets.append(target)
    db.session.flush()
    _record_link("campaign.target_attached", campaign, target, actor)
    return True


def detach_target(campaign: Campaign, target: Target, *, actor: StaffUser | None) -> bool:
    """Stop addressing `target`; False if the campaign did not address it."""
    if target not in campaign.targets:
        return False
    campaign.targets.remove(target)
    db.session.flush()
    _record_link("campaign.target_detached", campaign, target, actor)
    return True


def _record_link(action: str, campaign: Campaign, target: Target, actor: StaffUser | None) -> None:
    audit.record(
        action,
        actor=actor,
        object_type="campaign",
        object_id=campaign.id,
        detail=f"target={target.id}",
    )
