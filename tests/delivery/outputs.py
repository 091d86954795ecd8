"""Test data for delivery packages, and the text of each kind of file a package holds."""

from __future__ import annotations

import itertools
import re
import subprocess
import unicodedata
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from docx import Document

from petition.campaigns.custodians import recipients
from petition.delivery import service
from petition.delivery.background import build_queued_packages
from petition.delivery.service import PartyResponse
from petition.extensions import db
from petition.models import (
    Campaign,
    DeliveryPackage,
    Display,
    Listing,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    PackageStatus,
    Signature,
    SignatureStatus,
    StaffUser,
    Target,
)
from petition.models.types import utc_midnight
from petition.personal import Details, person_columns
from tests.prerequisites import tool

CUTOFF = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
BEFORE = CUTOFF - timedelta(days=2)
_serial = itertools.count(1)


def add_target(
    campaign: Campaign,
    lang: str,
    *,
    name: str | None = None,
    salutation: str = "",
    office: str = "",
    organisation: str = "",
    postal_address: str = "",
    addressee: str = "",
    person: str = "",
    closing: str = "",
) -> Target:
    target = Target(
        name=name or f"Party {next(_serial)} ({lang})",
        lang=lang,
        addressee=addressee,
        person=person,
        closing=closing,
        salutation=salutation,
        office=office,
        organisation=organisation,
        postal_address=postal_address,
    )
    campaign.targets.append(target)
    db.session.flush()
    return target


def add_signature(
    campaign: Campaign,
    name: str,
    *,
    country: str = "UA",
    display: Display = Display.FULL,
    status: SignatureStatus = SignatureStatus.CONFIRMED,
    confirmed_at: datetime | None = BEFORE,
    email: str | None = None,
    city: str | None = None,
) -> Signature:
    """A signature as signing stores it: the details sealed, the name only as shown."""
    details = Details(name=name, email=email or f"signer{next(_serial)}@mail.example", city=city)
    signature = Signature(
        campaign=campaign,
        **person_columns(details, display, recipients(campaign)),
        country=country,
        display=display,
        lang="uk",
        statement_sha256="0" * 64,
        status=status,
        confirmed_at=confirmed_at if status is not SignatureStatus.PENDING else None,
    )
    db.session.add(signature)
    return signature


def add_organisation(
    campaign: Campaign,
    name: str,
    *,
    listing: Listing = Listing.PUBLIC,
    status: OrganisationStatus = OrganisationStatus.APPROVED,
    country: str = "UA",
    kind: OrganisationKind = OrganisationKind.HUMAN_RIGHTS,
    name_original: str | None = None,
    reviewed_at: datetime | None = BEFORE,
    rep_name: str = "Rep Person",
    rep_email: str | None = None,
) -> Organisation:
    serial = next(_serial)
    address = rep_email or f"rep{serial}@org.example"
    organisation = Organisation(
        campaign=campaign,
        name=name,
        name_original=name_original,
        country=country,
        kind=kind,
        listing=listing,
        status=status,
        lang="en",
        statement_sha256="0" * 64,
        rep_name=rep_name,
        rep_role="Director",
        rep_email=address,
        rep_email_normalised=f"{serial}-{address.lower()}",
        confirmed_at=BEFORE - timedelta(days=1),
        reviewed_at=reviewed_at,
    )
    db.session.add(organisation)
    return organisation


# What pdftotext adds to, or keeps of, right-to-left text that a reader does not see as
# such: the direction embeddings it wraps runs in, the presentation forms (initial, medial,
# final; ligatures) of shaped Arabic letters, and a space before a mark set apart.
EMBEDDINGS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
SPACED_MARK = re.compile("\\s+(?=[\u064b-\u065f\u0670])")


def readable(text: str) -> str:
    """Extracted text as its reader reads it: Arabic as the letters typed, in order."""
    text = EMBEDDINGS.sub("", text)
    text = PRESENTATION_FORMS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return SPACED_MARK.sub("", text)


def pdf_text(path: Path, *, page: int | None = None) -> str:
    """The text of the PDF, or of one of its pages, as `readable` gives it."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    result = subprocess.run(  # noqa: S603 - Debian's pdftotext on a file we wrote
        [tool("pdftotext"), "-enc", "UTF-8", *pages, str(path), "-"],
        capture_output=True,
        check=True,
    )
    return readable(result.stdout.decode())


def pdf_pages(path: Path) -> list[str]:
    """The text of each page of the PDF (pdftotext ends each page with a form feed)."""
    return pdf_text(path).split("\f")[:-1]


def docx_text(path: Path) -> str:
    document = Document(str(path))
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def zip_xml(path: Path) -> str:
    """Every XML part of an Office file (sheets, shared strings, properties), joined."""
    with zipfile.ZipFile(path) as archive:
        return "\n".join(
            archive.read(name).decode()
            for name in archive.namelist()
            if name.endswith((".xml", ".rels"))
        )


def file_text(path: Path) -> str:
    """All the text a reader of this file could find in it."""
    if path.suffix == ".pdf":
        return pdf_text(path)
    if path.suffix == ".docx":
        return docx_text(path) + "\n" + zip_xml(path)
    if path.suffix == ".xlsx":
        return zip_xml(path)
    return path.read_bytes().decode("utf-8-sig")


def package_text(folder: Path) -> dict[str, str]:
    return {path.name: file_text(path) for path in sorted(folder.iterdir())}


def deliver_package(
    campaign: Campaign,
    target: Target,
    actor: StaffUser,
    *,
    sent_on: date | None = date(2025, 3, 2),
    acknowledged_on: date | None = None,
    response: PartyResponse | None = None,
) -> DeliveryPackage:
    """A package queued through the service, built by the worker, then (unless `sent_on`
    is None) recorded as sent, acknowledged and answered as staff record it."""
    [package] = service.queue_packages(campaign, str(target.id), cutoff=CUTOFF, actor=actor)
    db.session.commit()
    assert build_queued_packages() == 1
    db.session.expire_all()
    package = db.session.get(DeliveryPackage, package.id)
    assert package.status is PackageStatus.READY
    if sent_on is not None:
        record = service.DeliveryRecord(
            sent_at=utc_midnight(sent_on),
            acknowledged_at=utc_midnight(acknowledged_on) if acknowledged_on else None,
            note="Handed over by a colleague",
        )
        service.update_delivery(package, record, actor=actor)
        if response is not None:
            service.record_response(package, response, actor=actor)
    db.session.commit()
    return package
