"""Staff work on campaigns: creating, settings and status, texts with versions, targets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from petition.campaigns.custodians import add_custodian_key
from petition.delivery.package import build_package
from petition.demo.targets import TARGETS
from petition.extensions import db
from petition.models import (
    AuditEvent,
    Campaign,
    CampaignStatus,
    CampaignTextVersion,
    Role,
    Signature,
    SignatureStatus,
    Target,
)
from petition.sealing import recipient_of
from tests.delivery.outputs import pdf_text
from tests.factories import CUSTODIAN, make_campaign, make_staff
from tests.pages import (
    hidden_inputs,
    link_in,
    path_of,
    post_from_page,
    send_mail,
    sign,
    sign_in_staff,
    submit_form,
)

TEXT = {
    "title": "Bring them home",
    "summary": "A short summary.",
    "statement": "We ask for **freedom**.\n\nEvery one of them.",
    "demands": "1. Release them.\n2. Return the children.",
}


@pytest.fixture
def moderator(client):
    user = make_staff(Role.MODERATOR)
    sign_in_staff(client, user)
    return user


def audit_rows(action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def campaign_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Campaign))


def campaign_by_slug(slug: str) -> Campaign:
    return db.session.scalars(select(Campaign).where(Campaign.slug == slug)).one()


def versions(campaign_id: int, lang: str) -> list[CampaignTextVersion]:
    query = select(CampaignTextVersion).where(
        CampaignTextVersion.campaign_id == campaign_id, CampaignTextVersion.lang == lang
    )
    return list(db.session.scalars(query.order_by(CampaignTextVersion.id)))


def settings(campaign: Campaign, **changes: object) -> dict[str, object]:
    """The settings form as the page would send it, with `changes`."""
    fields = {"slug": campaign.slug, "status": campaign.status.value, "goal": ""}
    fields |= {"opens_on": "", "last_day": ""}
    return fields | changes


def test_moderator_creates_a_draft_campaign(client, moderator):
    assert "New campaign" in client.get("/staff/campaigns").get_data(as_text=True)
    response = submit_form(
        client,
        "/staff/campaigns/new",
        slug="bring-them-home",
        opens_on="2025-01-28",
        last_day="2025-12-31",
        goal="10000",
    )
    assert response.status_code == 302
    campaign = campaign_by_slug("bring-them-home")
    assert response.headers["Location"] == f"/staff/campaigns/{campaign.id}/text/en"
    assert campaign.status is CampaignStatus.DRAFT
    assert campaign.goal == 10000
    assert campaign.opens_at == datetime(2025, 1, 28, tzinfo=UTC)
    assert campaign.closes_at == datetime(2026, 1, 1, tzinfo=UTC)  # through the last day
    [created] = audit_rows("campaign.created")
    assert created.actor_id == moderator.id
    assert created.object_id == str(campaign.id)
    assert "bring-them-home" in client.get("/staff/campaigns").get_data(as_text=True)
    edit = client.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'value="2025-12-31"' in edit  # shown back as the last day, not the day after
    assert client.get("/en/bring-them-home/").status_code == 404  # drafts are not public


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("ab", "Please use 3 to 80 characters."),
        ("x" * 81, "Please use 3 to 80 characters."),
        ("Upper-Case", "lowercase letters"),
        ("with space", "lowercase letters"),
        ("under_score", "lowercase letters"),
        ("-leading", "lowercase letters"),
        ("trailing-", "lowercase letters"),
        ("кампанія", "lowercase letters"),
        ("nul\x00byte", "characters we cannot accept"),
        ("confirm", "reserved"),
        ("free-them", "Another campaign already uses"),
    ],
)
def test_bad_or_taken_slug_is_refused_and_nothing_is_stored(client, moderator, slug, message):
    make_campaign()
    response = submit_form(client, "/staff/campaigns/new", slug=slug, goal="")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert campaign_count() == 1
    assert audit_rows("campaign.created") == []


@pytest.mark.parametrize("goal", ["0", "-5", "many", "1.5"])
def test_goal_must_be_a_positive_whole_number(client, moderator, goal):
    response = submit_form(client, "/staff/campaigns/new", slug="some-campaign", goal=goal)
    assert response.status_code == 422
    assert campaign_count() == 0


@pytest.mark.parametrize("field", ["opens_on", "last_day"])
def test_a_day_beyond_any_campaign_is_a_form_error(client, moderator, field):
    response = submit_form(
        client, "/staff/campaigns/new", slug="some-campaign", **{field: "9999-12-31"}
    )
    assert response.status_code == 422
    assert "Please enter a date between" in response.get_data(as_text=True)
    assert campaign_count() == 0


def test_last_day_cannot_come_before_the_opening_day(client, moderator):
    response = submit_form(
        client,
        "/staff/campaigns/new",
        slug="some-campaign",
        opens_on="2025-02-01",
        last_day="2025-01-31",
    )
    assert response.status_code == 422
    assert "cannot be before the opening day" in response.get_data(as_text=True)


def test_status_goes_draft_open_closed_and_may_reopen(client, moderator):
    campaign = make_campaign("new-one", CampaignStatus.DRAFT)
    url = f"/staff/campaigns/{campaign.id}"

    # A draft may still change its slug.
    assert submit_form(client, url, **settings(campaign, slug="renamed")).status_code == 302
    campaign = campaign_by_slug("renamed")
    assert submit_form(client, url, **settings(campaign, status="closed")).status_code == 422
    assert submit_form(client, url, **settings(campaign, status="open")).status_code == 302
    assert campaign_by_slug("renamed").status is CampaignStatus.OPEN
    assert client.get("/en/renamed/").status_code == 200

    # Open: the slug is part of public links now, and there is no way back to draft.
    page = client.get(url).get_data(as_text=True)
    assert 'name="slug"' not in page
    assert 'value="draft"' not in page
    assert submit_form(client, url, **settings(campaign, status="draft")).status_code == 422
    response = submit_form(client, url, **settings(campaign, slug="sneaky", status="open"))
    assert response.status_code == 302
    assert campaign_by_slug("renamed").slug == "renamed"

    assert submit_form(client, url, **settings(campaign, status="closed")).status_code == 302
    assert campaign_by_slug("renamed").status is CampaignStatus.CLOSED
    assert submit_form(client, url, **settings(campaign, status="open")).status_code == 302
    assert campaign_by_slug("renamed").status is CampaignStatus.OPEN

    details = [event.detail for event in audit_rows("campaign.updated")]
    assert details == ["slug", "status draft→open", "status open→closed", "status closed→open"]


def test_a_draft_cannot_open_before_it_has_english_text(client, moderator):
    response = submit_form(client, "/staff/campaigns/new", slug="no-text-yet")
    campaign = campaign_by_slug("no-text-yet")
    url = f"/staff/campaigns/{campaign.id}"
    response = submit_form(client, url, **settings(campaign, status="open"))
    assert response.status_code == 422
    assert "write the English text before opening" in response.get_data(as_text=True)
    assert campaign_by_slug("no-text-yet").status is CampaignStatus.DRAFT

    assert submit_form(client, f"{url}/text/en", save="Save", **TEXT).status_code == 302
    add_custodian_key(campaign, recipient_of(CUSTODIAN), actor=None)
    db.session.commit()
    assert submit_form(client, url, **settings(campaign, status="open")).status_code == 302
    assert client.get("/uk/no-text-yet/").status_code == 200  # falls back to English


def test_a_campaign_cannot_open_before_it_has_a_custodian_key(client, moderator):
    submit_form(client, "/staff/campaigns/new", slug="no-key-yet")
    campaign = campaign_by_slug("no-key-yet")
    url = f"/staff/campaigns/{campaign.id}"
    assert submit_form(client, f"{url}/text/en", save="Save", **TEXT).status_code == 302

    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "uk"  # the console in the staff's language
    response = submit_form(client, url, **settings(campaign, status="open"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field = html.split('id="status-error">', 1)[1].split("</p>", 1)[0]
    assert field.startswith("Кампанію не можна відкрити, доки в неї немає ключа хранителя")
    assert "«flask --app petition keys new no-key-yet --identity-out FILE»" in field
    assert campaign_by_slug("no-key-yet").status is CampaignStatus.DRAFT
    assert not [e for e in audit_rows("campaign.updated") if "status" in e.detail]


def test_settings_change_goal_and_dates(client, moderator):
    campaign = make_campaign()
    url = f"/staff/campaigns/{campaign.id}"
    response = submit_form(client, url, **settings(campaign, goal="500", last_day="2025-06-30"))
    assert response.status_code == 302
    campaign = campaign_by_slug("free-them")
    assert campaign.goal == 500
    assert campaign.closes_at == datetime(2025, 7, 1, tzinfo=UTC)
    [event] = audit_rows("campaign.updated")
    assert event.detail == "last_day; goal"
    # Sending the same again changes nothing and records nothing.
    response = submit_form(client, url, **settings(campaign, goal="500", last_day="2025-06-30"))
    assert response.status_code == 302
    assert len(audit_rows("campaign.updated")) == 1


def test_ukrainian_text_edit_shows_on_the_public_page(client, moderator):
    campaign = make_campaign()
    url = f"/staff/campaigns/{campaign.id}/text/uk"
    page = client.get(url).get_data(as_text=True)
    assert "Звільніть усіх" in page  # the current text, ready to edit
    response = submit_form(
        client,
        url,
        save="Save",
        title="Поверніть їх додому",
        summary="Коротко.",
        statement="Ми вимагаємо **свободи**.\r\n\r\nДля всіх.",
        demands="1. Звільнити.\r\n2. Повернути дітей.",
    )
    assert response.status_code == 302
    public = client.get("/uk/free-them/").get_data(as_text=True)
    assert "Поверніть їх додому" in public
    assert "<strong>свободи</strong>" in public
    campaign = campaign_by_slug("free-them")
    assert campaign.texts["uk"].statement == "Ми вимагаємо **свободи**.\n\nДля всіх."  # LF only
    assert campaign.texts["en"].title == "Free them all"  # other languages untouched
    [event] = audit_rows("campaign.text_updated")
    assert event.detail == "lang=uk; title, summary, statement, demands"
    assert event.object_id == str(campaign.id)


def test_staff_write_an_arabic_text_for_letters_only(client, moderator, tmp_path):
    """A letter language the site is not offered in: the editor takes the text (right to
    left), no public page shows it, and the package for an Arabic-speaking party uses it."""
    campaign = make_campaign()
    edit_page = client.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    assert f"/staff/campaigns/{campaign.id}/text/ar" in edit_page
    assert "letters only" in edit_page
    url = f"/staff/campaigns/{campaign.id}/text/ar"
    form = client.get(url).get_data(as_text=True)
    assert form.count('dir="rtl"') == 4  # title, summary, statement, demands
    assert form.count('lang="ar"') >= 4
    assert "used only in letters" in form
    assert "See the public page" not in form
    response = submit_form(
        client,
        url,
        save="Save",
        title="أطلقوا سراحهم",
        summary="نداء قصير.",
        statement="نطالب **بالحرية** للجميع.",
        demands="1. الإفراج عنهم.\r\n2. إعادة الأطفال.",
    )
    assert response.status_code == 302
    campaign = campaign_by_slug("free-them")
    assert campaign.texts["ar"].title == "أطلقوا سراحهم"
    assert client.get("/ar/free-them/").status_code == 404  # the site is not in Arabic
    [event] = audit_rows("campaign.text_updated")
    assert event.detail == "lang=ar; title, summary, statement, demands"

    target = Target(name="Qatar", lang="ar", office="أمير دولة قطر")
    campaign.targets.append(target)
    db.session.commit()
    package = build_package(
        campaign, target, cutoff=datetime(2025, 3, 1, tzinfo=UTC), out_dir=tmp_path
    )
    db.session.commit()
    text = pdf_text(Path(package.folder) / "cover_letter.pdf")
    assert "أطلقوا سراحهم" in text
    assert "الإفراج عنهم" in text
    assert "Free them all" not in text


def test_changing_the_statement_after_a_signature_keeps_the_version_it_signed(
    client, moderator, mailbox
):
    campaign = make_campaign()
    original = campaign.texts["en"].statement
    sign(client, email="signer@example.org")
    send_mail()
    link = path_of(link_in(mailbox.text_of(mailbox.to("signer@example.org")[0])))
    client.post(link, data=hidden_inputs(client.get(link).get_data(as_text=True)))
    signature = db.session.scalars(select(Signature)).one()
    assert signature.status is SignatureStatus.CONFIRMED
    signed_hash = signature.statement_sha256

    url = f"/staff/campaigns/{campaign.id}/text/en"
    response = submit_form(
        client,
        url,
        save="Save",
        title="Free them all",
        summary="Free them all: a test campaign.",
        statement="We ask for **free them all**, now.",
        demands="1. Release the detainees.\n2. Return the children.",
    )
    assert response.status_code == 302

    kept = versions(campaign.id, "en")
    assert len(kept) == 2
    assert signed_hash in {version.sha256 for version in kept}
    assert kept[0].statement == original
    assert kept[1].created_by_id == moderator.id
    assert campaign_by_slug("free-them").texts["en"].sha256 != signed_hash
    assert "2 versions of this text are kept" in client.get(url).get_data(as_text=True)
    [event] = audit_rows("campaign.text_updated")
    assert event.detail == "lang=en; statement"


def test_preview_shows_sanitised_html_and_saves_nothing(client, moderator):
    campaign = make_campaign()
    url = f"/staff/campaigns/{campaign.id}/text/en"
    evil = (
        "**Bold** move.\n\n<script>alert('x')</script>\n\n"
        "[click](javascript:alert(1)) <img src=x onerror=alert(2)>"
    )
    response = submit_form(client, url, preview="Preview", **(TEXT | {"statement": evil}))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html  # still in the text area, as text
    preview = html.split('id="text-preview"')[1]
    assert "<strong>Bold</strong>" in preview
    assert "javascript:" not in preview
    assert "onerror" not in preview
    assert campaign_by_slug("free-them").texts["en"].title == "Free them all"
    assert versions(campaign.id, "en") == []
    assert audit_rows("campaign.text_updated") == []

    fragment = post_from_page(client, url, f"{url}/preview", **(TEXT | {"statement": evil}))
    assert fragment.status_code == 200
    body = fragment.get_data(as_text=True)
    assert "<strong>Bold</strong>" in body
    assert "<script" not in body
    assert "onerror" not in body
    assert versions(campaign.id, "en") == []


def test_preview_needs_the_csrf_token(client, moderator):
    campaign = make_campaign()
    response = client.post(f"/staff/campaigns/{campaign.id}/text/en/preview", data=TEXT)
    assert response.status_code == 400


def test_text_page_checks_the_language_and_campaign(client, moderator):
    campaign = make_campaign()
    assert client.get(f"/staff/campaigns/{campaign.id}/text/de").status_code == 404
    assert client.get(f"/staff/campaigns/{campaign.id + 1}/text/en").status_code == 404
    assert client.get(f"/staff/campaigns/{campaign.id + 1}").status_code == 404


def test_text_with_control_characters_or_empty_fields_is_refused(client, moderator):
    campaign = make_campaign()
    url = f"/staff/campaigns/{campaign.id}/text/en"
    for bad in ({"title": "Bad\x00title"}, {"statement": "Bell\x07"}, {"demands": ""}):
        response = submit_form(client, url, save="Save", **(TEXT | bad))
        assert response.status_code == 422
    assert campaign_by_slug("free-them").texts["en"].title == "Free them all"
    assert audit_rows("campaign.text_updated") == []


def test_attach_and_detach_targets(client, moderator):
    campaign = make_campaign()
    target = Target(name="UN Secretary-General", lang="en")
    db.session.add(target)
    db.session.commit()
    edit = f"/staff/campaigns/{campaign.id}"
    action = f"{edit}/targets"
    assert f'<option value="{target.id}">UN Secretary-General</option>' in client.get(
        edit
    ).get_data(as_text=True)

    response = post_from_page(client, edit, action, target_id=target.id, action="attach")
    assert response.status_code == 302
    assert [t.name for t in campaign_by_slug("free-them").targets] == ["UN Secretary-General"]
    page = client.get(edit).get_data(as_text=True)
    assert 'value="detach"' in page
    assert "Every negotiating party is attached." in page

    response = post_from_page(client, edit, action, target_id=target.id, action="detach")
    assert response.status_code == 302
    assert campaign_by_slug("free-them").targets == []

    assert (
        post_from_page(client, edit, action, target_id=target.id + 1, action="attach").status_code
        == 404
    )
    assert (
        post_from_page(client, edit, action, target_id=target.id, action="burn").status_code == 422
    )
    assert post_from_page(client, edit, action, action="attach").status_code == 422

    [attached] = audit_rows("campaign.target_attached")
    [detached] = audit_rows("campaign.target_detached")
    assert attached.detail == detached.detail == f"target={target.id}"
    assert attached.object_id == str(campaign.id)


def test_exporter_may_not_edit_campaigns(client):
    campaign = make_campaign()
    sign_in_staff(client, make_staff(Role.EXPORTER))
    for url in (
        "/staff/campaigns",
        "/staff/campaigns/new",
        f"/staff/campaigns/{campaign.id}",
        f"/staff/campaigns/{campaign.id}/text/en",
    ):
        assert client.get(url).status_code == 403, url
    token = hidden_inputs(client.get("/staff/").get_data(as_text=True))["csrf_token"]
    for url in (
        "/staff/campaigns/new",
        f"/staff/campaigns/{campaign.id}/text/en",
        f"/staff/campaigns/{campaign.id}/text/en/preview",
        f"/staff/campaigns/{campaign.id}/targets",
    ):
        assert client.post(url, data={"csrf_token": token, **TEXT}).status_code == 403, url
    assert 'href="/staff/campaigns"' not in client.get("/staff/").get_data(as_text=True)  # menu


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/staff/campaigns")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/sign-in")


def test_demo_load_twice_creates_the_nine_parties_once_and_attaches_them(app):
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["demo", "load"])
        assert result.exit_code == 0, result.output
    names = sorted(db.session.scalars(select(Target.name)))
    assert names == sorted(entry["name"] for entry in TARGETS)
    assert len(names) == 9
    campaign = campaign_by_slug("people-first")
    assert sorted(t.name for t in campaign.targets) == names
    langs = {t.name: t.lang for t in campaign.targets}
    assert langs["Office of the President of Ukraine"] == "uk"
    assert langs["President of the Russian Federation"] == "ru"
    assert langs["International Committee of the Red Cross"] == "en"
    assert langs["President of the Republic of Türkiye"] == "tr"
    assert langs["Amir of the State of Qatar"] == "ar"
    assert langs["Holy See – His Holiness the Pope"] == "it"
