"""After a delivery, staff tell the signers who want updates where their signatures went,
starting from a draft in the signers' language; it names the party and the totals, nobody."""

from __future__ import annotations

from datetime import UTC, datetime
from html import unescape

import pytest

from petition.extensions import db
from petition.models import DeliveryPackage, Display, NamesPolicy, PackageStatus, Role
from tests.delivery.outputs import add_target
from tests.factories import make_campaign, make_signature, make_staff
from tests.mailbox import Mailbox
from tests.pages import hidden_inputs, send_mail, sign_in_staff
from tests.staff.test_updates import compose_url, send

DELIVERED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def campaign(client):
    sign_in_staff(client, make_staff(Role.ADMIN))
    campaign = make_campaign()
    make_signature(
        campaign,
        email="canary.news@example.org",
        name="Canary Newsreader",
        display=Display.FULL,
        lang="uk",
        wants_updates=True,
    )
    db.session.commit()
    return campaign


def delivered(campaign, *, policy=NamesPolicy.NAMED, sent=DELIVERED, people=21, orgs=1):
    target = add_target(campaign, "uk", name="Office of the President of Ukraine")
    package = DeliveryPackage(
        campaign_id=campaign.id,
        target_id=target.id,
        cutoff_at=DELIVERED,
        status=PackageStatus.READY,
        names_policy=policy,
        counts={"individuals": people, "organisations": orgs},
        manifest_sha256="0" * 64,
        sent_at=sent,
    )
    db.session.add(package)
    db.session.commit()
    return package


def news_form(client, campaign, package, lang="uk") -> dict[str, str]:
    page = client.get(f"{compose_url(campaign)}?delivery={package.id}&lang={lang}")
    assert page.status_code == 200
    html = unescape(page.get_data(as_text=True))
    body = html.split('name="body"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    return {**hidden_inputs(html), "lang": lang, "body": body.strip(), "subject": _value(html)}


def _value(html: str) -> str:
    return html.split('name="subject"', 1)[1].split('value="', 1)[1].split('"', 1)[0]


def test_the_draft_tells_of_the_delivery_in_the_signers_language(client, campaign):
    form = news_form(client, campaign, delivered(campaign))

    assert form["subject"] == "Ваш підпис передано"
    assert "20 листопада 2026" in form["body"]
    assert "Office of the President of Ukraine" in form["body"]
    assert "21 особи" not in form["body"]
    assert "21 особа" in form["body"]
    assert "Canary" not in form["body"]


def test_a_counted_party_is_said_to_have_received_only_numbers(client, campaign):
    form = news_form(client, campaign, delivered(campaign, policy=NamesPolicy.COUNTED), "en")

    assert "They received only the numbers and the countries: no name at all." in form["body"]


def test_the_draft_goes_to_signers_who_want_updates_by_the_usual_flow(
    client, campaign, mailbox: Mailbox
):
    form = news_form(client, campaign, delivered(campaign))
    preview = client.post(f"{compose_url(campaign)}/preview", data=form)
    assert preview.status_code == 200
    assert send(client, campaign, hidden_inputs(preview.get_data(as_text=True))).status_code == 302

    assert send_mail() == 1
    [message] = mailbox.to("canary.news@example.org")
    assert message["Subject"] == "Ваш підпис передано"
    assert "Office of the President of Ukraine" in mailbox.text_of(message)


@pytest.mark.parametrize("query", ["delivery=abc&lang=uk", "lang=xx", "delivery=999999&lang=uk"])
def test_no_draft_from_a_query_that_names_no_delivery(client, campaign, query):
    package = delivered(campaign)
    query = query if "delivery" in query else f"delivery={package.id}&{query}"

    assert client.get(f"{compose_url(campaign)}?{query}").status_code == 404


def test_no_draft_of_a_package_not_sent_or_of_another_campaign(client, campaign):
    unsent = delivered(campaign, sent=None)
    other = make_campaign("other-one")
    db.session.commit()
    theirs = delivered(other)

    assert client.get(f"{compose_url(campaign)}?delivery={unsent.id}&lang=uk").status_code == 404
    assert client.get(f"{compose_url(campaign)}?delivery={theirs.id}&lang=uk").status_code == 404


def test_the_package_page_links_to_the_draft_in_each_language(client, campaign):
    package = delivered(campaign)

    page = client.get(f"/staff/deliveries/{package.id}").get_data(as_text=True)

    for lang in ("en", "uk", "ru"):
        assert f"/updates?delivery={package.id}&amp;lang={lang}" in page
