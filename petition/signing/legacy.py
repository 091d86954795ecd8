"""Signatures made before sealing: sealing the details they kept in the clear.

Until migration 0008 a signature held the signer's name, address and city as plain columns
(`Signature.legacy_*`). `seal_legacy_batch` seals a batch of them to the campaign's
custodians, fills in what signing fills in now (the shown name, the keyed hashes, the
domain), empties the plain columns and, on SQLite, has them leave the database's files.
The command (`keys seal-existing`) commits batch after batch until none is left, so a large
campaign never waits on one long transaction, and a second run finds nothing to do.

Between the upgrade and the sealing a signer may have signed again: the new signature could
not find the old one, which had no hash yet. They are one person, and one signature must
stay (ARCHITECTURE.md, data rules): the earlier, as signing would have kept it, unless only
the later one was confirmed, since that is what the signer confirmed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, func, select

from petition import audit
from petition.campaigns.counts import counts_changed
from petition.campaigns.custodians import recipients
from petition.campaigns.services import CampaignHasNoCustodian
from petition.database import erase_traces
from petition.extensions import db
from petition.models import Campaign, Signature, SignatureStatus
from petition.personal import Details, email_hash, person_columns

BATCH_SIZE = 500
LEGACY_COLUMNS = ("legacy_name", "legacy_email", "legacy_email_normalised", "legacy_city")


@dataclass(frozen=True)
class SealingDone:
    """What a batch (or a whole run) did: signatures sealed, and duplicates removed."""

    sealed: int = 0
    duplicates: int = 0
    handled: int = 0  # plaintext signatures done with: sealed, or removed as a duplicate

    def __add__(self, other: SealingDone) -> SealingDone:
        return SealingDone(
            self.sealed + other.sealed,
            self.duplicates + other.duplicates,
            self.handled + other.handled,
        )


def _in_the_clear(campaign_id: int) -> tuple[ColumnElement[bool], ...]:
    return (
        Signature.campaign_id == campaign_id,
        Signature.sealed.is_(None),
        Signature.legacy_email.is_not(None),
    )


def legacy_count(campaign: Campaign) -> int:
    """How many of the campaign's signatures still hold their details in the clear."""
    query = select(func.count()).where(*_in_the_clear(campaign.id))
    return db.session.scalar(query) or 0


def seal_legacy_batch(campaign: Campaign, size: int = BATCH_SIZE) -> SealingDone:
    """Seal up to `size` plaintext signatures of the campaign (the caller commits); nothing
    is handled once none is left. CampaignHasNoCustodian if there is no key to seal to."""
    keys = recipients(campaign)
    if not keys:
        raise CampaignHasNoCustodian(campaign.slug)
    query = (
        select(Signature)
        .where(*_in_the_clear(campaign.id))
        .order_by(Signature.id)
        .limit(size)
        .with_for_update()
    )
    batch = list(db.session.scalars(query))
    keyed = {signature.id: email_hash(signature.legacy_email or "") for signature in batch}
    later = _signed_again(campaign.id, list(keyed.values()))
    done = SealingDone()
    for signature in batch:
        done += _seal_one(signature, later.get(keyed[signature.id]), keys)
    db.session.flush()
    if done.handled:
        erase_traces()
    if done.duplicates:
        counts_changed(campaign.id)
    return done


def _signed_again(campaign_id: int, hashes: list[str]) -> dict[str, Signature]:
    """The signatures made since the upgrade by people of `hashes` (they have a hash)."""
    query = select(Signature).where(
        Signature.campaign_id == campaign_id, Signature.email_hash.in_(hashes)
    )
    return {s.email_hash: s for s in db.session.scalars(query) if s.email_hash}


def _seal_one(signature: Signature, again: Signature | None, keys: Sequence[str]) -> SealingDone:
    """Seal the signature, unless its signer signed `again` since: then one of them stays."""
    if again is None:
        _seal(signature, keys)
        return SealingDone(sealed=1, handled=1)
    if _keeps_the_later(signature, again):
        _remove(signature)
        return SealingDone(duplicates=1, handled=1)
    _remove(again)
    _seal(signature, keys)
    return SealingDone(sealed=1, duplicates=1, handled=1)


def _keeps_the_later(earlier: Signature, later: Signature) -> bool:
    return earlier.status is SignatureStatus.PENDING and later.status is SignatureStatus.CONFIRMED


def _remove(signature: Signature) -> None:
    """Delete at once (its links and mail go with it): the hash it holds, or is about to
    take, must be free before the other signature takes it."""
    db.session.execute(delete(Signature).where(Signature.id == signature.id))


def legacy_details(name: str | None, email: str | None, city: str | None) -> Details:
    """What a signature made before sealing holds in the clear, as signing seals it."""
    return Details(name=name or "", email=email or "", city=city or None)


def _seal(signature: Signature, keys: Sequence[str]) -> None:
    details = legacy_details(signature.legacy_name, signature.legacy_email, signature.legacy_city)
    for column, value in person_columns(details, signature.display, keys).items():
        setattr(signature, column, value)
    for column in LEGACY_COLUMNS:
        setattr(signature, column, None)


def record_sealing(campaign: Campaign, done: SealingDone) -> None:
    audit.record(
        "campaign.signatures_sealed",
        actor=None,
        object_type="campaign",
        object_id=campaign.id,
        detail=f"{done.sealed} sealed, {done.duplicates} duplicate(s) removed",
    )
