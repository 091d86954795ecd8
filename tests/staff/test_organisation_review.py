"""Organisation review on the console: the queue, trust signals, duplicates, and every
decision with its mail, its audit row and its effect on the public list and counts."""

from __future__ import annotations

import io
import re

import pytest
from flask_babel import force_locale, gettext
from PIL import Image
from sqlalchemy import event, select

from petition.extensions import db
from petition.models import (
    AuditEvent,
    Listing,
    Organisation,
    OrganisationStatus,
    OutboxMessage,
    OutboxStatus,
    Role,
)
from tests.factories import make_campaign, make_staff
from tests.mailbox import Mailbox
from tests.pages import (
    confirm_link,
    hidden_inputs,
    join,
    link_in,
    path_of,
    send_mail,
    sign_in_staff,
)

QUEUE = "/staff/organisations"


@pytest.fixture
def campaign(app, tmp_path):
    app.config["LOGO_FOLDER"] = str(tmp_path / "logos")
    return make_campaign()


def png_logo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 120), (160, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def organisation(organisation_id: int) -> Organisation:
    db.session.expire_all()
    found = db.session.get(Organisation, organisation_id)
    assert found is not None
    return found


def by_email(address: str) -> Organisation:
    db.session.expire_all()
    return db.session.scalars(select(Organisation).where(Organisation.rep_email == address)).one()


def confirmation_link(client, mailbox: Mailbox, **fields) -> str:
    """An organisation signs on through the public form; the link it is mailed."""
    fields.setdefault("rep_email", "director@rights.example.org")
    assert join(client, **fields).status_code == 302
    send_mail()
    [message] = mailbox.to(fields["rep_email"])
    mailbox.clear()
    return link_in(mailbox.text_of(message))


def joined(client, mailbox: Mailbox, *, confirm: bool = True, **fields) -> int:
    """An organisation signs on through the public form and (unless told) confirms."""
    fields.setdefault("rep_email", "director@rights.example.org")
    link = confirmation_link(client, mailbox, **fields)
    if confirm:
        assert confirm_link(client, link).status_code == 200
    return by_email(fields["rep_email"]).id


def review_url(organisation_id: int) -> str:
    return f"{QUEUE}/{organisation_id}"


def decide(client, organisation_id: int, action: str, **fields):
    """Press one of the review page's buttons, with what that page carries."""
    url = review_url(organisation_id)
    page = client.get(url)
    assert page.status_code == 200
    carried = hidden_inputs(page.get_data(as_text=True))
    data = {
        "csrf_token": carried["csrf_token"],
        "seen_status": carried.get("seen_status", organisation(organisation_id).status.value),
        "action": action,
        **fields,
    }
    response = client.post(url, data=data)
    if response.status_code == 302:
        client.get(response.headers["Location"])  # as a browser would, showing the flash
    return response


def api(client) -> dict:
    return client.get("/api/v1/campaigns/free-them").json


def audit_actions(organisation_id: int) -> list[tuple[str, str]]:
    db.session.expire_all()
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "organisation")
        .where(AuditEvent.object_id == str(organisation_id))
        .order_by(AuditEvent.id)
    )
    return [(event.action, event.detail) for event in events]


def test_queue_shows_confirmed_organisations_oldest_confirmation_first(
    client, campaign, mailbox, moderator, clock
):
    early = confirmation_link(client, mailbox, name="Early Joiner Group")
    second = confirmation_link(
        client, mailbox, name="Second Joiner Group", rep_email="b@second.example"
    )
    confirmation_link(client, mailbox, name="Never Confirmed", rep_email="c@third.example")
    # The second to join confirms first: it has waited for review the longest.
    confirm_link(client, second)
    clock.advance(minutes=5)
    confirm_link(client, early)
    first_to_join = by_email("director@rights.example.org").id
    second_to_join = by_email("b@second.example").id

    page = client.get(QUEUE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.index("Second Joiner Group") < html.index("Early Joiner Group")
    assert "Never Confirmed" not in html
    assert f'href="/staff/organisations/{second_to_join}' in html
    assert f'href="/staff/organisations/{first_to_join}' in html
    # Browsing another status shows those organisations instead.
    pending = client.get(QUEUE, query_string={"status": "pending"}).get_data(as_text=True)
    assert "Never Confirmed" in pending
    assert "Early Joiner Group" not in pending


def test_queue_rows_show_details_and_trust_signals(client, campaign, mailbox, moderator):
    other = make_campaign("other-campaign")
    joined(
        client,
        mailbox,
        name="Matching Domain Group",
        name_original="Група з доменом",
        country="PL",
        kind="media",
        listing="counted",
    )
    joined(
        client,
        mailbox,
        name="Free Mail Group",
        website="https://free-mail-group.example.org",
        rep_email="freegroup@gmail.com",
    )
    html = client.get(QUEUE).get_data(as_text=True)
    assert "Група з доменом" in html
    assert "Poland" in html
    assert "Media organisation" in html
    assert "Counted only" in html
    assert "Email domain matches the website" in html
    assert "Free-mail address (gmail.com)" in html
    # Filtering by another campaign shows none of them.
    elsewhere = client.get(QUEUE, query_string={"campaign": str(other.id)})
    assert elsewhere.status_code == 200
    assert "Free Mail Group" not in elsewhere.get_data(as_text=True)
    assert client.get(QUEUE, query_string={"campaign": "999"}).status_code == 422
    assert client.get(QUEUE, query_string={"status": "nonsense"}).status_code == 422


def test_duplicates_within_the_campaign_across_scripts(client, campaign, mailbox, moderator):
    memorial = joined(
        client, mailbox, name="Memorial", website="https://memorial.example", rep_email="a@x.org"
    )
    cyrillic = joined(client, mailbox, name="Мемориал", website="", rep_email="b@y.org")
    same_site = joined(
        client,
        mailbox,
        name="Completely Different",
        website="https://www.memorial.example/en",
        rep_email="c@z.org",
    )
    unrelated = joined(client, mailbox, name="Invented Rights Group", rep_email="d@w.org")
    other = make_campaign("other-campaign")
    joined(client, mailbox, slug=other.slug, name="Memorial", rep_email="e@v.org")

    html = client.get(review_url(memorial)).get_data(as_text=True)
    table = html[html.index("possible duplicates in this campaign") :]
    assert f'href="/staff/organisations/{cyrillic}"' in table
    assert f'href="/staff/organisations/{same_site}"' in table
    assert f'href="/staff/organisations/{unrelated}"' not in table
    assert "similar name" in table
    assert "same website domain" in table
    assert table.count('scope="row"') == 2  # not the namesake in the other campaign
    queue = client.get(QUEUE).get_data(as_text=True)
    assert "2 possible duplicates" in queue


def test_duplicates_on_the_queue_cost_the_same_queries_for_any_number_of_rows(
    client, campaign, mailbox, moderator
):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def queue_statements() -> int:
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(QUEUE).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    for number in range(2):
        joined(client, mailbox, name=f"Group Number {number}", rep_email=f"r{number}@a.org")
    few = queue_statements()
    for number in range(2, 7):
        joined(client, mailbox, name=f"Group Number {number}", rep_email=f"r{number}@a.org")
    assert queue_statements() == few


def test_review_page_shows_contact_details_and_offers_decisions(
    client, campaign, mailbox, moderator
):
    organisation_id = joined(client, mailbox, rep_name="Mariia Test", rep_role="Director")
    html = client.get(review_url(organisation_id)).get_data(as_text=True)
    assert "Mariia Test" in html
    assert "Director" in html
    assert "mailto:director@rights.example.org" in html
    for action in ("approve", "reject", "founding", "merge", "edit"):
        assert f'name="action" value="{action}"' in html
    assert client.get(review_url(organisation_id + 100)).status_code == 404


def test_approve_lists_counts_and_mails_a_working_manage_link(client, campaign, mailbox, moderator):
    organisation_id = joined(client, mailbox)
    assert api(client)["counts"]["organisations"] == 0

    response = decide(client, organisation_id, "approve")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(QUEUE)
    approved = organisation(organisation_id)
    assert approved.status is OrganisationStatus.APPROVED
    assert approved.reviewed_by_id == moderator.id
    assert approved.reviewed_at is not None
    assert api(client)["counts"]["organisations"] == 1
    listed = client.get("/api/v1/campaigns/free-them/organisations").json["organisations"]
    assert [entry["name"] for entry in listed] == ["Invented Rights Group"]
    assert "Invented Rights Group" in client.get("/en/free-them/coalition").get_data(as_text=True)
    assert audit_actions(organisation_id) == [("organisation.approved", f"campaign={campaign.id}")]

    # The payload holds no token: the link is made when the mail is built.
    queued = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "organisation_approved")
    ).one()
    assert queued.payload == {}
    assert send_mail() == 1
    [message] = mailbox.to("director@rights.example.org")
    text = mailbox.text_of(message)
    assert message["Subject"] == "Your organisation's signature is approved"
    assert "Invented Rights Group" in text
    assert "/en/free-them/coalition" in text
    match = re.search(r"https?://\S+/coalition/manage/[\w-]+", text)
    assert match, text
    assert match.group(0) in mailbox.html_of(message)
    manage = client.get(path_of(match.group(0)))
    assert manage.status_code == 200
    assert 'name="name"' in manage.get_data(as_text=True)


def test_reject_mails_the_reason_in_the_representatives_language(
    client, campaign, mailbox, moderator
):
    organisation_id = joined(
        client, mailbox, lang="ru", name="Сомнительная группа", rep_email="rep@dubious.example"
    )
    reason = "Не удалось подтвердить, что представитель действует от имени организации."
    response = decide(client, organisation_id, "reject", reason=reason)
    assert response.status_code == 302
    rejected = organisation(organisation_id)
    assert rejected.status is OrganisationStatus.REJECTED
    assert rejected.rejection_reason == reason
    assert audit_actions(organisation_id) == [("organisation.rejected", f"reason: {reason}")]

    assert send_mail() == 1
    [message] = mailbox.to("rep@dubious.example")
    text = mailbox.text_of(message)
    assert reason in text
    assert reason in mailbox.html_of(message)
    assert "Освободите всех" in text  # the campaign's Russian title: the mail is in Russian
    with force_locale("ru"):
        subject = gettext("Your organisation's signature was not approved")
    assert message["Subject"] == subject
    assert "/manage/" not in text
    # Once sent, the outbox keeps neither the address nor the reason.
    db.session.expire_all()
    sent = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "organisation_rejected")
    ).one()
    assert sent.payload == {}

    assert api(client)["counts"]["organisations"] == 0
    for path in ("/ru/free-them/coalition", "/api/v1/campaigns/free-them/organisations"):
        assert "Сомнительная группа" not in client.get(path).get_data(as_text=True)


def test_reject_needs_a_short_reason(client, campaign, mailbox, moderator):
    organisation_id = joined(client, mailbox)
    assert decide(client, organisation_id, "reject", reason="  ").status_code == 422
    too_long = decide(client, organisation_id, "reject", reason="x" * 501)
    assert too_long.status_code == 422
    assert "500 characters or fewer" in too_long.get_data(as_text=True)
    assert organisation(organisation_id).status is OrganisationStatus.AWAITING_REVIEW
    assert send_mail() == 0


def test_a_later_decision_supersedes_an_unsent_mail(client, campaign, mailbox, moderator):
    organisation_id = joined(client, mailbox)
    decide(client, organisation_id, "reject", reason="Looks like a duplicate.")
    assert decide(client, organisation_id, "approve").status_code == 302
    assert send_mail() == 1
    [message] = mailbox.to("director@rights.example.org")
    assert "/coalition/manage/" in mailbox.text_of(message)
    assert "duplicate" not in mailbox.text_of(message)


def test_only_sensible_transitions(client, campaign, mailbox, moderator):
    unconfirmed = joined(client, mailbox, confirm=False, rep_email="p@pending.example")
    response = decide(client, unconfirmed, "approve")
    assert response.status_code == 409
    assert "Nothing was changed" in response.get_data(as_text=True)
    assert organisation(unconfirmed).status is OrganisationStatus.PENDING

    withdrawn = joined(client, mailbox)
    decide(client, withdrawn, "approve")
    gone = organisation(withdrawn)
    gone.status = OrganisationStatus.WITHDRAWN
    db.session.commit()
    for action, fields in (
        ("approve", {}),
        ("reject", {"reason": "No."}),
        ("merge", {"keep_other": str(unconfirmed)}),
        ("founding", {"founding": "yes"}),
    ):
        assert decide(client, withdrawn, action, **fields).status_code == 409, action

    awaiting = joined(client, mailbox, name="Awaiting Group", rep_email="w@awaiting.example")
    assert decide(client, awaiting, "fly").status_code == 422
    url = review_url(awaiting)
    token = hidden_inputs(client.get(url).get_data(as_text=True))["csrf_token"]
    # Decided on a page shown before someone else approved it: nothing happens.
    stale = client.post(
        url,
        data={"csrf_token": token, "action": "reject", "seen_status": "approved", "reason": "x"},
    )
    assert stale.status_code == 409
    assert organisation(awaiting).status is OrganisationStatus.AWAITING_REVIEW
    assert client.post(url, data={"action": "approve"}).status_code == 400  # no CSRF token
    assert organisation(awaiting).status is OrganisationStatus.AWAITING_REVIEW


def test_edit_public_details(client, campaign, mailbox, moderator, tmp_path):
    organisation_id = joined(client, mailbox, logo=(io.BytesIO(png_logo()), "logo.png"))
    old_logo = organisation(organisation_id).logo
    assert old_logo
    decide(client, organisation_id, "approve")
    fields = {
        "name": "Renamed Rights Group",
        "name_original": "Перейменована група",
        "country": "PL",
        "kind": "academic",
        "website": "https://renamed.example.org",
        "statement": "We stand with the detainees.",
        "listing": "public",
        "remove_logo": "y",
    }
    response = decide(client, organisation_id, "edit", **fields)
    assert response.status_code == 302
    edited = organisation(organisation_id)
    assert edited.name == "Renamed Rights Group"
    assert edited.country == "PL"
    assert edited.website_domain == "renamed.example.org"
    assert edited.logo is None
    assert not (tmp_path / "logos" / old_logo).exists()
    [(action, detail)] = audit_actions(organisation_id)[1:]
    assert action == "organisation.details_edited"
    assert "name" in detail
    assert "logo removed" in detail
    listed = client.get("/en/free-them/coalition").get_data(as_text=True)
    assert "Renamed Rights Group" in listed
    assert "Academic institution" in listed

    # A new logo, and a bad one refused with nothing changed.
    fields.pop("remove_logo")
    new_logo = decide(
        client, organisation_id, "edit", **fields, logo=(io.BytesIO(png_logo()), "l.png")
    )
    assert new_logo.status_code == 302
    assert organisation(organisation_id).logo
    bad = decide(client, organisation_id, "edit", **fields, logo=(io.BytesIO(b"<svg/>"), "l.png"))
    assert bad.status_code == 422
    assert "PNG, JPEG or WebP" in bad.get_data(as_text=True)
    invalid = decide(client, organisation_id, "edit", **{**fields, "name": ""})
    assert invalid.status_code == 422


def test_staff_never_name_an_organisation_that_chose_to_be_counted_only(
    client, campaign, mailbox, moderator
):
    organisation_id = joined(client, mailbox, listing="counted")
    response = decide(
        client,
        organisation_id,
        "edit",
        name="Invented Rights Group",
        country="UA",
        kind="human_rights",
        listing="public",
    )
    assert response.status_code == 422
    assert organisation(organisation_id).listing is Listing.COUNTED
    # The other way round is fine: staff may keep a listed one from being named.
    public = joined(client, mailbox, rep_email="p@public.example", name="Public Group")
    kept_quiet = decide(
        client, public, "edit", name="Public Group", country="UA", kind="other", listing="counted"
    )
    assert kept_quiet.status_code == 302
    assert organisation(public).listing is Listing.COUNTED


def test_founding_organisations_come_first_on_the_coalition_page(
    client, campaign, mailbox, moderator
):
    first = joined(client, mailbox, name="Aardvark Aid", rep_email="a@aardvark.example")
    founder = joined(client, mailbox, name="Zebra Rights Watch", rep_email="z@zebra.example")
    for organisation_id in (first, founder):
        decide(client, organisation_id, "approve")
    html = client.get("/en/free-them/coalition").get_data(as_text=True)
    assert html.index("Aardvark Aid") < html.index("Zebra Rights Watch")

    assert decide(client, founder, "founding", founding="yes").status_code == 302
    assert organisation(founder).founding
    # Pressing the same button on a page shown before does not undo it.
    decide(client, founder, "founding", founding="yes")
    assert organisation(founder).founding
    html = client.get("/en/free-them/coalition").get_data(as_text=True)
    founding_section = html[html.index("Founding organisations") :]
    assert html.index("Zebra Rights Watch") < html.index("Aardvark Aid")
    assert "Zebra Rights Watch" in founding_section.split("</section>")[0]

    assert decide(client, founder, "founding", founding="no").status_code == 302
    assert not organisation(founder).founding
    assert [a for a, _ in audit_actions(founder)] == [
        "organisation.approved",
        "organisation.founding_marked",
        "organisation.founding_unmarked",
    ]


def test_merge_removes_the_duplicate_from_list_and_counts(client, campaign, mailbox, moderator):
    kept = joined(client, mailbox, name="Center for Civil Liberties", rep_email="a@ccl.example")
    duplicate = joined(
        client, mailbox, name="Center for Civil Liberties NGO", rep_email="b@ccl.example"
    )
    for organisation_id in (kept, duplicate):
        decide(client, organisation_id, "approve")
    assert api(client)["counts"]["organisations"] == 2

    page = client.get(review_url(duplicate)).get_data(as_text=True)
    assert f'value="{kept}"' in page
    response = decide(client, duplicate, "merge", keep=str(kept))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(review_url(kept))
    merged = organisation(duplicate)
    assert merged.status is OrganisationStatus.MERGED
    assert merged.merged_into_id == kept
    assert organisation(kept).status is OrganisationStatus.APPROVED
    assert api(client)["counts"]["organisations"] == 1
    names = [
        entry["name"]
        for entry in client.get("/api/v1/campaigns/free-them/organisations").json["organisations"]
    ]
    assert names == ["Center for Civil Liberties"]
    assert audit_actions(duplicate)[-1] == ("organisation.merged", f"into organisation {kept}")
    assert "Merged into" in client.get(review_url(duplicate)).get_data(as_text=True)


def test_merge_needs_a_keepable_organisation_of_the_same_campaign(
    client, campaign, mailbox, moderator
):
    first = joined(client, mailbox, name="First Group", rep_email="a@first.example")
    unconfirmed = joined(
        client, mailbox, confirm=False, name="Unconfirmed", rep_email="u@first.example"
    )
    other = make_campaign("other-campaign")
    elsewhere = joined(client, mailbox, slug=other.slug, name="First Group", rep_email="e@x.org")
    for keep_other in (first, unconfirmed, elsewhere, 999_999, 2**63, -(2**63) - 1):
        response = decide(client, first, "merge", keep_other=str(keep_other))
        assert response.status_code == 422, keep_other
    assert decide(client, first, "merge").status_code == 422  # nothing chosen
    assert organisation(first).status is OrganisationStatus.AWAITING_REVIEW
    # Any organisation of the campaign can be given by its number, not only suggested ones.
    second = joined(client, mailbox, name="Entirely Unalike", rep_email="s@second.example")
    assert decide(client, first, "merge", keep_other=str(second)).status_code == 302
    assert organisation(first).merged_into_id == second


def test_exporter_may_not_review(app, client, campaign, mailbox):
    organisation_id = joined(client, mailbox)
    sign_in_staff(client, make_staff(Role.EXPORTER))
    assert client.get(QUEUE).status_code == 403
    assert client.get(review_url(organisation_id)).status_code == 403
    token = hidden_inputs(client.get("/staff/").get_data(as_text=True))["csrf_token"]
    posted = client.post(
        review_url(organisation_id),
        data={"csrf_token": token, "action": "approve", "seen_status": "awaiting_review"},
    )
    assert posted.status_code == 403
    assert organisation(organisation_id).status is OrganisationStatus.AWAITING_REVIEW
    assert "/staff/organisations" not in client.get("/staff/").get_data(as_text=True)


def test_menu_shows_organisations_to_moderators(client, campaign, moderator):
    assert 'href="/staff/organisations"' in client.get("/staff/").get_data(as_text=True)


def test_queued_mail_goes_to_the_outbox_with_the_decision(client, campaign, mailbox, moderator):
    organisation_id = joined(client, mailbox)
    decide(client, organisation_id, "approve")
    db.session.expire_all()
    [message] = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.organisation_id == organisation_id)
        .where(OutboxMessage.kind == "organisation_approved")
    )
    assert message.status is OutboxStatus.QUEUED
    assert message.lang == "en"
