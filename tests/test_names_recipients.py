"""The signing page and the privacy page say which parties receive signers' names and which
only numbers, from the campaign's parties as they are now."""

from __future__ import annotations

import re

import pytest

from petition.campaigns.targets import attach_target
from petition.extensions import db
from petition.models import CampaignStatus, NamesPolicy, Target
from tests.factories import make_campaign


@pytest.fixture
def campaign(app):
    campaign = make_campaign()
    for name, policy in (
        ("Office of the President of Ukraine", NamesPolicy.NAMED),
        ("President of the Russian Federation", NamesPolicy.COUNTED),
        ("UN Secretary-General", NamesPolicy.NAMED),
    ):
        attach_target(campaign, Target(name=name, lang="en", names_policy=policy), actor=None)
    db.session.commit()
    return campaign


def told(html: str, policy: str) -> list[str]:
    """The parties listed under `policy` on the page (every list of it, in order)."""
    lists = re.findall(rf'<ul class="names-recipients-{policy}">(.*?)</ul>', html, re.S)
    return [name for found in lists for name in re.findall(r"<li>(.*?)</li>", found)]


def test_the_signing_page_says_who_receives_names_and_who_only_numbers(client, campaign):
    html = client.get("/en/free-them/sign").get_data(as_text=True)
    assert "Who receives your name" in html
    assert told(html, "named") == ["Office of the President of Ukraine", "UN Secretary-General"]
    assert told(html, "counted") == ["President of the Russian Federation"]
    assert "only numbers" in html


def test_the_privacy_page_says_it_for_each_public_campaign(client, campaign):
    draft = make_campaign("draft-one", CampaignStatus.DRAFT)
    attach_target(draft, Target(name="Draft Party", lang="en"), actor=None)
    db.session.commit()
    html = client.get("/en/privacy").get_data(as_text=True)
    assert "Free them all" in html
    assert told(html, "named") == ["Office of the President of Ukraine", "UN Secretary-General"]
    assert told(html, "counted") == ["President of the Russian Federation"]
    assert "Draft Party" not in html
    assert "Who receives your name" not in html  # each campaign is headed by its title
    assert "these can include the government of Russia" not in html


def test_what_signers_are_told_follows_a_change_of_policy(client, campaign):
    russia = next(t for t in campaign.targets if t.name.startswith("President of the Russian"))
    russia.names_policy = NamesPolicy.NAMED
    ukraine = next(t for t in campaign.targets if t.name.startswith("Office of the President"))
    ukraine.names_policy = NamesPolicy.COUNTED
    db.session.commit()
    for path in ("/en/free-them/sign", "/en/privacy"):
        html = client.get(path).get_data(as_text=True)
        assert told(html, "counted") == ["Office of the President of Ukraine"], path
        assert "President of the Russian Federation" in told(html, "named"), path


def test_a_campaign_without_parties_promises_nothing(client, app):
    make_campaign()
    html = client.get("/en/free-them/sign").get_data(as_text=True)
    assert "Who receives your name" not in html
