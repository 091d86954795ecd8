"""A party whose names policy is `counted` gets totals and the count by country, and no
name of anyone, in any file of its package; a `named` party gets each signer as they chose."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from petition.delivery.background import queue_package
from petition.delivery.package import (
    COUNTED_FILES,
    FILES,
    INDIVIDUALS_CSV,
    MANIFEST,
    build_package,
    write_package,
)
from petition.extensions import db
from petition.models import Display, Listing, NamesPolicy
from tests.delivery.outputs import CUTOFF, add_organisation, add_signature, add_target, package_text
from tests.factories import make_campaign

# A signer in Russia who chose to be named in full, one who chose initials, one in Ukraine.
RUSSIAN_FULL = "Ivan Fullname-Russky"
RUSSIAN_INITIALS = ("Марина Инициалова", "М. И.")
UKRAINIAN_FULL = "Олена Петренко"
LISTED = ("Open Doors Legal Aid", "Відкриті двері — правова допомога")
COUNTED_ONLY = "Quiet Harbour Initiative"
NAMES = (
    RUSSIAN_FULL,
    "Fullname",
    *RUSSIAN_INITIALS,
    "Инициалова",
    UKRAINIAN_FULL,
    "Петренко",
    *LISTED,
    "Open Doors",
    COUNTED_ONLY,
)


@pytest.fixture
def campaign(app):
    campaign = make_campaign()
    add_signature(campaign, RUSSIAN_FULL, country="RU")
    add_signature(campaign, RUSSIAN_INITIALS[0], country="RU", display=Display.INITIALS)
    add_signature(campaign, UKRAINIAN_FULL, country="UA")
    add_signature(campaign, "Анонім Анонімний", country="UA", display=Display.ANONYMOUS)
    add_organisation(campaign, LISTED[0], name_original=LISTED[1], country="UA")
    add_organisation(campaign, COUNTED_ONLY, listing=Listing.COUNTED, country="RU")
    db.session.commit()
    return campaign


def build(campaign, tmp_path, lang: str, policy: NamesPolicy):
    target = add_target(campaign, lang)
    target.names_policy = policy
    package = build_package(campaign, target, cutoff=CUTOFF, out_dir=tmp_path)
    db.session.commit()
    return package


def test_a_russian_resident_is_named_to_ukraine_and_to_nobody_in_the_russian_package(
    campaign, tmp_path
):
    ukraine = build(campaign, tmp_path, "uk", NamesPolicy.NAMED)
    russia = build(campaign, tmp_path, "ru", NamesPolicy.COUNTED)

    named = package_text(Path(ukraine.folder))
    for annex in ("annex_individuals.pdf", "annex_individuals.csv", "annex_individuals.xlsx"):
        for shown in (RUSSIAN_FULL, RUSSIAN_INITIALS[1], UKRAINIAN_FULL):
            assert shown in named[annex], (shown, annex)
    assert LISTED[0] in named["annex_organisations.pdf"]

    counted = package_text(Path(russia.folder))
    assert set(counted) == {*COUNTED_FILES, MANIFEST}
    for file, text in counted.items():
        for name in NAMES:
            assert name not in text, f"{name!r} is in {file} of the counted package"


def test_the_counted_package_carries_totals_and_the_count_by_country(campaign, tmp_path):
    russia = build(campaign, tmp_path, "ru", NamesPolicy.COUNTED)
    assert russia.names_policy is NamesPolicy.COUNTED
    assert russia.counts["individuals"] == 4
    assert russia.counts["individuals_named"] == russia.counts["individuals_initials"] == 0
    assert russia.counts["organisations"] == 2
    assert russia.counts["organisations_named"] == 0
    assert set(russia.files) == set(COUNTED_FILES)

    texts = package_text(Path(russia.folder))
    manifest = json.loads(texts[MANIFEST])
    assert manifest["names_policy"] == "counted"
    assert manifest["counts"]["individuals"] == 4
    summary = " ".join(texts["summary.pdf"].split())
    assert "Россия 2" in summary
    assert "Украина 2" in summary
    assert "Названные организации" not in summary  # no count of named ones, by country or type
    letter = " ".join(texts["cover_letter.pdf"].split())
    assert "Частные лица: 4" in letter
    assert "Организации: 2" in letter
    for text in (letter, texts["cover_letter.docx"]):  # no annex is referred to: there is none
        for annex in ("приложении 1", "приложении 2", "Приложение 1", "Приложение 2"):
            assert annex not in text


def test_the_named_package_says_so_in_its_manifest(campaign, tmp_path):
    ukraine = build(campaign, tmp_path, "uk", NamesPolicy.NAMED)
    assert ukraine.names_policy is NamesPolicy.NAMED
    assert set(ukraine.files) == set(FILES)
    assert json.loads(package_text(Path(ukraine.folder))[MANIFEST])["names_policy"] == "named"


def test_a_queued_package_is_built_with_the_policy_its_party_has_when_it_is_built(
    campaign, tmp_path
):
    """Staff who make a party counted after queueing its package must not send it names."""
    target = add_target(campaign, "ru")
    package = queue_package(campaign, target, cutoff=CUTOFF, actor=None)
    db.session.commit()
    assert package.names_policy is NamesPolicy.NAMED

    target.names_policy = NamesPolicy.COUNTED
    db.session.commit()
    write_package(package, tmp_path)
    db.session.commit()
    assert package.names_policy is NamesPolicy.COUNTED
    folder = Path(package.folder)
    assert not (folder / INDIVIDUALS_CSV).exists()
    for text in package_text(folder).values():
        assert RUSSIAN_FULL not in text
