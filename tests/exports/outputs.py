"""Test data for exports, and how to read the files they write."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any
from xml.etree import ElementTree

from sqlalchemy import select

from petition.extensions import db
from petition.models import (
    AuditEvent,
    Display,
    Listing,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Signature,
    SignatureStatus,
)
from tests.factories import make_signature

DAY_ONE = datetime(2025, 1, 28, 9, 30, tzinfo=UTC)
BOM = b"\xef\xbb\xbf"
FORMULAS = [
    "=1+1",
    '=HYPERLINK("http://x","y")',
    "+cmd",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
]
XLSX_NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
# A signature export's header: the name only as the signer chose to be shown, the address only
# by its domain; the name as typed, the address and the city are sealed (no column).
SIGNATURE_COLUMNS = [
    "id",
    "name",
    "email_domain",
    "country",
    "country_name",
    "display",
    "status",
    "lang",
    "created_at",
    "confirmed_at",
]
NUMBERS = count(1)


def add_signature(
    campaign,
    *,
    status: SignatureStatus = SignatureStatus.CONFIRMED,
    country: str = "UA",
    created_at: datetime = DAY_ONE,
    confirmed_at: datetime | None = None,
    display: Display = Display.FULL,
    name: str | None = None,
    city: str | None = None,
    email: str | None = None,
    **columns: Any,
) -> Signature:
    """A signature as signing makes it from what the signer typed; `columns` set stored
    columns directly (e.g. `public_name`)."""
    if confirmed_at is None and status is not SignatureStatus.PENDING:
        confirmed_at = created_at + timedelta(hours=1)
    return make_signature(
        campaign,
        email=email,
        status=status,
        country=country,
        city=city,
        display=display,
        name=name,
        lang="uk",
        created_at=created_at,
        confirmed_at=confirmed_at,
        **columns,
    )


def add_organisation(
    campaign,
    *,
    status: OrganisationStatus = OrganisationStatus.APPROVED,
    country: str = "UA",
    name: str | None = None,
    listing: Listing = Listing.PUBLIC,
    created_at: datetime = DAY_ONE,
) -> Organisation:
    number = next(NUMBERS)
    email = f"director{number}@org{number}.example.org"
    organisation = Organisation(
        campaign_id=campaign.id,
        name=name or f"Rights Group {number}",
        country=country,
        kind=OrganisationKind.HUMAN_RIGHTS,
        website=f"https://org{number}.example.org",
        website_domain=f"org{number}.example.org",
        rep_name=f"Director {number}",
        rep_role="Director",
        rep_email=email,
        rep_email_normalised=email,
        listing=listing,
        status=status,
        lang="en",
        statement_sha256="0" * 64,
        created_at=created_at,
        confirmed_at=created_at + timedelta(hours=1),
    )
    db.session.add(organisation)
    db.session.commit()
    return organisation


def csv_rows_of(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(BOM)
    return list(csv.DictReader(io.StringIO(body[len(BOM) :].decode("utf-8"), newline="")))


def ids(rows: list[dict[str, str]]) -> set[int]:
    return {int(row["id"]) for row in rows}


def audit_events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def ooxml_text(text: str) -> str:
    """Undo OOXML's `_xHHHH_` escapes (XlsxWriter writes a carriage return as `_x000D_`)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda found: chr(int(found.group(1), 16)), text)


def xlsx_cells(body: bytes) -> tuple[list[list[str]], str]:
    """The first sheet's cell texts, row by row, and the sheet's XML."""
    with zipfile.ZipFile(io.BytesIO(body)) as workbook:
        sheet_xml = workbook.read("xl/worksheets/sheet1.xml").decode()
        shared: list[str] = []
        if "xl/sharedStrings.xml" in workbook.namelist():
            strings = ElementTree.fromstring(workbook.read("xl/sharedStrings.xml"))  # noqa: S314
            shared = [ooxml_text("".join(t.itertext())) for t in strings.findall("x:si", XLSX_NS)]
    rows = []
    # Our own workbook, just written: the standard parser is safe for it.
    for row in ElementTree.fromstring(sheet_xml).iter(f"{{{XLSX_NS['x']}}}row"):  # noqa: S314
        texts = []
        for cell in row.findall("x:c", XLSX_NS):
            kind = cell.get("t")
            assert kind in ("inlineStr", "s"), f"cell {cell.get('r')} is not a string: {kind}"
            if kind == "s":
                texts.append(shared[int(cell.findtext("x:v", namespaces=XLSX_NS) or "")])
            else:
                texts.append(ooxml_text("".join(cell.find("x:is", XLSX_NS).itertext())))
        rows.append(texts)
    return rows, sheet_xml
