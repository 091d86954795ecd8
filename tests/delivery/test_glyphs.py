"""Names with symbols the package font has no glyph for print without empty boxes.

An emoji, a flag (two regional indicators) or a variation selector is dropped; letters of
every script the font has stay as typed; a letter of a script it lacks shows as U+FFFD.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from petition.delivery.package import build_package
from petition.delivery.pdf import drawable, package_fonts
from petition.extensions import db
from petition.models import Signatory
from tests.delivery.outputs import CUTOFF, add_organisation, add_signature, add_target, pdf_text
from tests.factories import make_campaign
from tests.prerequisites import tool

FLAGGED = "Олена 🇺🇦 Коваль"
LETTERS = "Ἑλένη Παπαδοπούλου-Çelik"  # Greek with its breathing, and Latin with a cedilla


@pytest.fixture
def folder(app, tmp_path) -> Path:
    campaign = make_campaign()
    campaign.signatories = [
        Signatory(position=1, name="Mira 🕊️ Testova", title="Coordinator ✌🏽", organisation="")
    ]
    add_signature(campaign, FLAGGED, country="UA")
    add_signature(campaign, LETTERS, country="GR")
    add_organisation(campaign, "Open Doors ❤️ Legal Aid")
    db.session.commit()
    package = build_package(campaign, add_target(campaign, "uk"), cutoff=CUTOFF, out_dir=tmp_path)
    db.session.commit()
    return Path(package.folder)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_a_flag_in_a_name_is_dropped_and_the_letters_stay(folder):
    individuals = flat(pdf_text(folder / "annex_individuals.pdf"))
    assert "Олена Коваль" in individuals
    assert LETTERS in individuals
    assert not re.search("[\U0001f1e6-\U0001f1ff\ufe0f\ufffd]", individuals)


def test_emoji_in_organisation_and_signatory_names_are_dropped(folder):
    organisations = flat(pdf_text(folder / "annex_organisations.pdf"))
    assert "Open Doors Legal Aid" in organisations
    letter = pdf_text(folder / "cover_letter.pdf")
    assert "Mira Testova\nCoordinator\n" in letter
    assert not re.search("[\U0001f300-\U0001faff\u2600-\u27bf\ufe0f]", letter + organisations)


def test_the_pdfs_name_no_font_but_noto_sans(folder):
    for path in sorted(folder.glob("*.pdf")):
        result = subprocess.run(  # noqa: S603 - Debian's pdffonts on a file we wrote
            [tool("pdffonts"), str(path)], capture_output=True, check=True, text=True
        )
        for line in result.stdout.splitlines()[2:]:
            assert re.fullmatch(r"[A-Z]{6}\+NotoSans-\w+", line.split()[0]), path.name


def test_a_letter_of_a_script_the_font_lacks_shows_as_a_replacement_mark(app):
    font = package_fonts().regular
    assert drawable("王 Wang 🇨🇳", font) == "\ufffd Wang"
    assert drawable("Anna\tMaria\r\n", font) == "Anna Maria"
