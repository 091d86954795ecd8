"""Signature review: filters, bulk and single invalidation and restoration, the audit trail."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from petition.extensions import db
from petition.models import AuditEvent, Display, Role, Signature, SignatureStatus
from petition.personal import email_hash, open_details
from tests.factories import CUSTODIAN, make_campaign, make_signature, make_staff
from tests.pages import hidden_inputs, link_in, path_of, send_mail, sign, sign_in_staff

DAY_ONE = datetime(2025, 1, 28, 9, 30, tzinfo=UTC)


@pytest.fixture
def campaign(app):
    return make_campaign()


def add_signature(
    campaign,
    email: str | None = None,
    status: SignatureStatus = SignatureStatus.CONFIRMED,
    *,
    country: str = "UA",
    created_at: datetime = DAY_ONE,
    confirmed: bool | None = None,
    display: Display = Display.FULL,
    name: str | None = None,
) -> Signature:
    had_confirmed = status is SignatureStatus.CONFIRMED if confirmed is None else confirmed
    return make_signature(
        campaign,
        email=email,
        status=status,
        country=country,
        display=display,
        name=name,
        created_at=created_at,
        confirmed_at=created_at + timedelta(hours=1) if had_confirmed else None,
    )


def statuses() -> dict[str, SignatureStatus]:
    """Each signature's status by its address, as the campaign's custodian reads it."""
    db.session.expire_all()
    signatures = db.session.scalars(select(Signature))
    return {open_details(s.sealed, CUSTODIAN).email: s.status for s in signatures}


def audit_events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def public_count(client, slug: str = "free-them") -> int:
    return client.get(f"/api/v1/campaigns/{slug}").json["counts"]["individuals"]


def preview(client, campaign, **filters: str):
    """The review page for `filters`; an address typed is first swapped for its reference."""
    response = client.get(
        "/staff/signatures",
        query_string={"campaign": campaign.id, **filters},
        follow_redirects=True,
    )
    assert response.status_code == 200, response.status_code
    return response


def apply(client, page, **fields: str):
    """Send the apply form of a preview page, as a moderator's browser would."""
    html = page.get_data(as_text=True)
    form = html.split('action="/staff/signatures/apply"', 1)[1].split("</form>", 1)[0]
    return client.post("/staff/signatures/apply", data={**hidden_inputs(form), **fields})


def matches(html: str) -> int:
    found = re.search(r'<h2 id="matches">([\d,]+) signatures? match', html)
    assert found, "no match count on the page"
    return int(found.group(1).replace(",", ""))


def confirm_by_mail(client, mailbox, address: str) -> None:
    send_mail()
    url = link_in(mailbox.text_of(mailbox.to(address)[-1]))
    page = client.get(path_of(url))
    response = client.post(path_of(url), data=hidden_inputs(page.get_data(as_text=True)))
    assert response.status_code == 302


def test_a_bulk_invalidation_changes_the_public_count(client, campaign, mailbox):
    for address in ("bot1@spam.example", "Bot2@SPAM.example", "olena@example.org"):
        sign(client, email=address)
        confirm_by_mail(client, mailbox, address)
    assert public_count(client) == 3

    sign_in_staff(client, make_staff(Role.MODERATOR))
    page = preview(client, campaign, domain="spam.example")
    assert matches(page.get_data(as_text=True)) == 2
    response = apply(client, page, action="invalidate", reason="Bot sign-ups from one domain")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/signatures?")

    assert public_count(client) == 1
    assert statuses() == {
        "bot1@spam.example": SignatureStatus.INVALIDATED,
        "Bot2@SPAM.example": SignatureStatus.INVALIDATED,
        "olena@example.org": SignatureStatus.CONFIRMED,
    }
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 signatures invalidated." in after

    # Restoring brings them back.
    page = preview(client, campaign, domain="spam.example")
    response = apply(client, page, action="restore", reason="They were real after all")
    assert response.status_code == 302
    assert public_count(client) == 3
    assert set(statuses().values()) == {SignatureStatus.CONFIRMED}


def test_restore_returns_each_signature_to_where_it_was(client, campaign, moderator):
    add_signature(campaign, "was-confirmed@spam.example", SignatureStatus.CONFIRMED)
    add_signature(campaign, "was-pending@spam.example", SignatureStatus.PENDING)
    add_signature(campaign, "elsewhere@example.org", SignatureStatus.CONFIRMED)

    page = preview(client, campaign, domain="@Spam.Example")  # typed loosely
    assert matches(page.get_data(as_text=True)) == 2
    assert apply(client, page, action="invalidate", reason="Spam").status_code == 302
    assert statuses()["was-pending@spam.example"] is SignatureStatus.INVALIDATED

    page = preview(client, campaign, domain="spam.example", status="invalidated")
    assert apply(client, page, action="restore", reason="Not spam").status_code == 302
    assert statuses() == {
        "was-confirmed@spam.example": SignatureStatus.CONFIRMED,
        "was-pending@spam.example": SignatureStatus.PENDING,
        "elsewhere@example.org": SignatureStatus.CONFIRMED,
    }


def test_a_stale_preview_count_is_refused(client, campaign, moderator):
    for number in range(3):
        add_signature(campaign, f"bot{number}@spam.example")
    page = preview(client, campaign, domain="spam.example")
    assert matches(page.get_data(as_text=True)) == 3

    add_signature(campaign, "bot-late@spam.example")  # arrives while the moderator reads
    refused = apply(client, page, action="invalidate", reason="Spam")
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "Nothing was changed" in html
    assert "4 signatures match now (the preview said 3)" in html
    assert matches(html) == 4
    assert set(statuses().values()) == {SignatureStatus.CONFIRMED}
    assert audit_events("signatures.bulk_invalidate") == []

    # The refusal page is a new preview: applying from it works, for the new count.
    assert 'value="Spam"' not in html  # a textarea keeps the reason as its content
    assert re.search(r">\s*Spam</textarea>", html)
    assert apply(client, refused, action="invalidate", reason="Spam").status_code == 302
    assert set(statuses().values()) == {SignatureStatus.INVALIDATED}


def test_a_status_change_among_the_matches_is_refused_too(client, campaign, moderator):
    add_signature(campaign, "a@spam.example", SignatureStatus.INVALIDATED)
    other = add_signature(campaign, "b@spam.example")
    page = preview(client, campaign, domain="spam.example")
    other.status = SignatureStatus.INVALIDATED  # another moderator got there first
    db.session.commit()
    assert apply(client, page, action="restore", reason="Oops").status_code == 409


def test_bulk_change_is_audited_once_with_filters_count_and_reason(client, campaign, moderator):
    for number in range(3):
        add_signature(campaign, f"bot{number}@spam.example", country="PL")
    add_signature(campaign, "human@spam.example", country="UA")
    page = preview(client, campaign, domain="spam.example", country="PL")
    apply(client, page, action="invalidate", reason="Same minute, same domain")

    [event] = audit_events("signatures.bulk_invalidate")
    assert event.actor_id == moderator.id
    assert event.object_type == "campaign"
    assert event.object_id == str(campaign.id)
    assert "3 signatures" in event.detail
    assert "domain=spam.example" in event.detail
    assert "country=PL" in event.detail
    assert "reason: Same minute, same domain" in event.detail


def test_audit_detail_masks_an_exact_email_filter(client, campaign, moderator):
    add_signature(campaign, "olena.test@gmail.com")
    page = preview(client, campaign, email="Olena.Test+petition@googlemail.com")
    assert matches(page.get_data(as_text=True)) == 1  # normalised as signing does
    apply(client, page, action="invalidate", reason="Asked to be removed")
    [event] = audit_events("signatures.bulk_invalidate")
    assert "email=o***@gmail.com" in event.detail
    assert "olenatest" not in event.detail


def test_a_reason_is_required_and_at_most_200_characters(client, campaign, moderator):
    add_signature(campaign, "bot@spam.example")
    page = preview(client, campaign, domain="spam.example")
    for reason in ("", "   ", "x" * 201):
        response = apply(client, page, action="invalidate", reason=reason)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert "Please give a reason." in html or "200 characters or fewer" in html
    assert set(statuses().values()) == {SignatureStatus.CONFIRMED}
    assert apply(client, page, action="invalidate", reason="x" * 200).status_code == 302


def test_nothing_to_change_is_said_plainly(client, campaign, moderator):
    add_signature(campaign, "bot@spam.example", SignatureStatus.INVALIDATED)
    page = preview(client, campaign, domain="spam.example")
    response = apply(client, page, action="invalidate", reason="Again")
    assert response.status_code == 422
    assert "None of the matching signatures can be changed that way." in response.get_data(
        as_text=True
    )


def test_the_apply_form_refuses_without_its_csrf_token(client, campaign, moderator):
    add_signature(campaign, "bot@spam.example")
    page = preview(client, campaign, domain="spam.example")
    data = hidden_inputs(page.get_data(as_text=True))
    data.pop("csrf_token")
    response = client.post(
        "/staff/signatures/apply", data={**data, "action": "invalidate", "reason": "x"}
    )
    assert response.status_code == 400
    assert set(statuses().values()) == {SignatureStatus.CONFIRMED}


def test_single_signature_invalidate_and_restore(client, campaign, moderator):
    target = add_signature(campaign, "olena@example.org")
    add_signature(campaign, "other@example.org")
    assert public_count(client) == 2

    url = f"/staff/signatures/{target.id}"
    page = client.get(url)
    assert page.status_code == 200
    form = hidden_inputs(page.get_data(as_text=True))
    assert form["action"] == "invalidate"
    response = client.post(url, data={**form, "reason": "Signer asked by phone"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/staff/signatures?campaign={campaign.id}"
    assert statuses()["olena@example.org"] is SignatureStatus.INVALIDATED
    assert public_count(client) == 1
    [event] = audit_events("signature.invalidate")
    assert (event.object_type, event.object_id) == ("signature", str(target.id))
    assert event.actor_id == moderator.id
    assert event.detail == "reason: Signer asked by phone"

    # The same (now stale) form again changes nothing.
    again = client.post(url, data={**form, "reason": "Twice"})
    assert again.status_code == 409
    assert len(audit_events("signature.invalidate")) == 1

    page = client.get(url)
    form = hidden_inputs(page.get_data(as_text=True))
    assert form["action"] == "restore"
    assert client.post(url, data={**form, "reason": "Mistake"}).status_code == 302
    assert statuses()["olena@example.org"] is SignatureStatus.CONFIRMED
    assert public_count(client) == 2
    [event] = audit_events("signature.restore")
    assert event.object_id == str(target.id)


def test_single_update_keeps_the_review_filters(client, campaign, moderator):
    target = add_signature(campaign, "bot@spam.example")
    listing = preview(client, campaign, domain="spam.example").get_data(as_text=True)
    link = re.search(rf'href="(/staff/signatures/{target.id}\?[^"]+)"', listing)
    assert link
    url = link.group(1).replace("&amp;", "&")
    page = client.get(url)
    response = client.post(
        url, data={**hidden_inputs(page.get_data(as_text=True)), "reason": "Bot"}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "domain=spam.example" in location
    assert f"campaign={campaign.id}" in location


def test_single_update_needs_a_reason_and_a_known_action(client, campaign, moderator):
    target = add_signature(campaign)
    url = f"/staff/signatures/{target.id}"
    form = hidden_inputs(client.get(url).get_data(as_text=True))
    assert client.post(url, data={**form, "reason": ""}).status_code == 422
    assert client.post(url, data={**form, "action": "delete", "reason": "x"}).status_code == 422
    assert client.post("/staff/signatures/999999", data={**form, "reason": "x"}).status_code == 404
    assert client.get("/staff/signatures/999999").status_code == 404
    assert set(statuses().values()) == {SignatureStatus.CONFIRMED}


OURS = "{campaign}"  # replaced by the test campaign's id


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"campaign": "999999"}, "There is no such campaign"),
        ({"campaign": "abc"}, "Please choose a campaign from the list."),
        ({"domain": "spam.example"}, "Please choose a campaign."),
        ({"campaign": OURS, "status": "deleted"}, "There is no such status"),
        ({"campaign": OURS, "country": "XX"}, "There is no such country"),
        ({"campaign": OURS, "window": "signed"}, "Please choose when the dates apply to."),
        ({"campaign": OURS, "domain": "not a domain"}, "Please enter a domain such as"),
        ({"campaign": OURS, "email": "no-at-sign"}, "Please enter a whole email address."),
        ({"campaign": OURS, "date_from": "2025-13-01"}, "Please enter a date as YYYY-MM-DD."),
        (
            {"campaign": OURS, "date_from": "2025-02-01", "date_to": "2025-01-01"},
            "The end date is before the start date.",
        ),
    ],
)
def test_unknown_filter_values_are_a_422_with_a_clear_message(
    client, campaign, moderator, filters, message
):
    query = {key: value.format(campaign=campaign.id) for key, value in filters.items()}
    response = client.get("/staff/signatures", query_string=query)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert html.count(message) == 2  # in the error summary and at the field
    assert "signatures match" not in html


def test_apply_with_unknown_values_is_a_422(client, campaign, moderator):
    add_signature(campaign, "bot@spam.example")
    page = preview(client, campaign, domain="spam.example")
    assert apply(client, page, action="delete", reason="x").status_code == 422
    assert apply(client, page, action="invalidate", reason="x", status="gone").status_code == 422
    assert apply(client, page, action="invalidate", reason="x", expected="lots").status_code == 422
    assert set(statuses().values()) == {SignatureStatus.CONFIRMED}


def test_filters_by_window_country_and_status(client, campaign, moderator):
    add_signature(campaign, "jan@example.org", created_at=DAY_ONE, country="UA")
    add_signature(campaign, "feb@example.org", created_at=DAY_ONE + timedelta(days=10))
    add_signature(campaign, "late@example.org", created_at=DAY_ONE + timedelta(days=30))
    add_signature(campaign, "pending@example.org", SignatureStatus.PENDING, country="PL")

    def count_for(**filters: str) -> int:
        return matches(preview(client, campaign, **filters).get_data(as_text=True))

    assert count_for() == 4
    assert count_for(date_from="2025-01-28", date_to="2025-01-28") == 2  # whole UTC days
    assert count_for(date_from="2025-02-01") == 2
    assert count_for(date_to="2025-02-07") == 3
    # Confirmed an hour after signing; the pending one was never confirmed.
    assert count_for(window="confirmed", date_from="2025-01-28", date_to="2025-01-28") == 1
    assert count_for(country="PL") == 1
    assert count_for(status="pending") == 1
    assert count_for(email="JAN@example.org") == 1


def test_the_filter_form_as_a_browser_sends_it(client, campaign, moderator):
    """Every field is sent, the unused ones empty."""
    add_signature(campaign, "bot@spam.example")
    add_signature(campaign, "human@example.org")
    query = dict.fromkeys(("email", "date_from", "date_to", "country", "status"), "")
    query |= {"campaign": str(campaign.id), "domain": "spam.example", "window": "created"}
    response = client.get("/staff/signatures", query_string=query)
    assert response.status_code == 200
    assert matches(response.get_data(as_text=True)) == 1


def test_review_rows_show_the_public_name_and_the_domain_never_an_address(
    client, campaign, moderator
):
    shown = add_signature(campaign, "olena.kovalenko@mail.example", name="Olena Kovalenko")
    add_signature(
        campaign, "ivan.petrenko@mail.example", name="Ivan Petrenko", display=Display.INITIALS
    )
    add_signature(campaign, "hidden@mail.example", name="Secret Person", display=Display.ANONYMOUS)
    html = preview(client, campaign, domain="mail.example").get_data(as_text=True)

    assert matches(html) == 3
    assert "<bdi>Olena Kovalenko</bdi>" in html
    assert "<bdi>I. P.</bdi>" in html  # as the signer chose to be shown
    assert "Ivan Petrenko" not in html
    assert "Secret Person" not in html  # anonymous signers are never named
    assert "(anonymous)" in html
    assert html.count("<td>mail.example</td>") == 3
    assert "@mail.example" not in html  # no address, not even a masked one

    single = client.get(f"/staff/signatures/{shown.id}").get_data(as_text=True)
    assert "<bdi>Olena Kovalenko</bdi>" in single
    assert "<td>mail.example</td>" in single
    assert "@mail.example" not in single


def test_the_domain_filter_is_the_exact_domain_and_gmail_under_both_names(
    client, campaign, moderator
):
    add_signature(campaign, "a@mail.example")
    add_signature(campaign, "b@sub.mail.example")
    add_signature(campaign, "c@googlemail.com")
    add_signature(campaign, "d@gmail.com")

    def count_for(domain: str) -> int:
        return matches(preview(client, campaign, domain=domain).get_data(as_text=True))

    assert count_for("mail.example") == 1
    assert count_for("MAIL.Example.") == 1
    assert count_for("gmail.com") == 2  # Gmail's two names are one provider
    assert count_for("googlemail.com") == 2


SOUGHT = "Olena.Kovalenko@mail.example"


def page_text(response) -> str:
    """Everything a page gives the browser: its headers and its HTML."""
    return str(response.headers) + response.get_data(as_text=True)


def assert_no_form_of_sought(text: str) -> None:
    """Not the address sought, in any spelling (its local part is in none of the names)."""
    assert "kovalenko" not in text.casefold()


def test_searching_by_an_address_finds_it_without_the_address_in_the_page(
    client, campaign, moderator
):
    wanted = add_signature(campaign, SOUGHT, name="Olena K", display=Display.INITIALS)
    add_signature(campaign, "olena.k@mail.example", name="Someone Else")

    typed = client.get("/staff/signatures", query_string={"campaign": campaign.id, "email": SOUGHT})
    assert typed.status_code == 303  # the address typed is swapped for its reference
    location = typed.headers["Location"]
    assert "email_ref=" in location
    assert "email=" not in location.replace("email_ref=", "")
    assert_no_form_of_sought(location)

    page = client.get(location)
    html = page.get_data(as_text=True)
    assert matches(html) == 1
    assert "<bdi>O. K.</bdi>" in html
    assert f'href="/staff/signatures/{wanted.id}?' in html
    assert "o***@mail.example" in html  # the search is shown only by its mask
    assert_no_form_of_sought(page_text(page))
    field = re.search(r'<input[^>]* name="email"[^>]*>', html)
    assert field
    assert 'value=""' in field.group(0)  # not typed back into the field

    # The row's page, and the way back from it, carry the search on by its reference.
    link = re.search(rf'href="(/staff/signatures/{wanted.id}\?[^"]+)"', html)
    assert link
    single = client.get(link.group(1).replace("&amp;", "&"))
    assert_no_form_of_sought(page_text(single))
    back = re.search(r'href="(/staff/signatures\?[^"]+)"', single.get_data(as_text=True))
    assert back
    assert matches(client.get(back.group(1).replace("&amp;", "&")).get_data(as_text=True)) == 1

    # Changing another filter keeps the address sought: the form carries its reference.
    reference = hidden_inputs(html)["email_ref"]
    narrower = preview(client, campaign, email_ref=reference, country="UA")
    assert matches(narrower.get_data(as_text=True)) == 1
    assert "o***@mail.example" in narrower.get_data(as_text=True)
    elsewhere = preview(client, campaign, email_ref=reference, country="PL")
    assert matches(elsewhere.get_data(as_text=True)) == 0
    without = re.search(r'<a href="(/staff/signatures\?[^"]+)">Search without it</a>', html)
    assert without
    assert "email_ref" not in without.group(1)
    assert matches(client.get(without.group(1).replace("&amp;", "&")).get_data(as_text=True)) == 2


@pytest.mark.parametrize(
    "spelling",
    [
        "olena.kovalenko@mail.example",
        "OLENA.KOVALENKO@MAIL.EXAMPLE",
        "Olena.Kovalenko+petition@Mail.Example",
        "olena.kovalenko@mail.example.",
    ],
)
def test_another_spelling_of_the_same_address_finds_the_signature(
    client, campaign, moderator, spelling
):
    add_signature(campaign, SOUGHT)
    add_signature(campaign, "olena.kovalenko@other.example")
    page = preview(client, campaign, email=spelling)
    assert matches(page.get_data(as_text=True)) == 1
    assert_no_form_of_sought(page_text(page))


def test_the_audit_entry_of_a_search_holds_only_the_masked_address(client, campaign, moderator):
    target = add_signature(campaign, SOUGHT)
    page = preview(client, campaign, email="olena.kovalenko+x@MAIL.example")
    assert apply(client, page, action="invalidate", reason="Asked by phone").status_code == 302
    assert statuses() == {SOUGHT: SignatureStatus.INVALIDATED}

    [event] = audit_events("signatures.bulk_invalidate")
    assert "email=o***@mail.example" in event.detail
    assert_no_form_of_sought(event.detail)
    # Nor its hash: the trail outlives the signature, and with the key a hash can be tested.
    assert target.email_hash not in event.detail


def test_a_hand_made_address_reference_is_a_form_error(client, campaign, moderator):
    add_signature(campaign, SOUGHT)
    page = preview(client, campaign, email=SOUGHT)
    # Made elsewhere, to put another mask in the audit trail.
    other_key = URLSafeSerializer("not this server's key", salt="signature-review-email")
    forged = other_key.dumps([email_hash(SOUGHT), "z***@elsewhere.example"])
    response = client.get(
        "/staff/signatures", query_string={"campaign": campaign.id, "email_ref": forged}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The address searched for could not be read. Please type it again." in html
    assert "signatures match" not in html
    refused = apply(client, page, email_ref=forged, action="invalidate", reason="x")
    assert refused.status_code == 422
    assert set(statuses().values()) == {SignatureStatus.CONFIRMED}


def test_review_shows_at_most_50_rows(client, campaign, moderator):
    for _ in range(55):
        add_signature(campaign)
    html = preview(client, campaign).get_data(as_text=True)
    assert matches(html) == 55
    assert html.count('href="/staff/signatures/') == 50
    assert "The newest 50 of them" in html


def test_exporter_cannot_review_signatures(client, campaign):
    target = add_signature(campaign)
    sign_in_staff(client, make_staff(Role.EXPORTER))
    assert client.get(f"/staff/campaigns/{campaign.id}/dashboard").status_code == 200
    assert client.get("/staff/signatures").status_code == 403
    assert client.get(f"/staff/signatures?campaign={campaign.id}").status_code == 403
    assert client.get(f"/staff/signatures/{target.id}").status_code == 403
    assert client.post("/staff/signatures/apply", data={}).status_code in (400, 403)
    assert set(statuses().values()) == {SignatureStatus.CONFIRMED}


def test_review_page_without_filters_shows_just_the_form(client, campaign, moderator):
    response = client.get("/staff/signatures")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<select id="campaign"' in html
    assert "signatures match" not in html


def test_every_search_for_an_address_is_on_the_record_masked(client, campaign, moderator):
    """Whether one person signed is what someone out to unmask a signer would ask."""
    add_signature(campaign, SOUGHT)
    client.get("/staff/signatures", query_string={"campaign": campaign.id, "email": SOUGHT})
    client.get(
        "/staff/signatures", query_string={"campaign": campaign.id, "domain": "mail.example"}
    )
    [looked_up] = audit_events("signatures.looked_up")
    assert looked_up.actor_id == moderator.id
    assert looked_up.object_id == str(campaign.id)
    assert "email=o***@mail.example" in looked_up.detail
    assert_no_form_of_sought(looked_up.detail)
    assert email_hash(SOUGHT) not in looked_up.detail
