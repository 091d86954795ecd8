"""What a package must never contain, checked in every file it holds."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree

import pyrage
import pytest

from petition.cells import inert_cell
from petition.delivery.package import build_package
from petition.extensions import db
from petition.models import Display, Listing, OrganisationStatus, SignatureStatus
from tests.delivery.outputs import (
    CUTOFF,
    add_organisation,
    add_signature,
    add_target,
    package_text,
)
from tests.factories import make_campaign

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")

# Seen: what a package must show, so that the checks below read real text.
SHOWN = (
    "Олена Петренко",
    "Дмитрий Иванов",
    "О. П.",  # Оксана Прихована, who chose initials
    "Open Doors Legal Aid",
    "Відкриті двері — правова допомога",
)

# Canaries: each appears in the database and must appear in no file of the package.
CANARY_SIGNERS = {
    "anonymous": ("Анонім Канарковий", {"display": Display.ANONYMOUS}),
    "anonymous ru": ("Аноним Канареечный", {"display": Display.ANONYMOUS, "country": "RU"}),
    "initials hide the name": ("Оксана Прихована", {"display": Display.INITIALS}),
    "invalidated": ("Инвалид Канарейкин", {"status": SignatureStatus.INVALIDATED}),
    "withdrawn": ("Відкликаний Канарко", {"status": SignatureStatus.WITHDRAWN}),
    "pending": ("Ожидающий Канареев", {"status": SignatureStatus.PENDING}),
    "after the cut-off": ("Поздний Канарейко", {"confirmed_at": CUTOFF + timedelta(seconds=1)}),
    "at the cut-off": ("Граничний Канарець", {"confirmed_at": CUTOFF}),
}
CANARY_ORGANISATIONS = {
    "counted only": ("Тайная Канареечная Группа", {"listing": Listing.COUNTED}),
    "withdrawn": ("Withdrawn Canary Collective", {"status": OrganisationStatus.WITHDRAWN}),
    "rejected": ("Rejected Canary Trust", {"status": OrganisationStatus.REJECTED}),
    "merged": ("Merged Canary Duplicate", {"status": OrganisationStatus.MERGED}),
    "pending": ("Pending Canary Union", {"status": OrganisationStatus.PENDING}),
    "awaiting review": ("Awaiting Canary Circle", {"status": OrganisationStatus.AWAITING_REVIEW}),
    "approved after the cut-off": (
        "Late Canary Alliance",
        {"reviewed_at": CUTOFF + timedelta(minutes=1)},
    ),
}
CANARY_CITY = "Канаркоград"
CANARY_REPRESENTATIVE = "Representative Canarysson"


@pytest.fixture
def package_folder(app, tmp_path):
    campaign = make_campaign()
    emails = []
    add_signature(campaign, "Олена Петренко", city=CANARY_CITY, email="olena@canary.example")
    add_signature(campaign, "Дмитрий Иванов", country="RU", email="dmitry@canary.example")
    for label, (name, options) in CANARY_SIGNERS.items():
        email = f"{label.replace(' ', '.')}@canary-signer.example"
        emails.append(email)
        add_signature(campaign, name, email=email, **options)
    add_organisation(
        campaign,
        "Open Doors Legal Aid",
        name_original="Відкриті двері — правова допомога",
        rep_name=CANARY_REPRESENTATIVE,
        rep_email="rep@canary-org.example",
    )
    for label, (name, options) in CANARY_ORGANISATIONS.items():
        email = f"{label.replace(' ', '.')}@canary-org.example"
        emails.append(email)
        add_organisation(
            campaign, f"{name}", name_original=f"{name} (original)", rep_email=email, **options
        )
    db.session.commit()
    target = add_target(campaign, "ru", organisation="Правительство Российской Федерации")
    package = build_package(campaign, target, cutoff=CUTOFF, out_dir=tmp_path)
    db.session.commit()
    return Path(package.folder)


def test_shown_names_are_there_so_the_checks_read_real_text(package_folder):
    texts = package_text(package_folder)
    everything = "\n".join(texts.values())
    for name in SHOWN:
        assert name in everything, name
    for name in ("Олена Петренко", "Дмитрий Иванов", "О. П."):
        for annex in ("annex_individuals.pdf", "annex_individuals.csv", "annex_individuals.xlsx"):
            assert name in texts[annex], (name, annex)


@pytest.mark.parametrize(
    "canary",
    [
        *(name for name, _ in CANARY_SIGNERS.values()),
        *(name for name, _ in CANARY_ORGANISATIONS.values()),
        "Прихована",  # the surname behind "О. П."
        CANARY_CITY,
        CANARY_REPRESENTATIVE,
        "canary.example",
        "canary-signer.example",
        "canary-org.example",
    ],
)
def test_canaries_appear_in_no_file(package_folder, canary):
    for name, text in package_text(package_folder).items():
        assert canary not in text, f"{canary!r} leaked into {name}"


def test_no_email_address_in_any_file(package_folder):
    for name, text in package_text(package_folder).items():
        assert not EMAIL.search(text), (name, EMAIL.search(text))


def test_the_counts_hold_the_cutoff_and_the_statuses(package_folder):
    text = package_text(package_folder)["manifest.json"]
    # Shown: Петренко, Иванов, О. П.; counted but unnamed: the two anonymous signers.
    assert '"individuals": 5' in text
    assert '"individuals_unnamed": 2' in text
    # Open Doors (named) and the counted-only group.
    assert '"organisations": 2' in text
    assert '"organisations_unnamed": 1' in text


def test_a_package_is_built_without_opening_a_sealed_record(app, tmp_path, monkeypatch):
    """It names people only as they chose to be shown, so it needs no custodian's key."""
    campaign = make_campaign()
    add_signature(campaign, "Олена Петренко", city=CANARY_CITY)
    add_signature(campaign, "Оксана Прихована", display=Display.INITIALS)
    add_signature(campaign, "Анонім Канарковий", display=Display.ANONYMOUS)
    db.session.commit()

    def refuse(*args: object) -> bytes:
        raise AssertionError("a package build tried to unseal a signer's details")

    monkeypatch.setattr(pyrage, "decrypt", refuse)
    package = build_package(campaign, add_target(campaign, "en"), cutoff=CUTOFF, out_dir=tmp_path)
    db.session.commit()

    names = (Path(package.folder) / "annex_individuals.csv").read_bytes().decode("utf-8-sig")
    assert "Олена Петренко" in names
    assert "О. П." in names
    assert package.counts["individuals"] == 3


FORMULAS = (
    "=1+1",
    '=HYPERLINK("http://x","y")',
    "+cmd",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
)


@pytest.mark.parametrize("value", FORMULAS)
def test_inert_cell_defuses_formulas(value):
    assert inert_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Олена Петренко", "O'Brien", "1+1", " =1", ""])
def test_inert_cell_leaves_other_values_alone(value):
    assert inert_cell(value) == value


@pytest.fixture
def formula_folder(app, tmp_path):
    campaign = make_campaign()
    for value in FORMULAS:
        # Kept as typed, not as `public_name` tidies it (a leading tab or CR would go): the
        # package must be inert whatever the column holds.
        add_signature(campaign, value, country="UA").public_name = value
    db.session.commit()
    target = add_target(campaign, "en")
    package = build_package(campaign, target, cutoff=CUTOFF, out_dir=tmp_path)
    db.session.commit()
    return Path(package.folder)


def test_formulas_come_out_inert_in_the_csv(formula_folder):
    raw = (formula_folder / "annex_individuals.csv").read_bytes().decode("utf-8-sig")
    names = [row[2] for row in list(csv.reader(io.StringIO(raw, newline="")))[1:]]
    assert sorted(names) == sorted("'" + value for value in FORMULAS)


SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def test_formulas_come_out_as_plain_strings_in_the_xlsx(formula_folder):
    """A string cell never runs as a formula: the name is there as shown, no apostrophe."""
    with zipfile.ZipFile(formula_folder / "annex_individuals.xlsx") as book:
        xml = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    assert "<f " not in xml
    root = ElementTree.fromstring(xml)  # noqa: S314 - a file this test just wrote
    names = []
    for row in root.iter(f"{SHEET}row"):
        cells = list(row.iter(f"{SHEET}c"))
        assert all(cell.get("t") == "inlineStr" for cell in cells)
        assert not list(row.iter(f"{SHEET}f"))
        names.append("".join(cells[2].itertext()))
    expected = [value.replace("\r", "_x000D_") for value in FORMULAS]
    assert sorted(names[1:]) == sorted(expected)
