"""Retention: personal data is kept only as long as it serves the signer, then removed.

`purge()` applies every rule below with bulk UPDATE/DELETE statements (no row is loaded
into Python), so it costs the same whether it removes ten rows or a million. It is safe to
run again at once (a second run finds nothing left to do) and from several processes at
the same time (each statement is idempotent; one that loses a race simply matches nothing).

The rules, each with the setting that tunes it (read with `current_app.config.get`):

- Unconfirmed signatures and organisation sign-ons, with their links and queued mail, once
  their last activity (the submission, a link or a mail queued for them) is older than
  RETENTION_UNCONFIRMED_DAYS (7).
- Link tokens that expired or were used more than RETENTION_SPENT_LINK_DAYS (7) ago.
- Client-address hashes are emptied on signatures older than RETENTION_CLIENT_HASH_DAYS (30).
  Their keys are never in the database: each expires with its day (petition/privacy.py).
- Sent or failed mail more than RETENTION_OUTBOX_DAYS (7) old; done mail never keeps an
  address, even for those seven days.
- RETENTION_AFTER_CLOSE_DAYS (180) after a campaign closed or its last delivery package,
  whichever is later (see `erasure_anchor`): everything personal of its signers (the sealed
  details, shown names, address hashes and domains, client hashes) and the names, roles
  and addresses of its organisations' representatives are erased. Country, status, dates,
  language and statement hash stay, so every count and published figure stays the same,
  as do the delivery records.
- Staff sessions that ended more than RETENTION_STAFF_SESSION_DAYS (30) ago.
- Stored logo files no organisation refers to, older than RETENTION_ORPHAN_LOGO_HOURS (24).

What was removed is logged as counts only, never as rows. On SQLite, a rule that removed
anything also has it leave the database's files (`petition.database.erase_traces`).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, delete, exists, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import aliased
from sqlalchemy.sql.dml import Delete, Update

from petition.coalition.logos import is_logo_name, logo_folder
from petition.database import erase_traces
from petition.extensions import db
from petition.models import (
    Campaign,
    CampaignStatus,
    DeliveryPackage,
    LinkToken,
    Organisation,
    OrganisationStatus,
    OutboxMessage,
    OutboxStatus,
    Signature,
    SignatureStatus,
    StaffSession,
)
from petition.models.organisation import REPRESENTATIVE_COLUMNS
from petition.models.signature import PERSONAL_COLUMNS
from petition.models.types import utcnow

log = logging.getLogger("petition.retention")


# What `store_logo` leaves behind if the process dies mid-write (tempfile.mkstemp's names).
_UNFINISHED_LOGO = re.compile(r"\.upload-[a-z0-9_]+\.tmp")


def setting(name: str) -> int:
    """A retention period (`RETENTION_*`): its default is in `petition.config.Settings`."""
    return int(current_app.config[name])


def _days(name: str) -> timedelta:
    return timedelta(days=setting(name))


def _hours(name: str) -> timedelta:
    return timedelta(hours=setting(name))


def _run(statement: Update | Delete) -> int:
    """Execute one bulk statement without touching objects in the session; rows affected."""
    result = db.session.execute(statement, execution_options={"synchronize_session": False})
    assert isinstance(result, CursorResult)  # noqa: S101 - DML always gives a cursor result
    return int(result.rowcount)


@dataclass
class PurgeReport:
    """How many rows (or files) each rule removed or emptied, in the order they ran."""

    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        return ", ".join(f"{name}={count}" for name, count in self.counts.items())


# The rules. Each takes "now", changes the session with bulk statements and returns counts.


def delete_unconfirmed_signatures(now: datetime) -> dict[str, int]:
    """Pending signatures whose last activity is older than the limit, with what hangs off
    them. A signer who asked for a fresh link yesterday keeps it working: the link (or the
    mail queued to carry it) is activity too."""
    cutoff = now - _days("RETENTION_UNCONFIRMED_DAYS")
    token, mail = aliased(LinkToken), aliased(OutboxMessage)
    stale = select(Signature.id).where(
        Signature.status == SignatureStatus.PENDING,
        Signature.created_at < cutoff,
        ~exists().where(token.signature_id == Signature.id, token.created_at >= cutoff),
        ~exists().where(mail.signature_id == Signature.id, mail.created_at >= cutoff),
    )
    return {
        "unconfirmed_signature_links": _run(
            delete(LinkToken).where(LinkToken.signature_id.in_(stale))
        ),
        "unconfirmed_signature_mail": _run(
            delete(OutboxMessage).where(OutboxMessage.signature_id.in_(stale))
        ),
        # Children go first; the foreign keys cascade anyway if one was added meanwhile.
        "unconfirmed_signatures": _run(delete(Signature).where(Signature.id.in_(stale))),
    }


def delete_unconfirmed_organisations(now: datetime) -> dict[str, int]:
    """The same rule for organisation sign-ons whose representative never confirmed."""
    cutoff = now - _days("RETENTION_UNCONFIRMED_DAYS")
    token, mail = aliased(LinkToken), aliased(OutboxMessage)
    merged = aliased(Organisation)
    stale = select(Organisation.id).where(
        Organisation.status == OrganisationStatus.PENDING,
        Organisation.created_at < cutoff,
        ~exists().where(token.organisation_id == Organisation.id, token.created_at >= cutoff),
        ~exists().where(mail.organisation_id == Organisation.id, mail.created_at >= cutoff),
        ~exists().where(merged.merged_into_id == Organisation.id),
    )
    return {
        "unconfirmed_organisation_links": _run(
            delete(LinkToken).where(LinkToken.organisation_id.in_(stale))
        ),
        "unconfirmed_organisation_mail": _run(
            delete(OutboxMessage).where(OutboxMessage.organisation_id.in_(stale))
        ),
        "unconfirmed_organisations": _run(delete(Organisation).where(Organisation.id.in_(stale))),
    }


def delete_spent_links(now: datetime) -> dict[str, int]:
    """Links that expired, or were used, more than a week ago: they lead nowhere now."""
    cutoff = now - _days("RETENTION_SPENT_LINK_DAYS")
    spent = or_(LinkToken.expires_at < cutoff, LinkToken.used_at < cutoff)
    return {"spent_links": _run(delete(LinkToken).where(spent))}


def empty_client_hashes(now: datetime) -> dict[str, int]:
    cutoff = now - _days("RETENTION_CLIENT_HASH_DAYS")
    statement = (
        update(Signature)
        .where(Signature.client_hash.is_not(None), Signature.created_at < cutoff)
        .values(client_hash=None)
    )
    return {"client_hashes": _run(statement)}


def delete_done_mail(now: datetime) -> dict[str, int]:
    """Sent or failed mail: its address is forgotten at once (the worker does this too, so
    this only catches stragglers), the row itself after a week. A failed message has no
    time of failure; its last lease (`next_attempt_at`) ends just after it, so that stands in."""
    cutoff = now - _days("RETENTION_OUTBOX_DAYS")
    done = OutboxMessage.status.in_((OutboxStatus.SENT, OutboxStatus.FAILED))
    finished_at = func.coalesce(OutboxMessage.sent_at, OutboxMessage.next_attempt_at)
    forget = (
        update(OutboxMessage)
        .where(done, OutboxMessage.recipient.is_not(None))
        .values(recipient=None, payload={})
    )
    return {
        "done_mail_addresses": _run(forget),
        "done_mail": _run(delete(OutboxMessage).where(done, finished_at < cutoff)),
    }


def closed_since(campaign: Campaign) -> datetime:
    """When a closed campaign stopped taking signatures, as well as we can tell.

    The moment staff last closed it (`closed_at`), else its scheduled closing time, else the
    last sign-on it received (it was certainly open until then), else its creation.
    """
    if campaign.closed_at is not None:
        return campaign.closed_at
    if campaign.closes_at is not None:
        return campaign.closes_at
    last_activity = [
        db.session.scalar(
            select(func.max(model.created_at)).where(model.campaign_id == campaign.id)
        )
        for model in (Signature, Organisation)
    ]
    return max([campaign.created_at, *(when for when in last_activity if when is not None)])


def last_delivery_package(campaign: Campaign) -> datetime | None:
    """The latest moment any delivery package of the campaign was asked for, built or sent
    (a package being built still reads the signers' names, so it counts from its request)."""
    row = db.session.execute(
        select(
            func.max(DeliveryPackage.created_at),
            func.max(DeliveryPackage.generated_at),
            func.max(DeliveryPackage.sent_at),
        ).where(DeliveryPackage.campaign_id == campaign.id)
    ).one()
    moments = [moment for moment in row if moment is not None]
    return max(moments) if moments else None


def erasure_anchor(campaign: Campaign) -> datetime:
    """The moment RETENTION_AFTER_CLOSE_DAYS counts from: the campaign's closing or its last
    delivery package, whichever is later. Personal data is kept for the period after the
    last package built from it, never less, and never erased under a package being built."""
    candidates = [closed_since(campaign), last_delivery_package(campaign)]
    return max(moment for moment in candidates if moment is not None)


def _holds(*columns: Any) -> ColumnElement[bool]:
    return or_(*(column.is_not(None) for column in columns))


def erase_closed_campaigns(now: datetime) -> dict[str, int]:
    """Erase the personal data of closed campaigns whose retention period has run out."""
    period = _days("RETENTION_AFTER_CLOSE_DAYS")
    closed = db.session.scalars(select(Campaign).where(Campaign.status == CampaignStatus.CLOSED))
    due = [c.id for c in closed if erasure_anchor(c) + period <= now]
    counts = {
        "erased_signers": 0,
        "erased_representatives": 0,
        "erased_campaign_mail": 0,
        "erased_package_files": 0,
    }
    if not due:
        return counts
    signers = Signature.campaign_id.in_(due)
    representatives = Organisation.campaign_id.in_(due)
    queued = OutboxMessage.status == OutboxStatus.QUEUED
    counts["erased_campaign_mail"] = _run(
        delete(OutboxMessage).where(
            queued,
            or_(
                OutboxMessage.signature_id.in_(select(Signature.id).where(signers)),
                OutboxMessage.organisation_id.in_(select(Organisation.id).where(representatives)),
            ),
        )
    )
    signature_data = tuple(getattr(Signature, column) for column in PERSONAL_COLUMNS)
    counts["erased_signers"] = _run(
        update(Signature)
        .where(signers, _holds(*signature_data))
        .values(dict.fromkeys(signature_data))
    )
    representative_data = tuple(getattr(Organisation, c) for c in REPRESENTATIVE_COLUMNS)
    counts["erased_representatives"] = _run(
        update(Organisation)
        .where(representatives, _holds(*representative_data))
        .values(dict.fromkeys(representative_data))
    )
    counts["erased_package_files"] = erase_package_files(due)
    return counts


def erase_package_files(campaign_ids: list[int]) -> int:
    """Delivered packages hold names: their files go, their records (counts, hashes) stay."""
    packages = list(
        db.session.scalars(
            select(DeliveryPackage).where(
                DeliveryPackage.campaign_id.in_(campaign_ids), DeliveryPackage.folder.is_not(None)
            )
        )
    )
    for package in packages:
        shutil.rmtree(package.folder or "", ignore_errors=True)
        package.folder = None
    return len(packages)


def delete_ended_staff_sessions(now: datetime) -> dict[str, int]:
    """Sessions that ended over 30 days ago. One nobody signed out of ended when it went
    idle, which was at the latest STAFF_IDLE_MINUTES after it was last seen."""
    cutoff = now - _days("RETENTION_STAFF_SESSION_DAYS")
    idle = timedelta(minutes=int(current_app.config["STAFF_IDLE_MINUTES"]))
    ended = or_(
        StaffSession.ended_at < cutoff,
        and_(StaffSession.ended_at.is_(None), StaffSession.last_seen_at < cutoff - idle),
    )
    return {"staff_sessions": _run(delete(StaffSession).where(ended))}


RULES: tuple[Callable[[datetime], dict[str, int]], ...] = (
    delete_unconfirmed_signatures,
    delete_unconfirmed_organisations,
    delete_spent_links,
    empty_client_hashes,
    delete_done_mail,
    erase_closed_campaigns,
    delete_ended_staff_sessions,
)


def delete_orphan_logos(now: datetime) -> dict[str, int]:
    """Logo files no organisation refers to (replaced, or their sign-on deleted) and left
    unfinished uploads. A file younger than the limit may belong to a sign-on still being
    saved, so it stays. Only names we could have made are ever touched."""
    folder = logo_folder()
    if not folder.is_dir():
        return {"orphan_logos": 0}
    in_use = set(
        db.session.scalars(select(Organisation.logo).where(Organisation.logo.is_not(None)))
    )
    cutoff = (now - _hours("RETENTION_ORPHAN_LOGO_HOURS")).timestamp()
    removed = 0
    with os.scandir(folder) as entries:
        for entry in entries:
            ours = is_logo_name(entry.name) or _UNFINISHED_LOGO.fullmatch(entry.name)
            if not ours or entry.name in in_use or not entry.is_file(follow_symlinks=False):
                continue
            try:
                if entry.stat(follow_symlinks=False).st_mtime >= cutoff:
                    continue
                os.unlink(entry.path)
            except FileNotFoundError:
                continue  # another purge removed it first
            removed += 1
    return {"orphan_logos": removed}


def purge(now: datetime | None = None) -> PurgeReport:
    """Apply every retention rule, committing after each: what a rule removed stays removed
    even if a later rule fails (it raises; the next run starts over, which is harmless).

    It is a job, not a service inside someone's request, so it owns its transactions.
    """
    now = now or utcnow()
    report = PurgeReport()
    for rule in RULES:
        try:
            counts = rule(now)
            if any(counts.values()):
                erase_traces()
            report.counts.update(counts)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    # Files last, after the rows that referred to them are gone for good.
    report.counts.update(delete_orphan_logos(now))
    log.info("purge removed: %s", report.summary())
    return report


class PurgeSchedule:
    """When a long-running worker purges: at start, then once per interval (in-process).

    Several workers each keep their own schedule; purging more often than that is harmless.
    """

    def __init__(self, interval: timedelta) -> None:
        self.interval = interval
        self.last_run: datetime | None = None

    @classmethod
    def from_config(cls) -> PurgeSchedule:
        minutes = current_app.config["PURGE_INTERVAL_MINUTES"]
        return cls(timedelta(minutes=float(minutes)))

    def is_due(self, now: datetime) -> bool:
        if self.last_run is None or now < self.last_run:  # first run, or the clock went back
            return True
        return now - self.last_run >= self.interval

    def run_if_due(self, now: datetime | None = None) -> PurgeReport | None:
        """Purge if due. A failure is logged (its type only: a database error's text can
        hold values) and retried at the next interval, never crashing the mail worker."""
        now = now or utcnow()
        if not self.is_due(now):
            return None
        self.last_run = now
        try:
            return purge(now)
        except Exception as error:
            db.session.rollback()
            log.warning("purge failed (%s); will try again later", type(error).__name__)
            return None
