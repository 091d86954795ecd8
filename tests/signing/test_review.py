"""The signature review's rules that need no console: masking addresses, reading domains."""

from __future__ import annotations

import pytest

from petition.signing.review import mask_email, normalise_domain


def test_mask_and_domain_helpers():
    assert mask_email("olena@example.org") == "o***@example.org"
    assert mask_email(None) == "—"
    assert normalise_domain(" @Example.ORG. ") == "example.org"
    # As signatures keep it (`email_domain`): the domain typed, Googlemail not made Gmail.
    assert normalise_domain("googlemail.com") == "googlemail.com"
    with pytest.raises(ValueError, match="x y"):
        normalise_domain("x y")
