"""Exports for staff: filters, email addresses only with a reason, inert cells, the audit trail,
streaming, and who may export."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import tempfile
import zipfile
from datetime import UTC, date, datetime, timedelta
from itertools import count
from xml.etree import ElementTree

import pytest
from sqlalchemy import String, literal, select

from petition.delivery.cells import inert_cell
from petition.extensions import db
from petition.i18n import LANGUAGES
from petition.models import (
    AuditEvent,
    Display,
    Listing,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Role,
    Signature,
    SignatureStatus,
)
from petition.signing.review import TimeWindow
from petition.staff import exports
from petition.staff.exports import (
    CHUNK_BYTES,
    FLAG_TEXT,
    INERT_BY_CONSTRUCTION,
    Cell,
    ExportFilter,
    ExportFormat,
    ExportKind,
    ExportRequest,
    columns_for,
    inert_sql,
    start_export,
)
from tests.factories import make_campaign, make_signature, make_staff
from tests.pages import hidden_inputs, sign_in_staff

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
_numbers = count(1)


@pytest.fixture
def campaign(app):
    return make_campaign()


@pytest.fixture
def exporter(app, client):
    user = make_staff(Role.EXPORTER)
    sign_in_staff(client, user)
    return user


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
) -> Signature:
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
    number = next(_numbers)
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


def download(client, campaign, kind: str = "signatures", **fields: str):
    """Fill in and send the export form, as an exporter's browser would."""
    page = client.get("/staff/exports", query_string={"kind": kind})
    assert page.status_code == 200, page.status_code
    data = {**hidden_inputs(page.get_data(as_text=True)), "campaign": str(campaign.id), **fields}
    data.setdefault("status", "confirmed" if kind == "signatures" else "approved")
    data.setdefault("format", "csv")
    data.setdefault("window", "created")
    return client.post("/staff/exports/download", data=data, buffered=True)


def csv_rows(response) -> list[dict[str, str]]:
    return csv_rows_of(response.get_data())


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


# --- filters -----------------------------------------------------------------------------


def test_signature_filters_select_exactly_the_matching_rows(client, campaign, exporter):
    other = make_campaign("other-campaign")
    wanted = [
        add_signature(campaign, created_at=datetime(2025, 2, 1, 0, 0, tzinfo=UTC)),
        add_signature(campaign, created_at=datetime(2025, 2, 3, 23, 59, 59, tzinfo=UTC)),
    ]
    add_signature(campaign, created_at=datetime(2025, 1, 31, 23, 59, 59, tzinfo=UTC))
    add_signature(campaign, created_at=datetime(2025, 2, 4, 0, 0, tzinfo=UTC))
    add_signature(campaign, created_at=datetime(2025, 2, 2, tzinfo=UTC), country="PL")
    add_signature(
        campaign, created_at=datetime(2025, 2, 2, tzinfo=UTC), status=SignatureStatus.INVALIDATED
    )
    add_signature(
        campaign, created_at=datetime(2025, 2, 2, tzinfo=UTC), status=SignatureStatus.PENDING
    )
    add_signature(
        campaign, created_at=datetime(2025, 2, 2, tzinfo=UTC), status=SignatureStatus.WITHDRAWN
    )
    add_signature(other, created_at=datetime(2025, 2, 2, tzinfo=UTC))

    response = download(
        client, campaign, country="UA", date_from="2025-02-01", date_to="2025-02-03"
    )
    assert response.status_code == 200
    assert ids(csv_rows(response)) == {s.id for s in wanted}

    everywhere = download(client, campaign)
    assert len(csv_rows(everywhere)) == 5


def test_status_and_confirmed_dates_filter_signatures(client, campaign, exporter):
    late = add_signature(
        campaign,
        created_at=datetime(2025, 1, 30, tzinfo=UTC),
        confirmed_at=datetime(2025, 2, 10, 8, 0, tzinfo=UTC),
    )
    made_that_day = add_signature(
        campaign,
        created_at=datetime(2025, 2, 10, 23, 0, tzinfo=UTC),
        confirmed_at=datetime(2025, 2, 11, 0, 30, tzinfo=UTC),
    )
    invalid = add_signature(campaign, status=SignatureStatus.INVALIDATED)

    by_confirmation = download(
        client, campaign, window="confirmed", date_from="2025-02-10", date_to="2025-02-10"
    )
    rows = csv_rows(by_confirmation)
    assert ids(rows) == {late.id}
    assert rows[0]["confirmed_at"] == "2025-02-10T08:00:00Z"
    assert rows[0]["created_at"] == "2025-01-30T00:00:00Z"
    by_creation = download(client, campaign, date_from="2025-02-10", date_to="2025-02-10")
    assert ids(csv_rows(by_creation)) == {made_that_day.id}

    assert ids(csv_rows(download(client, campaign, status="invalidated"))) == {invalid.id}


def test_organisation_filters_and_columns(client, campaign, exporter):
    approved = add_organisation(campaign, name="Центр громадянських свобод")
    counted = add_organisation(campaign, listing=Listing.COUNTED)
    add_organisation(campaign, country="PL")
    add_organisation(campaign, status=OrganisationStatus.WITHDRAWN)
    rejected = add_organisation(campaign, status=OrganisationStatus.REJECTED)

    response = download(client, campaign, kind="organisations", country="UA")
    assert response.status_code == 200
    rows = csv_rows(response)
    assert ids(rows) == {approved.id, counted.id}
    assert "Центр громадянських свобод" in {row["name"] for row in rows}
    assert {row["listing"] for row in rows} == {"public", "counted"}
    assert "rep_email" not in rows[0]
    assert rows[0]["founding"] == "no"
    assert "@" not in response.get_data(as_text=True).replace("https://", "")

    rejected_only = download(client, campaign, kind="organisations", status="rejected")
    assert ids(csv_rows(rejected_only)) == {rejected.id}
    assert audit_events("export.organisations")[0].detail.startswith("format=csv; filters=")


# --- email addresses -------------------------------------------------------------------


def test_email_addresses_are_left_out_by_default(client, campaign, exporter):
    add_signature(campaign, email="olena@example.org")
    response = download(client, campaign)
    rows = csv_rows(response)
    assert "email" not in rows[0]
    assert "olena@example.org" not in response.get_data(as_text=True)
    assert audit_events("export.signatures")[0].detail.endswith("emails=no")


def test_email_addresses_come_only_with_a_reason(client, campaign, exporter):
    add_signature(campaign, email="olena@example.org")
    response = download(
        client, campaign, include_emails="y", reason="Mail merge for the delivery event"
    )
    assert response.status_code == 200
    assert csv_rows(response)[0]["email"] == "olena@example.org"
    [event] = audit_events("export.signatures")
    assert event.detail.endswith("emails=yes (reason: Mail merge for the delivery event)")


def test_asking_for_email_addresses_without_a_reason_is_refused(client, campaign, exporter):
    add_signature(campaign)
    response = download(client, campaign, include_emails="y", reason="   ")
    assert response.status_code == 422
    assert response.content_type.startswith("text/html")
    assert "To include email addresses, please say why they are needed" in response.get_data(
        as_text=True
    )
    too_long = download(client, campaign, include_emails="y", reason="x" * 201)
    assert too_long.status_code == 422
    assert "200 characters or fewer" in too_long.get_data(as_text=True)
    assert audit_events("export.signatures") == []


def test_the_service_refuses_email_addresses_without_a_reason(campaign, exporter):
    wanted = ExportRequest(
        ExportFilter(ExportKind.SIGNATURES, campaign.id, SignatureStatus.CONFIRMED),
        include_emails=True,
    )
    with pytest.raises(exports.ReasonRequired):
        start_export(wanted, actor=exporter, lang="en")


# --- anonymous signers ----------------------------------------------------------------


def test_anonymous_signers_are_exported_without_their_name(client, campaign, exporter):
    hidden = add_signature(campaign, name="Hidden Canary Name", display=Display.ANONYMOUS)
    initials = add_signature(campaign, name="Ivan Initials", display=Display.INITIALS)
    response = download(client, campaign)
    rows = {int(row["id"]): row for row in csv_rows(response)}
    assert rows[hidden.id]["name"] == ""
    assert rows[hidden.id]["display"] == "anonymous"
    assert rows[initials.id]["name"] == "Ivan Initials"
    assert rows[initials.id]["display"] == "initials"
    assert "Hidden Canary Name" not in response.get_data(as_text=True)

    workbook = download(client, campaign, format="xlsx")
    cells, sheet_xml = xlsx_cells(workbook.get_data())
    assert "Hidden Canary Name" not in sheet_xml
    assert not any("Hidden Canary Name" in value for row in cells for value in row)


# --- file format: BOM, Cyrillic, inert cells ---------------------------------------------


def test_csv_has_a_bom_and_keeps_cyrillic(client, campaign, exporter):
    add_signature(campaign, name="Олена Петренко", city="Київ")
    add_signature(campaign, name="Пётр Ёлкин", city="Санкт-Петербург", country="RU")
    response = download_in(client, campaign, "uk")  # the language is the browser's
    body = response.get_data()
    assert body.startswith(BOM)
    rows = csv_rows(response)
    assert [(r["name"], r["city"]) for r in rows] == [
        ("Олена Петренко", "Київ"),
        ("Пётр Ёлкин", "Санкт-Петербург"),
    ]
    assert rows[0]["country_name"] == "Україна"


def download_in(client, campaign, lang: str):
    page = client.get("/staff/exports", headers={"Accept-Language": lang})
    data = {
        **hidden_inputs(page.get_data(as_text=True)),
        "campaign": str(campaign.id),
        "status": "confirmed",
        "format": "csv",
        "window": "created",
    }
    return client.post(
        "/staff/exports/download", data=data, headers={"Accept-Language": lang}, buffered=True
    )


def test_formulas_are_inert_in_csv(client, campaign, exporter):
    for value in FORMULAS:
        add_signature(campaign, name=value, city=value)
    rows = csv_rows(download(client, campaign))
    assert [row["name"] for row in rows] == ["'" + value for value in FORMULAS]
    assert [row["city"] for row in rows] == ["'" + value for value in FORMULAS]
    for row in rows:
        assert all(not cell.startswith(exports.FORMULA_STARTS) for cell in row.values())


def test_formulas_are_inert_in_xlsx(client, campaign, exporter):
    for value in FORMULAS:
        add_signature(campaign, name=value, city=value)
    response = download(client, campaign, format="xlsx")
    assert response.status_code == 200
    assert response.content_type == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    cells, sheet_xml = xlsx_cells(response.get_data())
    assert "<f>" not in sheet_xml
    assert "<f " not in sheet_xml
    header, *rows = cells
    name, city = header.index("name"), header.index("city")
    expected = ["'" + value for value in FORMULAS]
    assert [row[name] for row in rows] == expected
    assert [row[city] for row in rows] == expected


def test_sql_and_python_agree_on_what_is_inert(app):
    """`inert_sql` is the SQL twin of `inert_cell`: every first character, both ways."""
    samples = [chr(code) + "x" for code in range(1, 128)]
    samples += ["", "=", "Олена", "＝1+1", "\u00a0=1", "'=1", "'"]
    rendered = db.session.execute(
        select(*[inert_sql(_text_literal(sample)) for sample in samples])
    ).one()
    assert list(rendered) == [inert_cell(sample) for sample in samples]


def test_cells_left_unguarded_in_sql_cannot_start_a_formula():
    """The SQL twin skips the guard on cells of our own making; none can start a formula."""
    for kind in ExportKind:
        for column in columns_for(kind, include_emails=True):
            if column.cell is Cell.CODE:
                enum_class = getattr(column.expression.type, "enum_class", None)
                possible = [m.value for m in enum_class] if enum_class else list(LANGUAGES)
                assert enum_class or column.header == "lang", column.header
            elif column.cell is Cell.FLAG:
                possible = list(FLAG_TEXT.values())
            elif column.cell in (Cell.NUMBER, Cell.MOMENT):
                # Ids are positive; the earliest moment a column can hold is year 1.
                earliest = datetime(1, 1, 1, tzinfo=UTC).strftime(exports.MOMENT_FORMAT)
                possible = ["1", "0", earliest]
            else:
                assert column.cell not in INERT_BY_CONSTRUCTION
                continue
            assert column.cell in INERT_BY_CONSTRUCTION
            for value in possible:
                assert value[:1].isalnum(), (column.header, value)
                assert inert_cell(value) == value


def _text_literal(value: str):
    return literal(value, String)


def test_xlsx_is_built_in_a_temporary_file_that_is_removed(
    client, campaign, exporter, tmp_path, monkeypatch
):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    add_signature(campaign, name="Олена Петренко")
    response = download(client, campaign, format="xlsx")
    cells, _ = xlsx_cells(response.get_data())
    assert cells[1][1] == "Олена Петренко"
    assert list(tmp_path.iterdir()) == []


# --- the response, the audit trail, streaming --------------------------------------------


def test_the_download_is_an_uncached_attachment_named_after_the_campaign(
    client, campaign, exporter
):
    add_signature(campaign)
    response = download(client, campaign)
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r"attachment; filename=signatures-free-them-\d{8}T\d{6}Z\.csv", disposition)
    xlsx = download(client, campaign, kind="organisations", format="xlsx")
    assert re.search(
        r"filename=organisations-free-them-\d{8}T\d{6}Z\.xlsx", xlsx.headers["Content-Disposition"]
    )


def test_every_export_is_audited_with_its_filters_and_row_count(client, campaign, exporter):
    for _ in range(3):
        add_signature(campaign)
    add_signature(campaign, country="PL")
    download(client, campaign, country="UA", date_from="2025-01-01", date_to="2025-01-31")
    download(client, campaign, format="xlsx")
    first, second = sorted(audit_events("export.signatures"), key=lambda event: event.id)
    assert first.actor_id == exporter.id
    assert (first.object_type, first.object_id) == ("campaign", str(campaign.id))
    assert first.detail == (
        f"format=csv; filters=campaign={campaign.id}, status=confirmed, country=UA, "
        "created 2025-01-01..2025-01-31 UTC; rows=3; emails=no"
    )
    assert second.detail == (
        f"format=xlsx; filters=campaign={campaign.id}, status=confirmed; rows=4; emails=no"
    )


def test_the_audit_event_is_committed_before_the_first_byte(campaign, exporter):
    add_signature(campaign)
    wanted = ExportRequest(
        ExportFilter(
            ExportKind.SIGNATURES,
            campaign.id,
            SignatureStatus.CONFIRMED,
            window=TimeWindow.CONFIRMED,
            date_from=date(2025, 1, 28),
        )
    )
    export = start_export(wanted, actor=exporter, lang="en")
    try:
        assert export.row_count == 1
        db.session.rollback()  # nothing uncommitted may be needed for the event to stay
        [event] = audit_events("export.signatures")
        assert "rows=1" in event.detail
    finally:
        export.close()


@pytest.mark.postgresql
def test_the_rows_sent_are_the_rows_counted(campaign, exporter):
    """On PostgreSQL the count and the rows come from one snapshot: a signature confirmed
    after the audit event committed is neither counted nor sent."""
    counted = {add_signature(campaign).id}
    wanted = ExportRequest(
        ExportFilter(ExportKind.SIGNATURES, campaign.id, SignatureStatus.CONFIRMED)
    )
    for file_format in ExportFormat:
        export = start_export(
            dataclasses.replace(wanted, format=file_format), actor=exporter, lang="en"
        )
        late = add_signature(campaign)  # committed before the export is read
        body = b"".join(export.stream())
        assert export.row_count == len(counted)
        if file_format is ExportFormat.CSV:
            assert ids(csv_rows_of(body)) == counted
        else:
            header, *rows = xlsx_cells(body)[0]
            assert {int(row[header.index("id")]) for row in rows} == counted
        counted.add(late.id)


def test_csv_is_written_in_chunks(campaign, exporter):
    db.session.add_all(
        Signature(
            campaign_id=campaign.id,
            name=f"Олена Петренко {number}",
            email=f"p{number}@example.org",
            email_normalised=f"p{number}@example.org",
            country="UA",
            display=Display.FULL,
            lang="uk",
            statement_sha256="0" * 64,
            status=SignatureStatus.CONFIRMED,
            created_at=DAY_ONE,
            confirmed_at=DAY_ONE,
        )
        for number in range(3000)
    )
    db.session.commit()
    wanted = ExportRequest(
        ExportFilter(ExportKind.SIGNATURES, campaign.id, SignatureStatus.CONFIRMED)
    )
    stream = start_export(wanted, actor=exporter, lang="en").stream()
    chunks = list(stream)
    assert len(chunks) > 2
    assert all(len(chunk) < 2 * CHUNK_BYTES for chunk in chunks)
    body = b"".join(chunks)
    assert body.startswith(BOM)
    assert body.count(b"\n") == 3001


@pytest.mark.postgresql
def test_copy_and_python_write_the_same_bytes(app, campaign, exporter):
    """On PostgreSQL the CSV comes from COPY; it must be what the row-by-row writer gives."""
    tricky = [*FORMULAS, 'He said "hi", twice', "line\nbreak", "Олена\r\nПетренко", " ", ""]
    for value in tricky:
        add_signature(campaign, name=value or None, city=value or None, country="UA")
    add_signature(campaign, display=Display.ANONYMOUS, country="XK")
    add_signature(campaign, status=SignatureStatus.CONFIRMED, country="ZZ", city="'quoted")
    for include_emails in (False, True):
        for kind, status in (
            (ExportKind.SIGNATURES, SignatureStatus.CONFIRMED),
            (ExportKind.ORGANISATIONS, OrganisationStatus.APPROVED),
        ):
            add_organisation(campaign, name=tricky[len(tricky) // 2])
            wanted = ExportRequest(
                ExportFilter(kind, campaign.id, status),
                include_emails=include_emails,
                reason="test" if include_emails else "",
            )
            export = start_export(wanted, actor=exporter, lang="uk")
            try:
                by_copy = b"".join(export.csv_copy_chunks())
                by_rows = b"".join(export.csv_rows_chunks())
            finally:
                export.close()
            assert by_copy == by_rows


# --- who may export ----------------------------------------------------------------------


def test_a_moderator_may_not_export(app, client, campaign):
    sign_in_staff(client, make_staff(Role.MODERATOR))
    assert client.get("/staff/exports").status_code == 403
    page = client.get("/staff/")
    token = hidden_inputs(page.get_data(as_text=True))["csrf_token"]
    response = client.post(
        "/staff/exports/download",
        data={"csrf_token": token, "kind": "signatures", "campaign": str(campaign.id)},
    )
    assert response.status_code == 403
    assert audit_events("export.signatures") == []
    assert b'href="/staff/exports"' not in page.get_data()


@pytest.mark.parametrize("role", [Role.EXPORTER, Role.ADMIN])
def test_exporters_and_admins_get_the_file(app, client, campaign, role):
    add_signature(campaign, name="Олена Петренко")
    sign_in_staff(client, make_staff(role))
    assert b'href="/staff/exports"' in client.get("/staff/").get_data()
    for file_format in ExportFormat:
        response = download(client, campaign, format=file_format.value)
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment; ")
