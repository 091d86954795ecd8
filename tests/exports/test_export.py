"""The export service: email addresses only with a reason, inert cells in SQL and Python, the
audit event committed before the first byte, one snapshot for the count and the rows, chunks."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import String, literal, select

from petition import exports
from petition.cells import inert_cell
from petition.exports import (
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
from petition.extensions import db
from petition.i18n import LANGUAGES
from petition.models import Display, OrganisationStatus, Role, Signature, SignatureStatus
from petition.signing.review import TimeWindow
from tests.exports.outputs import (
    BOM,
    DAY_ONE,
    FORMULAS,
    SIGNATURE_COLUMNS,
    add_organisation,
    add_signature,
    audit_events,
    csv_rows_of,
    ids,
    xlsx_cells,
)
from tests.factories import make_campaign, make_staff


@pytest.fixture
def campaign(app):
    return make_campaign()


@pytest.fixture
def exporter(app):
    return make_staff(Role.EXPORTER)


def test_the_service_refuses_email_addresses_without_a_reason(campaign, exporter):
    wanted = ExportRequest(
        ExportFilter(ExportKind.ORGANISATIONS, campaign.id, OrganisationStatus.APPROVED),
        include_emails=True,
    )
    with pytest.raises(exports.ReasonRequired):
        start_export(wanted, actor=exporter, lang="en")
    assert audit_events("export.organisations") == []


def test_the_service_refuses_signers_addresses_whatever_the_reason(campaign, exporter):
    """They are sealed: not even a request made past the form gets them."""
    add_signature(campaign)
    for reason in ("", "Mail merge"):
        wanted = ExportRequest(
            ExportFilter(ExportKind.SIGNATURES, campaign.id, SignatureStatus.CONFIRMED),
            include_emails=True,
            reason=reason,
        )
        with pytest.raises(exports.AddressesSealed):
            start_export(wanted, actor=exporter, lang="en")
    assert audit_events("export.signatures") == []


@pytest.mark.parametrize("include_emails", [False, True])
def test_a_signature_export_has_no_column_for_what_is_sealed(include_emails):
    headers = [c.header for c in columns_for(ExportKind.SIGNATURES, include_emails=include_emails)]
    assert headers == SIGNATURE_COLUMNS


def test_an_organisation_export_has_the_representatives_address_only_when_asked():
    def headers(include_emails: bool) -> list[str]:
        columns = columns_for(ExportKind.ORGANISATIONS, include_emails=include_emails)
        return [column.header for column in columns]

    assert "rep_email" not in headers(False)
    assert [header for header in headers(True) if header != "rep_email"] == headers(False)
    assert "rep_email" in headers(True)


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
            public_name=f"Олена Петренко {number}",
            email_domain="example.org",
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
        # As stored, past signing's trimming: every odd start reaches both writers.
        add_signature(campaign, public_name=value or None, email_domain=value or None)
    add_signature(campaign, display=Display.ANONYMOUS, country="XK")
    add_signature(campaign, status=SignatureStatus.CONFIRMED, country="ZZ", name="'quoted")
    for include_emails in (False, True):
        for kind, status in (
            (ExportKind.SIGNATURES, SignatureStatus.CONFIRMED),
            (ExportKind.ORGANISATIONS, OrganisationStatus.APPROVED),
        ):
            if include_emails and kind is ExportKind.SIGNATURES:
                continue  # signers' addresses are sealed (refused above)
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
