"""The export screen: filters, email addresses only with a reason, inert cells, the audit trail,
the download, and who may export. The service's own rules: tests/exports/."""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, datetime

import pytest

from petition import exports
from petition.exports import ExportFormat
from petition.models import Display, Listing, OrganisationStatus, Role, SignatureStatus
from tests.exports.outputs import (
    BOM,
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
from tests.pages import hidden_inputs, sign_in_staff


@pytest.fixture
def campaign(app):
    return make_campaign()


@pytest.fixture
def exporter(app, client):
    user = make_staff(Role.EXPORTER)
    sign_in_staff(client, user)
    return user


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
    assert rows[0]["email_domain"] == "example.org"
    assert "olena@example.org" not in response.get_data(as_text=True)
    assert audit_events("export.signatures")[0].detail.endswith("emails=no")


def test_the_signature_export_offers_no_addresses(client, campaign, exporter):
    html = client.get("/staff/exports").get_data(as_text=True)
    assert 'name="include_emails"' not in html
    assert 'name="reason"' not in html
    assert "only the campaign’s custodians can read them" in html


def test_a_post_asking_for_signers_addresses_gets_the_export_without_them(
    client, campaign, exporter
):
    add_signature(campaign, name="Olena Petrenko", email="olena.petrenko@example.org")
    for file_format in ExportFormat:
        response = download(
            client,
            campaign,
            format=file_format.value,
            include_emails="y",
            reason="Mail merge for the delivery event",
        )
        assert response.status_code == 200
        if file_format is ExportFormat.CSV:
            text = response.get_data(as_text=True)
            header = list(csv_rows(response)[0])
        else:  # a zip: its sheet and its cells, read back
            cells, sheet_xml = xlsx_cells(response.get_data())
            text = sheet_xml + "\n".join(value for row in cells for value in row)
            header = cells[0]
        assert "olena.petrenko" not in text
        assert header == SIGNATURE_COLUMNS
    for event in audit_events("export.signatures"):
        assert event.detail.endswith("emails=no")
        assert "Mail merge" not in event.detail


def test_representatives_addresses_come_only_with_a_reason(client, campaign, exporter):
    organisation = add_organisation(campaign)
    page = client.get("/staff/exports", query_string={"kind": "organisations"})
    assert 'name="include_emails"' in page.get_data(as_text=True)
    response = download(
        client,
        campaign,
        kind="organisations",
        include_emails="y",
        reason="Invitations to the delivery event",
    )
    assert response.status_code == 200
    assert csv_rows(response)[0]["rep_email"] == organisation.rep_email
    [event] = audit_events("export.organisations")
    assert event.detail.endswith("emails=yes (reason: Invitations to the delivery event)")


def test_asking_for_email_addresses_without_a_reason_is_refused(client, campaign, exporter):
    add_organisation(campaign)

    def ask(reason: str):
        return download(client, campaign, kind="organisations", include_emails="y", reason=reason)

    response = ask("   ")
    assert response.status_code == 422
    assert response.content_type.startswith("text/html")
    assert "To include email addresses, please say why they are needed" in response.get_data(
        as_text=True
    )
    too_long = ask("x" * 201)
    assert too_long.status_code == 422
    assert "200 characters or fewer" in too_long.get_data(as_text=True)
    assert audit_events("export.organisations") == []


# --- anonymous signers ----------------------------------------------------------------


def test_signers_are_exported_only_as_they_chose_to_be_shown(client, campaign, exporter):
    hidden = add_signature(campaign, name="Hidden Canary Name", display=Display.ANONYMOUS)
    initials = add_signature(campaign, name="Ivan Initials", display=Display.INITIALS)
    full = add_signature(campaign, name="Olena Full", display=Display.FULL)
    response = download(client, campaign)
    rows = {int(row["id"]): row for row in csv_rows(response)}
    assert rows[hidden.id]["name"] == ""
    assert rows[hidden.id]["display"] == "anonymous"
    assert rows[initials.id]["name"] == "I. I."
    assert rows[initials.id]["display"] == "initials"
    assert rows[full.id]["name"] == "Olena Full"
    text = response.get_data(as_text=True)
    assert "Hidden Canary Name" not in text
    assert "Ivan Initials" not in text

    workbook = download(client, campaign, format="xlsx")
    cells, sheet_xml = xlsx_cells(workbook.get_data())
    for typed in ("Hidden Canary Name", "Ivan Initials"):
        assert typed not in sheet_xml
        assert not any(typed in value for row in cells for value in row)


# --- file format: BOM, Cyrillic, inert cells ---------------------------------------------


def test_csv_has_a_bom_and_keeps_cyrillic(client, campaign, exporter):
    add_signature(campaign, name="Олена Петренко", email="olena@пошта.укр", city="Київ")
    add_signature(
        campaign, name="Пётр Ёлкин", email="petr@Почта.рф", city="Санкт-Петербург", country="RU"
    )
    response = download_in(client, campaign, "uk")  # the language is the browser's
    body = response.get_data()
    assert body.startswith(BOM)
    rows = csv_rows(response)
    assert [(r["name"], r["email_domain"]) for r in rows] == [
        ("Олена Петренко", "пошта.укр"),
        ("Пётр Ёлкин", "почта.рф"),
    ]
    assert rows[0]["country_name"] == "Україна"
    assert "Київ" not in body.decode()  # the city is sealed


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


def add_formulas(campaign) -> None:
    """Signatures whose readable text cells start like formulas. The shown name and the
    domain are set as stored, past the trimming signing does, so every start is tried."""
    for value in FORMULAS:
        add_signature(campaign, public_name=value, email_domain=value)


def test_formulas_are_inert_in_csv(client, campaign, exporter):
    add_formulas(campaign)
    rows = csv_rows(download(client, campaign))
    assert [row["name"] for row in rows] == ["'" + value for value in FORMULAS]
    assert [row["email_domain"] for row in rows] == ["'" + value for value in FORMULAS]
    for row in rows:
        assert all(not cell.startswith(exports.FORMULA_STARTS) for cell in row.values())


def test_formulas_are_plain_strings_in_xlsx(client, campaign, exporter):
    """String cells never run as formulas, so they hold the text as it is: no apostrophe."""
    add_formulas(campaign)
    response = download(client, campaign, format="xlsx")
    assert response.status_code == 200
    assert response.content_type == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    cells, sheet_xml = xlsx_cells(response.get_data())
    assert "<f>" not in sheet_xml
    assert "<f " not in sheet_xml
    header, *rows = cells
    assert header == SIGNATURE_COLUMNS
    name, domain = header.index("name"), header.index("email_domain")
    assert [row[name] for row in rows] == FORMULAS
    assert [row[domain] for row in rows] == FORMULAS


def test_xlsx_is_built_in_a_temporary_file_that_is_removed(
    client, campaign, exporter, tmp_path, monkeypatch
):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    add_signature(campaign, name="Олена Петренко")
    response = download(client, campaign, format="xlsx")
    cells, _ = xlsx_cells(response.get_data())
    assert cells[1][1] == "Олена Петренко"
    assert list(tmp_path.iterdir()) == []


# --- the response and the audit trail --------------------------------------------------


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
