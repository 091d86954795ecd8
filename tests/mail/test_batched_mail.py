"""A batch of mail is built together: each mail in its own signer's language, and every link's
token written in one statement, hashed, committed before the first mail goes out."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from petition.campaigns.signable import signable
from petition.extensions import db
from petition.mail.sending import deliver_due
from petition.models import LinkToken, Signature, SignatureStatus, TokenPurpose
from petition.personal import email_hash, open_details
from petition.signing.services import SignatureRequest, request_signature
from petition.tokens import find_signature_token, hash_token
from tests.factories import CUSTODIAN, make_campaign
from tests.pages import hidden_inputs, link_in, manage_link_in, path_of

LANGUAGES = ["en", "uk", "ru", "uk", "en", "ru", "ru"]


@pytest.fixture
def campaign(app):
    return make_campaign()


def queue_in_languages(campaign, languages: list[str]) -> list[str]:
    """One signing request per language, in that language; their addresses."""
    addresses = []
    kept = signable(campaign.slug, None, "en")
    for number, lang in enumerate(languages):
        address = f"signer{number}@example.org"
        wish = SignatureRequest(
            name=f"Signer {number}",
            email=address,
            country="UA",
            city=None,
            display="full",  # type: ignore[arg-type]
            wants_updates=False,
            lang=lang,
            statement_sha256=campaign.texts[lang].sha256,
        )
        request_signature(kept, wish, client_hash=None)
        addresses.append(address)
    db.session.commit()
    return addresses


def tokens_in_database() -> int:
    return db.session.scalar(select(func.count()).select_from(LinkToken)) or 0


def test_a_batch_mixing_languages_sends_each_mail_in_its_signers_language(campaign, mailbox):
    addresses = queue_in_languages(campaign, LANGUAGES)
    assert deliver_due() == len(LANGUAGES)
    for address, lang in zip(addresses, LANGUAGES, strict=True):
        [message] = mailbox.to(address)
        with force_locale(lang):
            subject = gettext("Confirm your signature")
            greeting = gettext("Hello,")
        assert message["Subject"] == subject
        assert greeting in mailbox.text_of(message)
        assert f'<html lang="{lang}">' in mailbox.html_of(message)
        assert f"/{lang}/confirm/" in mailbox.text_of(message)


def test_a_batch_commits_all_its_tokens_before_its_first_mail(app, campaign, mailbox):
    queue_in_languages(campaign, LANGUAGES)
    seen_during_first_mail: list[int] = []

    def count_committed_tokens() -> None:
        mailbox.during_delivery = None
        with app.app_context():  # a session of its own: it sees only what is committed
            seen_during_first_mail.append(tokens_in_database())
            db.session.rollback()

    mailbox.during_delivery = count_committed_tokens
    deliver_due()
    # A confirmation link and a link to manage the signature in each mail.
    assert seen_during_first_mail == [2 * len(LANGUAGES)]


def test_links_of_a_batch_carry_hashed_tokens_that_work_once(client, campaign, mailbox):
    addresses = queue_in_languages(campaign, LANGUAGES[:3])
    deliver_due()
    stored = set(db.session.scalars(select(LinkToken.token_hash)))
    for address in addresses:
        text = mailbox.text_of(mailbox.to(address)[0])
        for url, purpose in (
            (link_in(text), TokenPurpose.CONFIRM_SIGNATURE),
            (manage_link_in(text), TokenPurpose.MANAGE_SIGNATURE),
        ):
            raw = url.rsplit("/", 1)[1]
            assert len(raw) >= 43  # 256 random bits, URL-safe base64
            assert raw not in stored
            assert hash_token(raw) in stored
            token = find_signature_token(raw, purpose)
            assert token is not None
            assert token.signature is not None
            assert open_details(token.signature.sealed, CUSTODIAN).email == address

    url = link_in(mailbox.text_of(mailbox.to(addresses[0])[0]))
    form = hidden_inputs(client.get(path_of(url)).get_data(as_text=True))
    assert client.post(path_of(url), data=form).status_code == 302
    db.session.expire_all()
    token = find_signature_token(url.rsplit("/", 1)[1], TokenPurpose.CONFIRM_SIGNATURE)
    assert token is not None
    assert token.used_at is not None
    mine = Signature.email_hash == email_hash(addresses[0])
    signature = db.session.scalars(select(Signature).where(mine)).one()
    assert signature.status is SignatureStatus.CONFIRMED
