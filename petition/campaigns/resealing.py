"""Resealing: a campaign's sealed records, opened with a custodian's key and sealed again to
the campaign's keys as they are now.

A record is sealed once, to the keys registered at that moment: a key added later cannot
open it, and a key removed since (lost, compromised) still can. Resealing brings every
sealed record of the campaign (signatures' details, organisations' representatives) to the
current keys, so a new custodian reads everything and a removed one nothing more.

It goes in two passes, each batch by batch in a transaction of its own (on SQLite every
transaction holds the write lock, and signing must not wait for a whole campaign):

1. The check opens every sealed record and changes nothing. If the keys given cannot open
   all of them (a wrong key, or one added after some were sealed), `KeysCannotOpen` says
   how many and nothing is resealed: half a campaign on new keys and half on old ones
   would leave the custodians unable to tell who can read what.
2. The resealing locks a batch, opens each record again, seals it to the campaign's keys as
   they are in that transaction and writes it back. A record the keys cannot open now was
   sealed after the check had passed it (a new signature, a representative the worker
   sealed meanwhile), so to the current keys already: it is left as it is, and counted.

What the records held before is erased from SQLite's files with each batch
(`erase_traces`); on PostgreSQL old row versions stay in the table files until VACUUM
reuses their space, and in any backup made before (deploy/README.md says what to do).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pyrage import x25519
from sqlalchemy import ColumnElement, Row, Select, func, select, update

from petition import audit
from petition.campaigns.custodians import recipients
from petition.database import erase_traces, in_id_batches
from petition.extensions import db
from petition.models import Campaign, Organisation, Signature
from petition.sealing import CannotUnseal, recipient_of, seal, unseal

ROWS_PER_BATCH = 500


@dataclass(frozen=True)
class Kind:
    """One kind of sealed record: its table, and the column that holds it sealed."""

    name: str
    model: Any
    sealed: Any  # the model's column of sealed bytes

    def sealed_of(self, campaign_id: int) -> tuple[ColumnElement[bool], ...]:
        return (self.model.campaign_id == campaign_id, self.sealed.is_not(None))

    def rows(self, campaign_id: int) -> Select[int, bytes]:
        return select(self.model.id, self.sealed).where(*self.sealed_of(campaign_id))


SIGNATURES = Kind("signatures", Signature, Signature.sealed)
REPRESENTATIVES = Kind("representatives", Organisation, Organisation.rep_sealed)
KINDS = (SIGNATURES, REPRESENTATIVES)


@dataclass(frozen=True)
class Tally:
    """So many records of each kind."""

    signatures: int = 0
    representatives: int = 0

    @property
    def total(self) -> int:
        return self.signatures + self.representatives

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.signatures + other.signatures, self.representatives + other.representatives
        )


def _of(kind: Kind, count: int) -> Tally:
    return Tally(**{kind.name: count})


class KeysCannotOpen(Exception):
    """The keys given cannot open every sealed record of the campaign: nothing was changed."""

    def __init__(self, unopened: Tally, sealed: Tally) -> None:
        super().__init__(f"{unopened.total} of {sealed.total} sealed record(s) do not open")
        self.unopened = unopened
        self.sealed = sealed


class NoKeyToSealTo(Exception):
    """The campaign has no key left to seal to (only a draft can be without one)."""


def sealed_count(campaign: Campaign) -> int:
    """How many sealed records the campaign has (for a progress bar)."""
    return sum(
        db.session.scalar(select(func.count()).where(*kind.sealed_of(campaign.id))) or 0
        for kind in KINDS
    )


def check(campaign: Campaign, identities: Sequence[x25519.Identity]) -> Iterator[int]:
    """Open every sealed record of the campaign with `identities`, changing nothing; yields
    how many were tried after each batch (the caller may show progress), then raises
    KeysCannotOpen if any did not open. The batches end their own transactions.
    NoKeyToSealTo at once if the campaign has no key to reseal to."""
    if not recipients(campaign):
        raise NoKeyToSealTo
    sealed, unopened = Tally(), Tally()
    for kind in KINDS:
        for batch in in_id_batches(kind.rows(campaign.id), kind.model.id, ROWS_PER_BATCH):
            db.session.rollback()  # read only: let writers in between batches
            shut = sum(_opened(record, identities) is None for _id, record in batch)
            sealed += _of(kind, len(batch))
            unopened += _of(kind, shut)
            yield len(batch)
    if unopened.total:
        raise KeysCannotOpen(unopened, sealed)


@dataclass(frozen=True)
class Resealed:
    """What a batch (or a whole run) did: records sealed again to the current keys, and
    records left as they were (sealed since the check, to the current keys already)."""

    resealed: Tally = Tally()
    current: Tally = Tally()

    @property
    def handled(self) -> int:
        return self.resealed.total + self.current.total

    def __add__(self, other: Resealed) -> Resealed:
        return Resealed(self.resealed + other.resealed, self.current + other.current)


def resealed_batches(
    campaign: Campaign, identities: Sequence[x25519.Identity]
) -> Iterator[Resealed]:
    """Reseal every sealed record of the campaign to its keys, a locked batch at a time;
    yields what each batch did, and the caller commits before taking the next. Run it
    after `check` has passed. NoKeyToSealTo if the campaign has no key."""
    for kind in KINDS:
        locked = kind.rows(campaign.id).with_for_update()
        for batch in in_id_batches(locked, kind.model.id, ROWS_PER_BATCH):
            yield _reseal(kind, batch, identities, recipients(campaign))


def _reseal(
    kind: Kind,
    batch: Sequence[Row[int, bytes]],
    identities: Sequence[x25519.Identity],
    keys: Sequence[str],
) -> Resealed:
    if not keys:
        raise NoKeyToSealTo
    changed = []
    for record_id, sealed in batch:
        opened = _opened(sealed, identities)
        if opened is not None:
            changed.append({"id": record_id, kind.sealed.key: seal(opened, keys)})
    if changed:
        db.session.execute(update(kind.model), changed)
        erase_traces()
    return Resealed(resealed=_of(kind, len(changed)), current=_of(kind, len(batch) - len(changed)))


def _opened(sealed: bytes, identities: Sequence[x25519.Identity]) -> bytes | None:
    """The record as it was sealed (the bytes are sealed again as they are), or None if no
    identity opens it."""
    for identity in identities:
        try:
            return unseal(sealed, identity)
        except CannotUnseal:
            continue
    return None


def record_resealing(
    campaign: Campaign, identities: Sequence[x25519.Identity], done: Resealed
) -> None:
    """Audit a resealing: how many records, to how many keys, opened with which keys
    (their public halves); never whom the records name."""
    opened_with = ", ".join(recipient_of(identity) for identity in identities)
    audit.record(
        "campaign.resealed",
        actor=None,
        object_type="campaign",
        object_id=campaign.id,
        detail=(
            f"{done.resealed.signatures} signature(s) and {done.resealed.representatives}"
            f" representative(s) resealed to {len(recipients(campaign))} key(s),"
            f" opened with {opened_with}"
        ),
    )
