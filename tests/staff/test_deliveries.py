"""Delivery packages in the staff console: queue, follow, download, record; the letter."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from petition.delivery.background import build_queued_packages
from petition.extensions import db
from petition.models import (
    AuditEvent,
    DeliveryPackage,
    LetterTemplate,
    NamesPolicy,
    PackageStatus,
    Role,
)
from tests.delivery.outputs import add_signature, add_target, docx_text
from tests.factories import make_campaign, make_staff
from tests.pages import hidden_inputs, post_from_page, sign_in_staff, submit_form


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, object]:
    return {"DELIVERY_DIR": str(tmp_path / "deliveries")}


def signed_in(client, role: Role = Role.EXPORTER):
    user = make_staff(role, f"{role.value}.delivery@staff.example.org")
    sign_in_staff(client, user)
    return user


def actions(name: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == name)))


def queue_from_console(client, campaign, target, **fields: str):
    return post_from_page(
        client,
        "/staff/deliveries",
        "/staff/deliveries/build",
        campaign_id=str(campaign.id),
        target_id=str(target.id),
        **fields,
    )


def ready_package(client, lang: str = "uk") -> DeliveryPackage:
    campaign = make_campaign()
    add_signature(campaign, "Олена Петренко")
    target = add_target(campaign, lang, organisation="Міністерство")
    db.session.commit()
    response = queue_from_console(client, campaign, target, cutoff="2099-01-01T00:00")
    assert response.status_code == 422  # a cut-off in the future is refused
    response = queue_from_console(client, campaign, target)
    assert response.status_code == 302
    package = db.session.scalars(select(DeliveryPackage)).one()
    assert package.status is PackageStatus.QUEUED  # the request only queued it
    assert build_queued_packages() == 1
    db.session.expire_all()
    return db.session.get(DeliveryPackage, package.id)


def test_queued_from_the_console_built_by_the_worker(client):
    signed_in(client)
    campaign = make_campaign()
    target = add_target(campaign, "en")
    db.session.commit()

    listing = client.get("/staff/deliveries").get_data(as_text=True)
    assert target.name in listing
    assert "Build package" in listing

    response = queue_from_console(client, campaign, target, cutoff="2025-03-01T12:00")
    assert response.status_code == 302
    package = db.session.scalars(select(DeliveryPackage)).one()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "<progress" in page
    assert package.cutoff_at.isoformat().startswith("2025-03-01T12:00")
    assert len(actions("delivery.queued")) == 1

    assert build_queued_packages() == 1
    db.session.expire_all()
    package = db.session.get(DeliveryPackage, package.id)
    assert package.status is PackageStatus.READY
    page = client.get(f"/staff/deliveries/{package.id}").get_data(as_text=True)
    assert "http-equiv" not in page
    assert "Ready" in page
    assert f'<code class="hash" id="manifest-sha256">{package.manifest_sha256}</code>' in page
    for name, digest in package.files.items():
        assert name in page
        assert digest in page
    assert f"/staff/deliveries/{package.id}/download" in page
    assert package.manifest_sha256 in client.get("/staff/deliveries").get_data(as_text=True)


def test_all_targets_are_queued_and_a_stranger_target_refused(client):
    signed_in(client)
    campaign = make_campaign()
    add_target(campaign, "en")
    add_target(campaign, "ru")
    other = add_target(make_campaign(slug="other-one"), "uk")
    db.session.commit()

    refused = queue_from_console(client, campaign, other)
    assert refused.status_code == 422
    assert "one of this campaign" in refused.get_data(as_text=True)
    response = post_from_page(
        client,
        "/staff/deliveries",
        "/staff/deliveries/build",
        campaign_id=str(campaign.id),
        target_id="all",
    )
    assert response.status_code == 302
    assert db.session.query(DeliveryPackage).count() == 2


def test_the_zip_holds_exactly_the_files_with_their_hashes(client):
    signed_in(client)
    package = ready_package(client)

    response = client.get(f"/staff/deliveries/{package.id}/download")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        contents = {
            info.filename.split("/", 1)[1]: hashlib.sha256(archive.read(info)).hexdigest()
            for info in archive.infolist()
        }
    assert contents == {**package.files, "manifest.json": package.manifest_sha256}
    assert client.get(f"/staff/deliveries/{package.id}/download").get_data() == data
    assert len(actions("delivery.downloaded")) == 2


def test_a_package_not_ready_has_no_download(client):
    signed_in(client)
    campaign = make_campaign()
    target = add_target(campaign, "en")
    db.session.commit()
    queue_from_console(client, campaign, target)
    package = db.session.scalars(select(DeliveryPackage)).one()
    assert client.get(f"/staff/deliveries/{package.id}/download").status_code == 404


def test_a_tampered_file_is_not_offered(client):
    signed_in(client)
    package = ready_package(client)
    (Path(package.folder) / "annex_individuals.csv").write_text("changed")
    response = client.get(f"/staff/deliveries/{package.id}/download")
    assert response.status_code == 302
    assert actions("delivery.downloaded") == []


@pytest.mark.parametrize("field", ["sent_on", "acknowledged_on"])
def test_a_day_beyond_any_delivery_is_a_form_error(client, field):
    signed_in(client)
    package = ready_package(client)
    response = submit_form(client, f"/staff/deliveries/{package.id}", **{field: "0001-01-01"})
    assert response.status_code == 422
    assert "Please enter a date between" in response.get_data(as_text=True)


def test_sent_and_acknowledged_are_recorded_and_audited(client):
    user = signed_in(client)
    package = ready_package(client)
    url = f"/staff/deliveries/{package.id}"

    wrong = submit_form(client, url, sent_on="2025-03-05", acknowledged_on="2025-03-01")
    assert wrong.status_code == 422
    assert "before it was sent" in wrong.get_data(as_text=True)

    response = submit_form(client, url, sent_on="2025-03-02", note="By courier")
    assert response.status_code == 302
    response = submit_form(
        client, url, sent_on="2025-03-02", acknowledged_on="2025-03-04", note="By courier"
    )
    assert response.status_code == 302

    db.session.expire_all()
    package = db.session.get(DeliveryPackage, package.id)
    assert package.sent_at.date() == date(2025, 3, 2)
    assert package.acknowledged_at.date() == date(2025, 3, 4)
    assert package.note == "By courier"
    sent, acknowledged = actions("delivery.sent"), actions("delivery.acknowledged")
    assert [e.detail for e in sent] == ["sent=2025-03-02"]
    assert [e.detail for e in acknowledged] == ["acknowledged=2025-03-04"]
    assert {e.actor_id for e in sent + acknowledged} == {user.id}
    assert "2025-03-04" in client.get("/staff/deliveries").get_data(as_text=True)


def test_the_saved_letter_is_used_in_the_next_package(client):
    signed_in(client, Role.ADMIN)
    campaign = make_campaign()
    target = add_target(campaign, "uk", organisation="Міністерство")
    db.session.commit()
    url = f"/staff/campaigns/{campaign.id}/letter/uk"

    page = client.get(url).get_data(as_text=True)
    assert "{individuals}" in page  # the default wording, and the list of placeholders

    response = submit_form(
        client, url, body="Шановне {target}! Станом на {date} підписали {individuals} осіб."
    )
    assert response.status_code == 302
    saved = db.session.scalars(select(LetterTemplate)).one()
    assert saved.lang == "uk"
    assert len(actions("letter_template.updated")) == 1

    queue_from_console(client, campaign, target)
    assert build_queued_packages() == 1
    package = db.session.scalars(select(DeliveryPackage)).one()
    db.session.refresh(package)
    text = docx_text(Path(package.folder) / "cover_letter.docx")
    assert "Шановне Міністерство! Станом на" in text
    assert "підписали 0 осіб." in text


def test_an_unknown_placeholder_is_refused(client):
    signed_in(client, Role.ADMIN)
    campaign = make_campaign()
    url = f"/staff/campaigns/{campaign.id}/letter/en"
    response = submit_form(client, url, body="Dear {target}, see {foo}.")
    assert response.status_code == 422
    assert "{foo}" in response.get_data(as_text=True)
    assert db.session.scalars(select(LetterTemplate)).all() == []
    assert client.get(f"/staff/campaigns/{campaign.id}/letter/de").status_code == 404


def test_moderators_and_exporters_are_kept_out_where_they_should_be(client, app):
    campaign = make_campaign()
    db.session.commit()
    moderator = app.test_client()
    signed_in(moderator, Role.MODERATOR)
    assert moderator.get("/staff/deliveries").status_code == 403
    page = moderator.get("/staff/").get_data(as_text=True)
    token = hidden_inputs(page)["csrf_token"]
    build = moderator.post(
        "/staff/deliveries/build",
        data={"csrf_token": token, "campaign_id": campaign.id, "target_id": "all"},
    )
    assert build.status_code == 403

    signed_in(client, Role.EXPORTER)
    assert client.get(f"/staff/campaigns/{campaign.id}/letter/en").status_code == 403
    assert "Cover letter wording" not in client.get("/staff/deliveries").get_data(as_text=True)


def test_staff_see_a_counted_partys_policy_when_building_and_on_the_package(client):
    signed_in(client)
    campaign = make_campaign()
    add_signature(campaign, "Олена Петренко")
    target = add_target(campaign, "ru", name="Russian Federation")
    target.names_policy = NamesPolicy.COUNTED
    db.session.commit()
    listing = client.get("/staff/deliveries").get_data(as_text=True)
    assert "Russian Federation (counted only: no names)" in listing

    assert queue_from_console(client, campaign, target).status_code == 302
    assert build_queued_packages() == 1
    package = db.session.scalars(select(DeliveryPackage)).one()
    page = client.get(f"/staff/deliveries/{package.id}").get_data(as_text=True)
    assert (
        '<dd class="names-policy names-policy-counted">Counted only: totals and numbers by '
        "country, no name at all</dd>"
    ) in page
    assert "annex_individuals" not in page
    assert "summary.pdf" in page
