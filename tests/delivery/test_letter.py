"""The cover letter as the office that receives it reads it: who writes and who signs, the
addressee in the right case, a salutation and closing that match, the reference and
"page X of Y" on every page of every PDF, the closing kept with the body, one typeface."""

from __future__ import annotations

import re
import subprocess
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from petition.delivery.letters import compose_letter, write_letter_pdf
from petition.delivery.package import build_package
from petition.delivery.pdf import package_fonts
from petition.delivery.records import Totals
from petition.delivery.richtext import Block, Run
from petition.delivery.wording import long_date, wording
from petition.extensions import db
from petition.models import Listing, NamesPolicy, Signatory
from tests.delivery.outputs import (
    CUTOFF,
    add_organisation,
    add_signature,
    add_target,
    pdf_pages,
    pdf_text,
)
from tests.factories import make_campaign
from tests.prerequisites import tool

REFERENCE = "FT-{target}-20250301-120000"  # the test campaign is "free-them"
SIGNERS = (
    ("Mira Testova", "Coordinator", "Free Them secretariat"),
    ("Jonas Example", "Co-chair", "Free Them council"),
)


@pytest.fixture
def campaign(app):
    campaign = make_campaign()
    campaign.letterhead_name = "Free Them coalition"
    campaign.letterhead_address = "Secretariat\nPostbus 99\n1000 AB Amsterdam"
    campaign.letterhead_email = "letters@free-them.example"
    campaign.letterhead_website = "free-them.example"
    campaign.signatories = [
        Signatory(position=position, name=name, title=title, organisation=organisation)
        for position, (name, title, organisation) in enumerate(SIGNERS, start=1)
    ]
    add_signature(campaign, "Олена Петренко", country="UA")
    add_organisation(campaign, "Open Doors Legal Aid")
    db.session.commit()
    return campaign


def build(campaign, target, out: Path) -> Path:
    package = build_package(campaign, target, cutoff=CUTOFF, out_dir=out)
    db.session.commit()
    return Path(package.folder)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_letter_to_the_president_of_ukraine_addresses_him_in_the_dative(campaign, tmp_path):
    target = add_target(
        campaign,
        "uk",
        office="Президент України",
        addressee="Президентові України",
        organisation="Офіс Президента України",
        salutation="Шановний пане Президенте!",
        postal_address="вул. Банкова, 11\nм. Київ",
    )
    page_one = flat(pdf_text(build(campaign, target, tmp_path) / "cover_letter.pdf", page=1))

    assert "Free Them coalition Secretariat Postbus 99 1000 AB Amsterdam" in page_one
    assert "letters@free-them.example · free-them.example" in page_one
    assert f"Вих. № {REFERENCE.format(target=target.id)}" in page_one
    assert "Президентові України Офіс Президента України вул. Банкова, 11 м. Київ" in page_one
    assert "Президент України" not in page_one.replace("Президента України", "")
    assert "Шановний пане Президенте!" in page_one
    assert "Шановні пані та панове" not in page_one
    assert "З повагою," in page_one
    for name, title, organisation in SIGNERS:
        assert name in page_one
        assert title in page_one
        assert organisation in page_one


def test_the_letter_to_the_us_president_is_dated_and_closed_as_british_english_does(
    campaign, tmp_path
):
    target = add_target(
        campaign,
        "en",
        addressee="The President of the United States",
        organisation="The White House",
        salutation="Dear Mr President,",
    )
    folder = build(campaign, target, tmp_path)
    page_one = flat(pdf_text(folder / "cover_letter.pdf", page=1))

    assert "1 March 2025" in page_one  # en_GB, not "March 1, 2025"
    assert "March 1" not in page_one
    assert f"Ref. {REFERENCE.format(target=target.id)}" in page_one
    assert "The President of the United States The White House" in page_one
    assert "Dear Mr President, " in page_one
    assert "Yours sincerely," in page_one
    assert "Yours faithfully" not in page_one
    assert "Mira Testova" in page_one
    assert "Jonas Example" in page_one
    # Enclosures carry their own numbers, once: never "1. Annex 1".
    assert "Enclosures Annex 1. Organisations Annex 2. Individuals Summary" in page_one
    assert not re.search(r"\d\. Annex", page_one)


@pytest.mark.parametrize(
    ("lang", "fields", "expected"),
    [
        ("en", {}, ("Dear Sir or Madam,", "Yours faithfully,")),
        ("en", {"office": "Secretary-General"}, ("Your Excellency,", "Yours sincerely,")),
        ("en", {"salutation": "Dear President,"}, ("Dear President,", "Yours sincerely,")),
        ("en", {"closing": "With respect,"}, ("Dear Sir or Madam,", "With respect,")),
        ("uk", {"addressee": "Президентові України"}, ("Ваша Високоповажносте!", "З повагою,")),
        ("ru", {}, ("Уважаемые дамы и господа!", "С уважением,")),
    ],
)
def test_the_default_salutation_and_closing_fit_who_is_addressed(
    campaign, tmp_path, lang, fields, expected
):
    salutation, closing = expected
    target = add_target(campaign, lang, **fields)
    text = flat(pdf_text(build(campaign, target, tmp_path) / "cover_letter.pdf"))
    assert f" {salutation} " in text
    assert f" {closing} " in text


def test_every_page_of_every_pdf_has_the_reference_and_its_page_of_pages(campaign, tmp_path):
    for serial in range(300):  # enough names for an individuals annex of several pages
        add_signature(campaign, f"Signer Number{serial:03d}", country="PL")
    db.session.commit()
    target = add_target(campaign, "ru")
    folder = build(campaign, target, tmp_path)
    reference = f"Исх. № {REFERENCE.format(target=target.id)}"

    pdfs = sorted(folder.glob("*.pdf"))
    assert [path.name for path in pdfs] == [
        "annex_individuals.pdf",
        "annex_organisations.pdf",
        "cover_letter.pdf",
        "summary.pdf",
    ]
    for path in pdfs:
        pages = pdf_pages(path)
        for number, text in enumerate(pages, start=1):
            assert reference in text, (path.name, number)
            assert f"Страница {number} из {len(pages)}" in text, (path.name, number)
    assert len(pdf_pages(folder / "annex_individuals.pdf")) >= 3


def test_the_closing_and_first_signatory_stay_on_the_page_where_the_body_ends(campaign, tmp_path):
    target = add_target(campaign, "en", salutation="Dear Secretary-General,")
    words = wording("en")
    letter = compose_letter(
        campaign,
        target,
        totals=Totals.of([], 1, 0),
        policy=NamesPolicy.NAMED,
        lang="en",
        words=words,
        reference="Ref. TEST-1",
        when=CUTOFF,
    )
    fonts = package_fonts()
    paragraph = Block("paragraph", [Run("A long body paragraph about the detained. " * 6)])
    split_somewhere = False
    for length in range(8, 24):  # bodies whose end falls across the first page's foot
        path = tmp_path / f"letter-{length}.pdf"
        write_letter_pdf(replace(letter, body=[paragraph] * length), path, fonts=fonts, when=CUTOFF)
        pages = pdf_pages(path)
        end = next(i for i, text in enumerate(pages) if "Individuals: " in text)
        assert "Yours sincerely," in pages[end], length
        assert "Mira Testova" in pages[end], length
        split_somewhere |= end > 0 and "A long body paragraph" in pages[end - 1]
    assert split_somewhere  # some lengths did push the end of the body to a new page


def test_the_docx_names_the_campaign_not_the_tool_and_uses_the_pdfs_typeface(campaign, tmp_path):
    target = add_target(campaign, "en", addressee="The Secretary-General")
    path = build(campaign, target, tmp_path) / "cover_letter.docx"
    properties = Document(str(path)).core_properties
    assert properties.title == "Free them all"
    assert properties.author == "Free Them coalition"
    assert properties.last_modified_by == "Free Them coalition"
    with zipfile.ZipFile(path) as archive:
        parts = {
            name: archive.read(name).decode()
            for name in archive.namelist()
            if name.endswith((".xml", ".rels"))
        }
    assert not any("python-docx" in text for text in parts.values())
    assert 'w:ascii="Noto Sans"' in parts["word/styles.xml"]
    footer = "".join(text for name, text in parts.items() if name.startswith("word/footer"))
    assert f"Ref. {REFERENCE.format(target=target.id)}" in footer
    assert 'w:instr="PAGE"' in footer
    assert 'w:instr="NUMPAGES"' in footer
    text = "\n".join(paragraph.text for paragraph in Document(str(path)).paragraphs)
    assert "Free Them coalition" in text
    assert "Mira Testova\nCoordinator\nFree Them secretariat" in text


def test_every_pdf_embeds_only_the_noto_sans_family(campaign, tmp_path):
    folder = build(campaign, add_target(campaign, "uk"), tmp_path)
    for path in sorted(folder.glob("*.pdf")):
        result = subprocess.run(  # noqa: S603 - Debian's pdffonts on a file we wrote
            [tool("pdffonts"), str(path)], capture_output=True, check=True, text=True
        )
        rows = [line.split() for line in result.stdout.splitlines()[2:]]
        assert rows, path.name
        for row in rows:
            assert re.fullmatch(r"[A-Z]{6}\+NotoSans-(Regular|Bold|Italic|BoldItalic)", row[0])
            assert row[row.index("TrueType") + 2] == "yes", row  # embedded


def test_without_a_letterhead_or_signatories_the_coalition_signs_by_the_campaign_title(
    app, tmp_path
):
    campaign = make_campaign()
    target = add_target(campaign, "en")
    text = flat(pdf_text(build(campaign, target, tmp_path) / "cover_letter.pdf"))
    assert text.startswith("Free them all 1 March 2025")
    assert "Yours faithfully, On behalf of the coalition “Free them all”" in text


@pytest.mark.parametrize(
    ("lang", "forms"),
    [
        (
            "uk",
            {
                1: "Ще 1 організація приєдналася, але на її прохання не названа.",
                2: "Ще 2 організації приєдналися, але на їхнє прохання не названі.",
                5: "Ще 5 організацій приєдналися, але на їхнє прохання не названі.",
                11: "Ще 11 організацій приєдналися, але на їхнє прохання не названі.",
                21: "Ще 21 організація приєдналася, але на її прохання не названа.",
                22: "Ще 22 організації приєдналися, але на їхнє прохання не названі.",
            },
        ),
        (
            "ru",
            {
                1: "Ещё 1 организация присоединилась, но по её просьбе не названа.",
                2: "Ещё 2 организации присоединились, но по их просьбе не названы.",
                5: "Ещё 5 организаций присоединились, но по их просьбе не названы.",
                11: "Ещё 11 организаций присоединились, но по их просьбе не названы.",
                21: "Ещё 21 организация присоединилась, но по её просьбе не названа.",
                22: "Ещё 22 организации присоединились, но по их просьбе не названы.",
            },
        ),
    ],
)
def test_unnamed_organisations_are_counted_in_the_languages_plural_forms(lang, forms):
    for count, sentence in forms.items():
        assert wording(lang).further_organisations.format(lang, count) == sentence


def test_the_annex_says_21_unnamed_organisations_in_the_singular_form(campaign, tmp_path):
    for serial in range(21):
        add_organisation(campaign, f"Quiet {serial}", listing=Listing.COUNTED)
    db.session.commit()
    folder = build(campaign, add_target(campaign, "uk"), tmp_path)
    text = flat(pdf_text(folder / "annex_organisations.pdf"))
    assert "Ще 21 організація приєдналася, але на її прохання не названа." in text


def test_english_dates_are_british():
    assert long_date(date(2026, 12, 2), "en") == "2 December 2026"
