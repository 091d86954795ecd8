"""What staff do to delivery packages: queue them, download them, record that they were
sent and acknowledged, and the party's response; and the cover letter's wording per campaign.

Each action records its audit event here, so that every caller (console, command line)
leaves the same trail; the caller commits. `background` builds what is queued."""

from __future__ import annotations

import hashlib
import re
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from sqlalchemy import select

from petition import audit
from petition.delivery.background import queue_package
from petition.delivery.package import MANIFEST, pick_targets
from petition.delivery.wording import PLACEHOLDERS, wording
from petition.extensions import db
from petition.models import (
    Campaign,
    DeliveryPackage,
    LetterTemplate,
    PackageStatus,
    Signatory,
    StaffUser,
    Target,
)

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # every entry gets the same time: the same package, same bytes
CHUNK = 1 << 16
PLACEHOLDER = re.compile(r"\{([^{}\s]*)\}")


class PackageNotReady(Exception):
    """The package has no finished files to download or to mark as sent."""


class PackageAltered(Exception):
    """A file on disk no longer has the SHA-256 recorded when the package was built."""


class PackageNotSent(Exception):
    """A response can only be recorded for a package marked as sent."""


class DocumentNotPublic(ValueError):
    """The response's document address is not a plain https:// address of a public site."""


@dataclass(frozen=True)
class CampaignDeliveries:
    campaign: Campaign
    targets: list[Target]
    packages: list[DeliveryPackage]


@dataclass(frozen=True)
class DeliveryRecord:
    sent_at: datetime | None
    acknowledged_at: datetime | None
    note: str


def campaign_deliveries() -> list[CampaignDeliveries]:
    """Every campaign with its targets and its packages, newest package first."""
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.created_at.desc()))
    packages = db.session.scalars(
        select(DeliveryPackage).order_by(
            DeliveryPackage.created_at.desc(), DeliveryPackage.id.desc()
        )
    ).all()
    return [
        CampaignDeliveries(
            campaign=campaign,
            targets=list(campaign.targets),
            packages=[p for p in packages if p.campaign_id == campaign.id],
        )
        for campaign in campaigns
    ]


def queue_packages(
    campaign: Campaign, choice: str, *, cutoff: datetime, actor: StaffUser
) -> list[DeliveryPackage]:
    """Queue one package per chosen target (a target's id or "all") for the worker.

    Raises `PackageError` when the choice names no target of the campaign."""
    packages = [
        queue_package(campaign, target, cutoff=cutoff, actor=actor)
        for target in pick_targets(campaign, choice)
    ]
    db.session.flush()
    for package in packages:
        audit.record(
            "delivery.queued",
            actor=actor,
            object_type="delivery_package",
            object_id=package.id,
            detail=f"campaign={campaign.id} target={package.target_id} cutoff={cutoff.isoformat()}",
        )
    return packages


def is_pending(package: DeliveryPackage) -> bool:
    return package.status in (PackageStatus.QUEUED, PackageStatus.BUILDING)


def zip_name(package: DeliveryPackage) -> str:
    return f"{Path(package.folder or f'package-{package.id}').name}.zip"


def package_zip(package: DeliveryPackage) -> IO[bytes]:
    """The package's files and manifest as a ZIP in an anonymous temporary file (deleted
    when closed), in a fixed order with fixed times; each file is checked against its hash."""
    if package.status is not PackageStatus.READY or not package.folder:
        raise PackageNotReady
    folder = Path(package.folder)
    expected = dict(package.files)
    if package.manifest_sha256:
        expected[MANIFEST] = package.manifest_sha256
    prefix = folder.name
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (closed by send_file after the response)
    try:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(expected):
                if Path(name).name != name or not (folder / name).is_file():
                    raise PackageAltered(name)
                info = zipfile.ZipInfo(f"{prefix}/{name}", date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                digest = hashlib.sha256()
                with (folder / name).open("rb") as source, archive.open(info, "w") as entry:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        entry.write(chunk)
                if digest.hexdigest() != expected[name]:
                    raise PackageAltered(name)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle


def download_package(package: DeliveryPackage, *, actor: StaffUser) -> IO[bytes]:
    """The package as a ZIP (`package_zip`), its download recorded in the audit trail.

    Raises `PackageNotReady` and `PackageAltered`, and then records nothing."""
    archive = package_zip(package)
    audit.record(
        "delivery.downloaded",
        actor=actor,
        object_type="delivery_package",
        object_id=package.id,
        detail=f"manifest={package.manifest_sha256}",
    )
    return archive


def update_delivery(
    package: DeliveryPackage, new: DeliveryRecord, *, actor: StaffUser
) -> list[str]:
    """Record when the package was sent and acknowledged, and a note; audit each change.
    Returns the names of what changed."""
    if package.status is not PackageStatus.READY:
        raise PackageNotReady
    changes: list[tuple[str, str]] = []
    if new.sent_at != package.sent_at:
        package.sent_at = new.sent_at
        changes.append(("delivery.sent", f"sent={_day(new.sent_at)}"))
    if new.acknowledged_at != package.acknowledged_at:
        package.acknowledged_at = new.acknowledged_at
        changes.append(("delivery.acknowledged", f"acknowledged={_day(new.acknowledged_at)}"))
    note = new.note.strip() or None
    if note != package.note:
        package.note = note
        changes.append(("delivery.note_updated", "note"))
    for action, detail in changes:
        audit.record(
            action,
            actor=actor,
            object_type="delivery_package",
            object_id=package.id,
            detail=detail,
        )
    return [detail.split("=")[0] for _, detail in changes]


@dataclass(frozen=True)
class PartyResponse:
    """What the party answered: public in the delivery log, like the package's counts."""

    text: str
    document_url: str


def is_public_document_url(url: str) -> bool:
    """Whether `url` may be linked from the public log: https, a host name with a dot, no
    user name or password in it (they would be published), no space or control character."""
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return False
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:  # a malformed port or IPv6 address
        return False
    host = parts.hostname or ""
    no_credentials = parts.username is None and parts.password is None
    return parts.scheme == "https" and "." in host.strip(".") and no_credentials and port_ok


def record_response(
    package: DeliveryPackage, response: PartyResponse, *, actor: StaffUser
) -> list[str]:
    """Record the party's response to a package marked sent; audit each change (the
    text itself stays out of the audit trail: the package holds it). Returns what changed.

    Raises `PackageNotSent` before the package is marked sent, `DocumentNotPublic` for a
    document address the public log cannot link to."""
    if package.sent_at is None:
        raise PackageNotSent
    text = response.text.replace("\r\n", "\n").strip() or None
    url = response.document_url.strip() or None
    if url is not None and not is_public_document_url(url):
        raise DocumentNotPublic(url)
    changes: list[tuple[str, str | None]] = []
    if text != package.response_text:
        package.response_text = text
        changes.append(("response", text))
    if url != package.response_document_url:
        package.response_document_url = url
        changes.append(("document", url))
    for name, value in changes:
        audit.record(
            f"delivery.{name}_recorded",
            actor=actor,
            object_type="delivery_package",
            object_id=package.id,
            detail=f"{name}={'set' if value else 'none'}",
        )
    return [name for name, _ in changes]


def _day(when: datetime | None) -> str:
    return when.date().isoformat() if when else "none"


# --- the cover letter's wording ------------------------------------------------------------


def unknown_placeholders(body: str) -> list[str]:
    """The `{names}` in `body` that the letter cannot fill, in order of appearance."""
    found = [name for name in PLACEHOLDER.findall(body) if name not in PLACEHOLDERS]
    return list(dict.fromkeys(found))


def saved_letter(campaign: Campaign, lang: str) -> LetterTemplate | None:
    return db.session.scalar(
        select(LetterTemplate).where(
            LetterTemplate.campaign_id == campaign.id, LetterTemplate.lang == lang
        )
    )


def letter_text(campaign: Campaign, lang: str) -> str:
    """The body staff edit: the saved one, else the default wording in that language."""
    saved = saved_letter(campaign, lang)
    if saved is not None and saved.body.strip():
        return saved.body
    return wording(lang).default_letter


def save_letter(campaign: Campaign, lang: str, body: str, *, actor: StaffUser) -> bool:
    """Save the letter's body for `lang`; False when it is what the next letter would use."""
    body = body.replace("\r\n", "\n").strip()
    if body == letter_text(campaign, lang).strip():
        return False
    saved = saved_letter(campaign, lang)
    if saved is None:
        saved = LetterTemplate(campaign_id=campaign.id, lang=lang, body=body)
        db.session.add(saved)
    saved.body = body
    saved.updated_by_id = actor.id
    db.session.flush()
    audit.record(
        "letter_template.updated",
        actor=actor,
        object_type="campaign",
        object_id=campaign.id,
        detail=f"lang={lang}",
    )
    return True


# --- who writes and who signs --------------------------------------------------------------


@dataclass(frozen=True)
class LetterheadFields:
    """The campaign's letterhead, as the letters print it."""

    name: str
    address: str
    email: str
    phone: str
    website: str


@dataclass(frozen=True)
class SignatoryFields:
    name: str
    title: str = ""
    organisation: str = ""


LETTERHEAD_COLUMNS = {
    "name": "letterhead_name",
    "address": "letterhead_address",
    "email": "letterhead_email",
    "phone": "letterhead_phone",
    "website": "letterhead_website",
}


def letterhead_of(campaign: Campaign) -> LetterheadFields:
    return LetterheadFields(
        **{field: getattr(campaign, column) for field, column in LETTERHEAD_COLUMNS.items()}
    )


def signatories_of(campaign: Campaign) -> list[SignatoryFields]:
    return [
        SignatoryFields(signer.name, signer.title, signer.organisation)
        for signer in campaign.signatories
    ]


def save_letterhead(
    campaign: Campaign,
    letterhead: LetterheadFields,
    signatories: list[SignatoryFields],
    *,
    actor: StaffUser,
) -> bool:
    """Set who the campaign's letters come from and who signs them, in that order; False
    when nothing changed. The audit entry names the fields, never the people."""
    changed = [
        field
        for field, column in LETTERHEAD_COLUMNS.items()
        if getattr(campaign, column) != getattr(letterhead, field)
    ]
    for field in changed:
        setattr(campaign, LETTERHEAD_COLUMNS[field], getattr(letterhead, field))
    signers_changed = signatories != signatories_of(campaign)
    if signers_changed:
        campaign.signatories = [
            Signatory(position=position, **asdict(signer))
            for position, signer in enumerate(signatories, start=1)
        ]
        changed.append("signatories")
    if not changed:
        return False
    db.session.flush()
    audit.record(
        "campaign.letterhead_updated",
        actor=actor,
        object_type="campaign",
        object_id=campaign.id,
        detail=f"{', '.join(changed)}; signatories={len(campaign.signatories)}",
    )
    return True
