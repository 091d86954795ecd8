"""The package's own wording: one per letter language, each naming every kind of organisation."""

from __future__ import annotations

from petition.delivery.wording import WORDING, package_language, wording
from petition.i18n import LETTER_LANGUAGES
from petition.models import OrganisationKind


def test_there_is_a_wording_for_exactly_the_letter_languages():
    assert set(WORDING) == set(LETTER_LANGUAGES)
    for lang in LETTER_LANGUAGES:
        assert package_language(lang) == lang


def test_every_wording_names_every_kind_of_organisation():
    for lang, words in WORDING.items():
        assert set(words.kinds) == set(OrganisationKind), lang
        assert all(name.strip() for name in words.kinds.values()), lang
    assert wording("ru").kinds[OrganisationKind.UNION] == "Профсоюз"
    assert wording("uk").kinds[OrganisationKind.UNION] == "Профспілка"
    assert wording("de").kinds[OrganisationKind.UNION] == "Trade union"  # English otherwise
