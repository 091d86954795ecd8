"""The signature review's rules that need no console: masking addresses, reading domains,
finding signatures by what the server keeps of their address (its hashes and domain)."""

from __future__ import annotations

import pytest

from petition.signing.review import (
    SignatureFilter,
    SoughtEmail,
    first_matching,
    mask_email,
    normalise_domain,
)
from tests.factories import make_campaign, make_signature


def test_mask_and_domain_helpers():
    assert mask_email("olena@example.org") == "o***@example.org"
    assert mask_email(None) == "—"
    assert normalise_domain(" @Example.ORG. ") == "example.org"
    # As signatures keep it (`email_domain`): the domain typed, Googlemail not made Gmail.
    assert normalise_domain("googlemail.com") == "googlemail.com"
    with pytest.raises(ValueError, match="x y"):
        normalise_domain("x y")


def found(campaign, email: str | None = None, domain: str | None = None) -> set[int]:
    sought = SoughtEmail.of(email) if email else None
    signature_filter = SignatureFilter.build(campaign.id, email=sought, domain=domain)
    return {row.id for row in first_matching(signature_filter)}


def test_signatures_are_found_by_address_and_domain_though_both_are_sealed(app):
    campaign = make_campaign()
    gmail = make_signature(campaign, email="Olena.Test@gmail.com")
    googlemail = make_signature(campaign, email="ivan@GoogleMail.com")
    plain = make_signature(campaign, email="anna@example.org")
    make_signature(campaign, email="petro@mail.example.org")  # a subdomain is another domain

    assert found(campaign, email="olenatest+x@googlemail.com") == {gmail.id}  # one person
    assert found(campaign, email="ANNA@example.org") == {plain.id}
    assert found(campaign, email="nobody@example.org") == set()
    for typed in ("gmail.com", "@GoogleMail.com."):  # Gmail's two names are one domain
        assert found(campaign, domain=typed) == {gmail.id, googlemail.id}
    assert found(campaign, domain="example.org") == {plain.id}
    sought = SoughtEmail.of("anna@example.org")
    [row] = first_matching(SignatureFilter.build(campaign.id, email=sought))
    assert row.email_domain == "example.org"
