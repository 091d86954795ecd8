"""The console sends an update to at most UPDATE_CONSOLE_MAX_RECIPIENTS signers: one web
request opens every recipient's sealed address and queues their mail, and a very large
update would outlast the request's time limit. Beyond it the console refuses, at the
preview and again at the send, and names the command that sends large updates."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import force_locale, ngettext
from sqlalchemy import func, select

from petition.config import Settings
from petition.extensions import db
from petition.models import CampaignUpdate, Role
from petition.sealing import write_identity
from tests.factories import CUSTODIAN, make_campaign, make_signature, make_staff
from tests.pages import sign_in_staff
from tests.staff.test_updates import (
    UPDATE,
    confirmation,
    preview,
    queued_updates,
    send,
)

LIMIT = 2
COMMAND = "flask --app petition updates send free-them --lang uk"


@pytest.fixture
def app_config():
    return {"UPDATE_CONSOLE_MAX_RECIPIENTS": LIMIT}


@pytest.fixture
def admin(client):
    user = make_staff(Role.ADMIN)
    sign_in_staff(client, user)
    return user


def consenting_signers(campaign, count: int, start: int = 0) -> None:
    for number in range(start, start + count):
        make_signature(campaign, email=f"news{number}@example.org", lang="uk", wants_updates=True)


def records() -> int:
    return db.session.scalar(select(func.count()).select_from(CampaignUpdate))


def assert_refused_with_the_command(response, recipients: int) -> None:
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"This update would go to {recipients} signers" in page
    assert f"more than the console sends at once ({LIMIT})" in page
    assert COMMAND in page
    assert "--subject" in page
    assert "--body-file" in page
    assert "--identity" in page
    assert 'role="alert"' in page
    assert "Send to" not in page  # no button to send it anyway
    assert 'name="subject"' in page  # the update stays in the form, to change or copy
    assert queued_updates() == 0
    assert records() == 0


def test_at_the_limit_the_console_sends(client, admin):
    campaign = make_campaign()
    consenting_signers(campaign, LIMIT)
    response = send(client, campaign, confirmation(client, campaign))
    assert response.status_code == 302
    assert queued_updates() == LIMIT


def test_one_more_than_the_limit_is_refused_at_the_preview(client, admin):
    campaign = make_campaign()
    consenting_signers(campaign, LIMIT + 1)
    assert_refused_with_the_command(preview(client, campaign), LIMIT + 1)


def test_signers_added_after_the_preview_make_the_send_refused(client, admin):
    """The count is taken again when the update is sent: a preview of two is no licence
    to queue three."""
    campaign = make_campaign()
    consenting_signers(campaign, LIMIT)
    form = confirmation(client, campaign)
    consenting_signers(campaign, 1, start=LIMIT)
    assert_refused_with_the_command(send(client, campaign, form), LIMIT + 1)


def test_signers_in_other_languages_do_not_count(client, admin):
    campaign = make_campaign()
    consenting_signers(campaign, LIMIT)
    make_signature(campaign, email="en@example.org", lang="en", wants_updates=True)
    assert preview(client, campaign).status_code == 200


def test_the_command_line_sends_a_large_update(app, client, admin, tmp_path):
    campaign = make_campaign()
    consenting_signers(campaign, LIMIT + 1)
    body, identity = tmp_path / "body.txt", tmp_path / "custodian.key"
    body.write_text(UPDATE["body"], encoding="utf-8")
    write_identity(CUSTODIAN, identity)
    args = ["updates", "send", "free-them", "--lang", "uk", "--subject", UPDATE["subject"]]
    args += ["--body-file", str(body), "--identity", str(identity)]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    assert f"{LIMIT + 1} update(s) queued." in result.output
    assert queued_updates() == LIMIT + 1


def test_the_subject_is_quoted_for_the_shell(client, admin):
    """The command shown carries the subject as one shell word, whatever it holds."""
    campaign = make_campaign()
    consenting_signers(campaign, LIMIT + 1)
    response = preview(client, campaign, subject="It's $HOME; `date`")
    page = response.get_data(as_text=True)
    assert "--subject &#39;It&#39;&#34;&#39;&#34;&#39;s $HOME; `date`&#39;" in page


def test_the_message_is_translated(app: Flask):
    for lang in ("uk", "ru"):
        with app.test_request_context(), force_locale(lang):
            text = ngettext(
                "This update would go to %(num)d signer, more than the console sends at once "
                "(%(limit)d).",
                "This update would go to %(num)d signers, more than the console sends at once "
                "(%(limit)d).",
                21_000,
                limit=20_000,
            )
        assert "This update" not in text
        assert "21000" in text
        assert "20000" in text


def test_the_default_limit_and_its_setting(tmp_path, monkeypatch):
    assert Settings.from_env(tmp_path, secret_key="x").UPDATE_CONSOLE_MAX_RECIPIENTS == 20_000
    monkeypatch.setenv("UPDATE_CONSOLE_MAX_RECIPIENTS", "500")
    assert Settings.from_env(tmp_path, secret_key="x").UPDATE_CONSOLE_MAX_RECIPIENTS == 500
