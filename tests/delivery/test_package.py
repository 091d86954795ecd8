"""A delivery package: its files, its manifest, its record, its languages, its repeatability."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from flask_babel import get_locale
from sqlalchemy import select

from petition.delivery.package import FILES, MANIFEST, PackageError, build_package
from petition.delivery.pdf import FontsMissing
from petition.extensions import db
from petition.models import (
    DeliveryPackage,
    Display,
    LetterTemplate,
    Listing,
    OrganisationKind,
    PackageStatus,
    Role,
)
from tests.delivery.outputs import (
    BEFORE,
    CUTOFF,
    add_organisation,
    add_signature,
    add_target,
    docx_text,
    pdf_text,
)
from tests.factories import make_campaign, make_staff


@pytest.fixture
def campaign(app):
    campaign = make_campaign()
    add_signature(campaign, "Олена Петренко", country="UA")
    add_signature(campaign, "Дмитрий Иванов", country="RU")
    add_signature(campaign, "Ёлка Щукина-Подъячева", country="RU")
    add_signature(campaign, "Їжак Ґудзик", country="UA")
    add_signature(campaign, "Jane Doe", country="GB")
    add_signature(campaign, "Тарас Шевченко", country="UA", display=Display.INITIALS)
    add_signature(campaign, "Hidden Person", country="DE", display=Display.ANONYMOUS)
    add_organisation(
        campaign,
        "Open Doors Legal Aid",
        name_original="Відкриті двері — правова допомога",
        kind=OrganisationKind.HUMAN_RIGHTS,
    )
    add_organisation(campaign, "Baltic Union", country="LT", kind=OrganisationKind.UNION)
    add_organisation(campaign, "Quiet Group", listing=Listing.COUNTED, country="RU")
    db.session.commit()
    return campaign


def build(campaign, target, out: Path, **options):
    package = build_package(campaign, target, cutoff=CUTOFF, out_dir=out, **options)
    db.session.commit()
    return package


def test_package_holds_every_file_and_a_manifest_of_their_hashes(campaign, tmp_path):
    target = add_target(campaign, "en", organisation="United Nations")
    package = build(campaign, target, tmp_path)

    folder = Path(package.folder)
    assert folder.parent == tmp_path.resolve()
    assert folder.name == f"free-them-{target.id}-20250301T120000"
    assert sorted(path.name for path in folder.iterdir()) == sorted([*FILES, MANIFEST])
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["files"] == {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in FILES
    }
    assert manifest["campaign"]["slug"] == "free-them"
    assert manifest["target"] == {"id": target.id, "name": target.name, "lang": "en"}
    assert manifest["cutoff"] == "2025-03-01T12:00:00+00:00"
    assert manifest["generated_by"] == "command line"
    assert manifest["counts"] == {
        "individuals": 7,
        "individuals_named": 5,
        "individuals_initials": 1,
        "individuals_unnamed": 1,
        "organisations": 3,
        "organisations_named": 2,
        "organisations_unnamed": 1,
        "countries": 4,
        "paper": 0,
    }

    recorded = db.session.scalar(select(DeliveryPackage))
    assert recorded.status is PackageStatus.READY
    assert recorded.progress == 100
    assert recorded.files == manifest["files"]
    assert recorded.counts == manifest["counts"]
    assert recorded.cutoff_at == CUTOFF
    assert recorded.manifest_sha256 == hashlib.sha256((folder / MANIFEST).read_bytes()).hexdigest()
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".")]


def test_the_package_records_who_built_it(campaign, tmp_path):
    exporter = make_staff(Role.EXPORTER)
    package = build(campaign, add_target(campaign, "en"), tmp_path, actor=exporter)
    manifest = json.loads((Path(package.folder) / MANIFEST).read_text())
    assert package.created_by_id == exporter.id
    assert manifest["generated_by"] == f"staff:{exporter.id} (exporter)"
    assert "@" not in json.dumps(manifest)


def test_ukrainian_and_russian_names_come_out_of_the_pdf_as_written(campaign, tmp_path):
    folder = Path(build(campaign, add_target(campaign, "uk"), tmp_path).folder)
    text = pdf_text(folder / "annex_individuals.pdf")
    for name in ("Олена Петренко", "Дмитрий Иванов", "Ёлка Щукина-Подъячева", "Їжак Ґудзик"):
        assert name in text
    assert "Т. Ш." in text
    assert "Україна" in text
    assert "Росія" in text  # country names in the target's language
    organisations = pdf_text(folder / "annex_organisations.pdf")
    assert "Відкриті двері — правова допомога" in organisations
    assert "Правозахисна організація" in organisations
    assert "Профспілка" in organisations
    assert "Ще 1 організація приєдналася, але на її прохання не названа." in organisations


def test_csv_and_xlsx_list_the_same_people_grouped_by_country(campaign, tmp_path):
    folder = Path(build(campaign, add_target(campaign, "en"), tmp_path).folder)
    raw = (folder / "annex_individuals.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows == [
        ["Country code", "Country", "Name or initials"],
        # Countries in the alphabetical order of their names in the target's language (Germany
        # has only an anonymous signer); names in code-point order, then initials.
        ["RU", "Russia", "Ёлка Щукина-Подъячева"],
        ["RU", "Russia", "Дмитрий Иванов"],
        ["UA", "Ukraine", "Їжак Ґудзик"],
        ["UA", "Ukraine", "Олена Петренко"],
        ["UA", "Ukraine", "Т. Ш."],
        ["GB", "United Kingdom", "Jane Doe"],
    ]
    with zipfile.ZipFile(folder / "annex_individuals.xlsx") as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    cells = re.findall(r"<t[^>]*>([^<]*)</t>", sheet)
    assert cells == [cell for row in rows for cell in row]


def test_the_same_cutoff_gives_byte_identical_annexes(campaign, tmp_path):
    target = add_target(campaign, "ru")
    first = Path(build(campaign, target, tmp_path / "first").folder)
    # Later signatures and approvals do not change a package for an earlier cut-off.
    add_signature(campaign, "Поздний Подписант", confirmed_at=CUTOFF + timedelta(seconds=1))
    add_organisation(campaign, "Late Org", reviewed_at=CUTOFF + timedelta(hours=1))
    db.session.commit()
    second = Path(build(campaign, target, tmp_path / "second").folder)

    for name in FILES:  # the annexes must be; the letters and the summary are too
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_a_package_is_never_overwritten(campaign, tmp_path):
    target = add_target(campaign, "en")
    build(campaign, target, tmp_path)
    with pytest.raises(PackageError, match="exists already"):
        build(campaign, target, tmp_path)


def test_the_letter_in_russian(campaign, tmp_path):
    target = add_target(
        campaign,
        "ru",
        salutation="Уважаемый господин Председатель!",
        office="Председатель Правительства Российской Федерации",
        organisation="Правительство Российской Федерации",
        postal_address="Краснопресненская наб., 2\nМосква",
    )
    folder = Path(build(campaign, target, tmp_path).folder)
    for text in (pdf_text(folder / "cover_letter.pdf"), docx_text(folder / "cover_letter.docx")):
        flat = " ".join(text.split())
        assert "Освободите всех" in flat
        assert "Уважаемый господин Председатель!" in flat
        assert "Правительство Российской Федерации" in flat
        assert "Краснопресненская наб., 2" in flat
        assert "1 марта 2025 г." in flat
        assert "Наши требования" in flat
        assert "Release the detainees." in flat  # the test campaign's demands are in English
        assert "Организации: 3 (названы в приложении 1: 2)" in flat
        assert "Частные лица: 7 (названы в приложении 2: 6)" in flat
        assert "По состоянию на 1 марта 2025 г. обращение подписали" in flat
        # Markdown comes out as text: no markers, no tags.
        assert "освободите всех" in flat
        for raw in ("**", "<strong>", "<p>", "&lt;"):
            assert raw not in flat


def test_the_letter_uses_the_campaigns_template_for_the_language(campaign, tmp_path):
    db.session.add(
        LetterTemplate(
            campaign_id=campaign.id,
            lang="uk",
            body=(
                "Шановні колеги з {target}!\n\n"
                "На {date} «{campaign}» підтримали {individuals} осіб і {organisations} "
                "організації. {unknown} лишається як є. <script>alert(1)</script>"
            ),
        )
    )
    target = add_target(campaign, "uk", organisation="Офіс Президента України")
    folder = Path(build(campaign, target, tmp_path).folder)
    for text in (pdf_text(folder / "cover_letter.pdf"), docx_text(folder / "cover_letter.docx")):
        flat = " ".join(text.split())
        assert "Шановні колеги з Офіс Президента України!" in flat
        assert "На 1 березня 2025 р. «Звільніть усіх» підтримали 7 осіб і 3 організації." in flat
        assert "{unknown} лишається як є." in flat
        assert "script" not in flat
        assert "alert" not in flat
        assert "Шановні пані та панове!" in flat  # the default salutation


def test_other_languages_get_the_letter_in_english(campaign, tmp_path):
    folder = Path(build(campaign, add_target(campaign, "de"), tmp_path).folder)
    flat = " ".join(pdf_text(folder / "cover_letter.pdf").split())
    assert "Free them all" in flat
    assert "Dear Sir or Madam," in flat
    assert "1 March 2025" in flat  # en_GB: British English, British dates
    # Counts stand where no plural follows them: a tiny coalition never reads "1 organisations",
    # and the body does not count them in a clumsy aside ("by organisations (3 in all)").
    assert "in all" not in flat
    assert "Organisations: 3 (named in Annex 1: 2)" in flat
    assert "Individuals: 7 (named in Annex 2: " in flat
    assert json.loads((folder / MANIFEST).read_text())["language"] == "en"


def test_the_summary_totals_by_country_and_type(campaign, tmp_path):
    folder = Path(build(campaign, add_target(campaign, "ru"), tmp_path).folder)
    flat = " ".join(pdf_text(folder / "summary.pdf").split())
    assert "Сводка" in flat
    assert "Россия 2 0" in flat
    assert "Украина 3 1" in flat
    assert "Германия 1 0" in flat
    assert "Литва 0 1" in flat
    assert "Профсоюз 1" in flat
    assert "Подтверждённые подписи во времени" in flat
    assert "Quiet Group" not in flat


@pytest.mark.parametrize("staff_lang", ["en", "uk", "ru"])
def test_a_russian_package_names_the_kinds_in_russian_whatever_the_staff_language(
    app, campaign, tmp_path, staff_lang
):
    """The kinds of organisation come from the package's wording, not the UI catalogue."""
    target = add_target(campaign, "ru")
    with app.test_request_context("/staff/", headers={"Accept-Language": staff_lang}):
        assert get_locale().language == staff_lang  # the console speaks the staff's language
        folder = Path(build(campaign, target, tmp_path).folder)
    annex = " ".join(pdf_text(folder / "annex_organisations.pdf").split())
    summary = " ".join(pdf_text(folder / "summary.pdf").split())
    for text in (annex, summary):
        assert "Правозащитная организация" in text
        assert "Профсоюз" in text
        for elsewhere in ("Правозахисна організація", "Профспілка", "Human-rights", "Trade union"):
            assert elsewhere not in text


def test_missing_fonts_stop_the_build_with_a_clear_error(campaign, tmp_path, app):
    app.config["PDF_FONT_DIR"] = str(tmp_path / "no-fonts")
    with pytest.raises(FontsMissing, match=r"NotoSans-Regular\.ttf.*PDF_FONT_DIR"):
        build_package(campaign, add_target(campaign, "en"), cutoff=CUTOFF, out_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_naive_cutoff_is_refused(campaign, tmp_path):
    with pytest.raises(PackageError, match="timezone"):
        build_package(
            campaign,
            add_target(campaign, "en"),
            cutoff=CUTOFF.replace(tzinfo=None),
            out_dir=tmp_path,
        )


def test_an_empty_campaign_still_makes_a_complete_package(app, tmp_path):
    campaign = make_campaign("empty")
    target = add_target(campaign, "uk")
    folder = Path(build(campaign, target, tmp_path).folder)
    assert "До часу відсічки немає підтверджених підписів." in pdf_text(folder / "summary.pdf")
    assert "Жодної організації не названо." in pdf_text(folder / "annex_organisations.pdf")
    rows = (folder / "annex_individuals.csv").read_text("utf-8-sig").splitlines()
    assert rows == ["Код країни,Країна,Ім’я або ініціали"]
    assert BEFORE < CUTOFF
