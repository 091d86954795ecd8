"""Unsealing: a campaign's signers as they typed themselves, for one of its custodians.

The server cannot read what signing sealed (`petition.personal`); a custodian brings their
identity for the length of one command, and gets a CSV of every pending and confirmed
signature. The identity is only ever in memory. The CSV is the most sensitive file this
platform makes, so it is written as the identity files are: readable by its owner only,
never over another file unless asked, and it appears only once complete (a failure leaves
nothing behind, not even the rows written so far).

Signatures made before sealing whose details `keys seal-existing` has not sealed yet are
listed from their plaintext columns, so the file always has every signer.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyrage import x25519
from sqlalchemy import Row, func, select

from petition import audit
from petition.cells import inert_cell
from petition.database import in_id_batches
from petition.extensions import db
from petition.models import Campaign, Signature, SignatureStatus
from petition.personal import Details, open_details
from petition.private_files import replaced_privately
from petition.sealing import CannotUnseal, recipient_of
from petition.signing.legacy import legacy_details

# The contract's columns first (ARCHITECTURE.md, Commands), then what helps to match a row
# with the staff console's exports and with the signer's own mail.
COLUMNS = (
    "name",
    "email",
    "city",
    "display",
    "country",
    "status",
    "id",
    "lang",
    "created_at",
    "confirmed_at",
)
LISTED = (SignatureStatus.PENDING, SignatureStatus.CONFIRMED)
# Rows read per transaction: on SQLite every transaction holds the write lock, and signing
# must not wait while a custodian's key opens a whole campaign.
ROWS_PER_BATCH = 1000

_READ = (
    Signature.id,
    Signature.sealed,
    Signature.legacy_name,
    Signature.legacy_email,
    Signature.legacy_city,
    Signature.display,
    Signature.country,
    Signature.status,
    Signature.lang,
    Signature.created_at,
    Signature.confirmed_at,
)


class KeyCannotOpen(Exception):
    """The identity cannot open a record (`what`: a signature's details, a representative):
    it is not one of the campaign's keys, or it was added after that record was sealed."""

    def __init__(self, record_id: int, what: str = "signature") -> None:
        super().__init__(f"{what} {record_id}")
        self.record_id = record_id
        self.what = what


def listed_count(campaign: Campaign) -> int:
    """How many signatures an unsealing lists (for a progress bar)."""
    query = select(func.count()).where(
        Signature.campaign_id == campaign.id, Signature.status.in_(LISTED)
    )
    return db.session.scalar(query) or 0


def unsealed_rows(campaign: Campaign, identity: x25519.Identity) -> Iterator[list[str]]:
    """Every pending and confirmed signature of the campaign, oldest first, as CSV cells in
    COLUMNS' order, each made safe to open in a spreadsheet (`inert_cell`). KeyCannotOpen
    at the first signature `identity` cannot open."""
    for row in _listed(campaign.id):
        details = _details(row, identity)
        cells = (
            details.name,
            details.email,
            details.city or "",
            row.display.value,
            row.country,
            row.status.value,
            str(row.id),
            row.lang,
            moment_cell(row.created_at),
            moment_cell(row.confirmed_at),
        )
        yield [inert_cell(cell) for cell in cells]


def _listed(campaign_id: int) -> Iterator[Row[*tuple[Any, ...]]]:
    """The rows to unseal, read in batches by id, each batch in a transaction of its own
    (an unsealing is a job of the command line, so it ends its own transactions)."""
    query = select(*_READ).where(Signature.campaign_id == campaign_id, Signature.status.in_(LISTED))
    for batch in in_id_batches(query, Signature.id, ROWS_PER_BATCH):
        db.session.commit()
        yield from batch


def _details(row: Row[*tuple[Any, ...]], identity: x25519.Identity) -> Details:
    if row.sealed is None:  # signed before sealing, not sealed yet
        return legacy_details(row.legacy_name, row.legacy_email, row.legacy_city)
    try:
        return open_details(row.sealed, identity)
    except CannotUnseal as error:
        raise KeyCannotOpen(row.id) from error


def moment_cell(value: datetime | None) -> str:
    """A moment as a CSV cell: ISO 8601 in UTC, to the second; empty for none."""
    return "" if value is None else value.astimezone(UTC).isoformat(timespec="seconds")


def write_unsealed(
    out: Path,
    rows: Iterable[Sequence[str]],
    *,
    columns: Sequence[str] = COLUMNS,
    force: bool = False,
) -> int:
    """Write the header (`columns`) and `rows` to a new CSV at `out`, readable by its owner
    only, and return how many rows it has. FileExistsError if `out` exists, unless `force`.
    Whatever goes wrong on the way (a key that cannot open a row, a full disk) leaves
    nothing behind (`replaced_privately`)."""
    with replaced_privately(out, force=force) as fd:
        return _write_csv(fd, columns, rows)


def _write_csv(fd: int, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        written = 0
        for row in rows:
            writer.writerow(row)
            written += 1
    return written


def record_unsealing(campaign: Campaign, identity: x25519.Identity, count: int) -> None:
    """Audit an unsealing: how many signers, and which custodian's key (its public half)."""
    audit.record(
        "campaign.signatures_unsealed",
        actor=None,
        object_type="campaign",
        object_id=campaign.id,
        detail=f"{count} signature(s) with the key {recipient_of(identity)}",
    )
