"""The public delivery log: what was delivered to each negotiating party, and its answer.

Only packages staff marked as sent appear (queued, building, failed and unsent ones never).
Each entry carries totals, never a name: the counts of individuals and organisations, the
names policy it was built with, and the manifest's SHA-256, by which anyone handed the
package can check it is the one delivered. A party is shown by its public title (the
console's label, its office, its institution), never by its contact email or postal address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from petition.extensions import db
from petition.models import DeliveryPackage, NamesPolicy, PackageStatus, Target


@dataclass(frozen=True)
class PublicParty:
    name: str
    office: str
    organisation: str


@dataclass(frozen=True)
class Delivery:
    delivered_on: date
    cutoff_at: datetime
    individuals: int
    organisations: int
    paper: int  # signed on paper, a line of its own in the package
    names_policy: NamesPolicy
    acknowledged_on: date | None
    response_text: str | None
    document_url: str | None
    manifest_sha256: str


@dataclass(frozen=True)
class PartyDeliveries:
    party: PublicParty
    deliveries: list[Delivery]


def delivery_log(campaign_id: int) -> list[PartyDeliveries]:
    """Every party the campaign delivered to, by name, each with its packages by date."""
    query = (
        select(DeliveryPackage)
        .join(DeliveryPackage.target)
        .where(
            DeliveryPackage.campaign_id == campaign_id,
            DeliveryPackage.status == PackageStatus.READY,
            DeliveryPackage.sent_at.is_not(None),
            DeliveryPackage.manifest_sha256.is_not(None),
        )
        .options(joinedload(DeliveryPackage.target))
        .order_by(Target.name, Target.id, DeliveryPackage.sent_at, DeliveryPackage.id)
    )
    parties: dict[int, PartyDeliveries] = {}
    for package in db.session.scalars(query):
        entry = parties.setdefault(
            package.target_id, PartyDeliveries(_public_party(package.target), [])
        )
        entry.deliveries.append(_delivery(package))
    return list(parties.values())


def _public_party(target: Target) -> PublicParty:
    return PublicParty(
        name=target.name, office=target.office.strip(), organisation=target.organisation.strip()
    )


def _delivery(package: DeliveryPackage) -> Delivery:
    # The query selects only packages that were sent and have a manifest.
    assert package.sent_at is not None  # noqa: S101
    assert package.manifest_sha256 is not None  # noqa: S101
    return Delivery(
        delivered_on=package.sent_at.date(),
        cutoff_at=package.cutoff_at,
        individuals=int(package.counts.get("individuals", 0)),
        organisations=int(package.counts.get("organisations", 0)),
        paper=int(package.counts.get("paper", 0)),
        names_policy=package.names_policy,
        acknowledged_on=package.acknowledged_at.date() if package.acknowledged_at else None,
        response_text=package.response_text,
        document_url=package.response_document_url,
        manifest_sha256=package.manifest_sha256,
    )
