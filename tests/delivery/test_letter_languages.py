"""Letters in the party's language: Turkish, Arabic, French and Italian, each with the
campaign's own text in that language, its dates, numbers and plural forms; Arabic written
right to left and shaped, in the PDF (text that reads in order) and in the DOCX (bidi
paragraphs, right-to-left runs, a font with Arabic)."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document

from petition.campaigns.services import save_text
from petition.delivery.letters import compose_letter, write_letter_docx, write_letter_pdf
from petition.delivery.package import build_package
from petition.delivery.pdf import package_fonts
from petition.delivery.records import Totals
from petition.delivery.wording import number, wording
from petition.demo.people_first import TEXTS
from petition.extensions import db
from petition.i18n import LETTER_LANGUAGES
from petition.models import Listing, NamesPolicy
from tests.delivery.outputs import (
    CUTOFF,
    add_organisation,
    add_signature,
    add_target,
    pdf_text,
    readable,
    zip_xml,
)
from tests.factories import make_campaign
from tests.prerequisites import tool

ARABIC_LETTER = re.compile("[\u0621-\u064a]")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Many signatories, so each language writes its thousands as it does.
TOTALS = Totals(
    individuals_named=12000,
    individuals_initials=300,
    individuals_unnamed=45,
    organisations_named=1200,
    organisations_unnamed=34,
    countries=40,
)


def flat(text: str) -> str:
    return " ".join(text.split())


def with_text(campaign, lang: str):
    fields = TEXTS[lang]
    save_text(campaign, lang, **fields)
    db.session.flush()
    return campaign


@pytest.fixture
def campaign(app):
    campaign = make_campaign()
    for lang in ("tr", "ar", "fr", "it"):
        with_text(campaign, lang)
    add_signature(campaign, "Ayşe Yılmaz", country="TR")
    add_signature(campaign, "Олена Петренко", country="UA")
    add_organisation(campaign, "Open Doors Legal Aid")
    db.session.commit()
    return campaign


def letter_files(campaign, target, tmp_path: Path, lang: str) -> tuple[Path, Path]:
    """The letter to `target` written with TOTALS, as PDF and DOCX."""
    letter = compose_letter(
        campaign,
        target,
        totals=TOTALS,
        policy=NamesPolicy.NAMED,
        lang=lang,
        words=wording(lang),
        reference=wording(lang).reference.format(ref="PF-7-20250301-120000"),
        when=CUTOFF,
    )
    pdf, docx = tmp_path / f"letter-{lang}.pdf", tmp_path / f"letter-{lang}.docx"
    write_letter_pdf(letter, pdf, fonts=package_fonts(), when=CUTOFF)
    write_letter_docx(letter, docx, when=CUTOFF)
    return pdf, docx


def docx_paragraphs(path: Path) -> list:
    return list(Document(str(path)).paragraphs)


def test_every_letter_language_but_the_sites_has_its_demo_text():
    for lang in LETTER_LANGUAGES:
        assert {"title", "summary", "statement", "demands"} <= set(TEXTS[lang]), lang
        assert "16" in TEXTS[lang]["statement"], lang  # about 16,000 civilians
        assert TEXTS[lang]["demands"].count("\n") == 3, lang  # four demands


def test_the_turkish_letter_is_in_turkish_with_its_letters_dates_and_numbers(campaign, tmp_path):
    target = add_target(
        campaign,
        "tr",
        addressee="Türkiye Cumhuriyeti Cumhurbaşkanlığına",
        salutation="Sayın Cumhurbaşkanı,",
    )
    pdf, docx = letter_files(campaign, target, tmp_path, "tr")
    text = flat(pdf_text(pdf))
    for letters in ("ğ", "ş", "İ", "ı", "ç", "ü"):
        assert letters in text, letters
    assert "Önce İnsan" in text  # the campaign's Turkish title, not the English one
    assert "Türkiye Cumhuriyeti Cumhurbaşkanlığına" in text
    assert "Sayın Cumhurbaşkanı, “Önce İnsan” çağrısına katılan kuruluşlar" in text
    assert "1 Mart 2025 itibarıyla imzacılar" in text
    assert "Kuruluşlar: 1.234 (Ek 1’de adı belirtilenler: 1.200)" in text
    assert "Bireyler: 12.345 (Ek 2’de adı belirtilenler: 12.300)" in text
    assert "Saygılarımızla," in text
    assert "Sayı: PF-7-20250301-120000" in text
    assert "Sayfa 1 / " in text
    assert "Cenevre Sözleşmelerinin" in text  # the demands, in Turkish
    assert "People First" not in text.replace("People First coalition", "")
    assert "Sayın Cumhurbaşkanı," in "\n".join(p.text for p in docx_paragraphs(docx))


def test_the_french_letter_repeats_the_salutation_in_its_closing(campaign, tmp_path):
    target = add_target(campaign, "fr", office="Secrétaire général des Nations unies")
    text = flat(pdf_text(letter_files(campaign, target, tmp_path, "fr")[0]))
    assert "Excellence, Nous nous adressons à vous" in text
    assert "l’appel « Les personnes d’abord »" in text
    assert "Signataires au 1er mars 2025" in text  # the first of the month as French writes it
    # Thousands apart by a narrow no-break space, a no-break space before a colon (the
    # extractor gives both as spaces).
    assert number(1234, "fr") == "1\u202f234"
    assert "Organisations : 1 234 (nommées à l’annexe 1 : 1 200)" in text
    assert "Particuliers : 12 345" in text
    assert "Nous vous prions d’agréer, Excellence, l’assurance de notre très haute" in text
    assert "Réf. : PF-7-20250301-120000" in text
    assert "Page 1 sur " in text


def test_the_italian_letter_to_the_pope(campaign, tmp_path):
    target = add_target(
        campaign,
        "it",
        addressee="A Sua Santità il Sommo Pontefice",
        organisation="Segreteria di Stato",
        salutation="Santità,",
        closing="Con profondo rispetto,",
    )
    text = flat(pdf_text(letter_files(campaign, target, tmp_path, "it")[0]))
    assert "A Sua Santità il Sommo Pontefice Segreteria di Stato" in text
    assert "Santità, Ci rivolgiamo a Lei" in text
    assert "Firmatari al 1º marzo 2025" in text
    assert "Organizzazioni: 1.234 (indicate nell’allegato 1: 1.200)" in text
    assert "Persone: 12.345" in text
    assert "Con profondo rispetto," in text
    assert "Prot. n. PF-7-20250301-120000" in text
    assert "Convenzioni di Ginevra" in text


def qatar(campaign):
    return add_target(
        campaign,
        "ar",
        office="أمير دولة قطر",
        addressee="حضرة صاحب السمو أمير دولة قطر",
        organisation="الديوان الأميري",
        salutation="صاحب السمو،",
        postal_address="الدوحة\nدولة قطر",
    )


def lines_with(text: str, word: str) -> list[str]:
    return [line for line in text.splitlines() if word in line]


def test_the_arabic_pdf_reads_in_order_in_arabic_letters(campaign, tmp_path):
    pdf, _ = letter_files(campaign, qatar(campaign), tmp_path, "ar")
    raw = pdf_text(pdf)
    text = flat(raw)
    assert len(ARABIC_LETTER.findall(text)) > 500
    assert not re.search("[\ufffd\ue000-\uf8ff]", text)  # every letter drawn, and readable
    # Words come out in reading order (the extractor orders right-to-left lines itself).
    assert "حضرة صاحب السمو أمير دولة قطر الديوان الأميري الدوحة دولة قطر" in text
    assert "صاحب السمو، نتوجه إليكم بهذه الرسالة باسم المنظمات والأفراد الذين انضموا" in text
    assert "وتفضلوا بقبول فائق الاحترام والتقدير،" in text
    assert "الإفراج الفوري وغير المشروط عن جميع المدنيين الأوكرانيين" in text
    assert "كما تقتضي اتفاقيات جنيف" in text  # the demands, in Arabic
    # Numbers stay whole and in their place; the extractor's own spacing around a number
    # inside Arabic is its guess, so these are read without spaces.
    joined = "".join(text.split())
    assert "الموقعونحتى1مارس2025" in joined
    [organisations] = lines_with(raw, "المنظمات)")
    assert "1,234" in organisations
    assert "1,200" in organisations
    [individuals] = lines_with(raw, "الأفراد)")
    assert "12,345" in individuals
    assert "12,300" in individuals
    assert "PF-7-20250301-120000" in text


def test_the_arabic_pdf_is_laid_out_right_to_left(campaign, tmp_path):
    """Lines end at the right margin, in the Arabic font."""
    pdf, _ = letter_files(campaign, qatar(campaign), tmp_path, "ar")
    result = subprocess.run(  # noqa: S603 - Debian's pdftotext on a file we wrote
        [tool("pdftotext"), "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    words = re.findall(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)<',
        result.stdout,
    )
    body = [
        (float(left), float(right))
        for left, top, right, word in words
        if ARABIC_LETTER.search(readable(word)) and float(top) < 780  # not the footer
    ]
    assert len(body) > 200
    text_right = 595.28 - 20 * 72 / 25.4 - 6  # the page, its margin, the frame's padding
    assert max(right for _, right in body) == pytest.approx(text_right, abs=0.5)
    starts = [right for _, right in body if right > text_right - 0.5]
    assert len(starts) >= 20  # the lines start at the right margin
    assert min(left for left, _ in body) < 100  # and the long ones reach the left
    fonts = subprocess.run(  # noqa: S603 - Debian's pdffonts on a file we wrote
        [tool("pdffonts"), str(pdf)], capture_output=True, check=True, text=True
    ).stdout
    for name in ("NotoSansArabic-Regular", "NotoSansArabic-Bold", "NotoSans-Regular"):
        [row] = [line.split() for line in fonts.splitlines() if f"+{name} " in line]
        assert row[row.index("TrueType") + 2] == "yes", row  # embedded


def test_the_arabic_docx_has_right_to_left_paragraphs_and_runs(campaign, tmp_path):
    _, docx = letter_files(campaign, qatar(campaign), tmp_path, "ar")
    paragraphs = [p for p in docx_paragraphs(docx) if ARABIC_LETTER.search(p.text)]
    assert len(paragraphs) > 15
    for paragraph in paragraphs:
        assert paragraph._p.find(f"{W}pPr/{W}bidi") is not None, paragraph.text
        for run in paragraph.runs:
            if ARABIC_LETTER.search(run.text):
                assert run._r.find(f"{W}rPr/{W}rtl") is not None, run.text
    text = "\n".join(p.text for p in paragraphs)
    assert "صاحب السمو،" in text
    assert "المنظمات: 1,234 (الواردة أسماؤها في الملحق 1: 1,200)" in text
    with zipfile.ZipFile(docx) as archive:
        styles = archive.read("word/styles.xml").decode()
        footer = "".join(
            archive.read(name).decode() for name in archive.namelist() if "footer" in name
        )
    assert 'w:cs="Noto Sans Arabic"' in styles
    assert 'w:bidi="ar-SA"' in styles
    assert "<w:bidi/>" in footer


def test_a_package_for_qatar_is_arabic_in_every_file(campaign, tmp_path):
    for serial in range(3):
        add_organisation(campaign, f"Quiet {serial}", listing=Listing.COUNTED)
    db.session.commit()
    package = build_package(campaign, qatar(campaign), cutoff=CUTOFF, out_dir=tmp_path)
    db.session.commit()
    folder = Path(package.folder)
    summary = flat(pdf_text(folder / "summary.pdf"))
    assert "الملخص" in summary
    assert "تركيا" in summary
    assert "أوكرانيا" in summary
    assert "التوقيعات المؤكدة قبل" in summary
    assert "12:00:00" in summary
    organisations = flat(pdf_text(folder / "annex_organisations.pdf"))
    assert "Open Doors Legal Aid" in organisations
    assert "انضمت3منظماتأخرىلمتذكرأسماؤهابناءعلىطلبها." in "".join(organisations.split())
    individuals = flat(pdf_text(folder / "annex_individuals.pdf"))
    assert "الأفراد" in individuals
    assert "الملحق" in individuals
    assert "Ayşe Yılmaz" in individuals
    assert "Олена Петренко" in individuals
    for name in ("summary.pdf", "annex_organisations.pdf", "annex_individuals.pdf"):
        footer = pdf_text(folder / name)
        assert "الرقم المرجعي" in footer, name  # the footer, in Arabic
        assert "الصفحة" in footer, name
    sheet = zip_xml(folder / "annex_individuals.xlsx")
    assert 'rightToLeft="1"' in sheet
    assert "الأفراد" in sheet
    manifest = (folder / "manifest.json").read_text()

    assert '"language": "ar"' in manifest


def test_a_party_whose_language_the_campaign_has_no_text_in_gets_the_english_letter(app, tmp_path):
    campaign = make_campaign()  # English only
    target = add_target(campaign, "tr", salutation="Sayın Cumhurbaşkanı,")
    package = build_package(campaign, target, cutoff=CUTOFF, out_dir=tmp_path)
    db.session.commit()
    text = flat(pdf_text(Path(package.folder) / "cover_letter.pdf"))
    assert "Ref. " in text
    assert "Sayı:" not in text
    assert "Free them all" in text


@pytest.mark.parametrize(
    ("lang", "forms"),
    [
        (
            "ar",
            {
                1: "انضمت منظمة أخرى واحدة لم يذكر اسمها بناء على طلبها.",
                2: "انضمت منظمتان أخريان لم يذكر اسماهما بناء على طلبهما.",
                3: "انضمت 3 منظمات أخرى لم تذكر أسماؤها بناء على طلبها.",
                10: "انضمت 10 منظمات أخرى لم تذكر أسماؤها بناء على طلبها.",
                11: "انضمت 11 منظمة أخرى لم تذكر أسماؤها بناء على طلبها.",
                100: "انضمت 100 منظمة أخرى لم تذكر أسماؤها بناء على طلبها.",
                103: "انضمت 103 منظمات أخرى لم تذكر أسماؤها بناء على طلبها.",
            },
        ),
        (
            "fr",
            {
                1: "1 autre organisation s’est jointe à l’appel\u00a0; à sa demande, elle "
                "n’est pas nommée.",
                21: "21 autres organisations se sont jointes à l’appel\u00a0; à leur demande, "
                "elles ne sont pas nommées.",
                1500: "1\u202f500 autres organisations se sont jointes à l’appel\u00a0; à leur "
                "demande, elles ne sont pas nommées.",
            },
        ),
        (
            "tr",
            {
                1: "1 kuruluş daha katılmıştır; talebi üzerine adı belirtilmemiştir.",
                21: "21 kuruluş daha katılmıştır; talepleri üzerine adları belirtilmemiştir.",
            },
        ),
        (
            "it",
            {
                1: "Ha aderito inoltre 1 organizzazione, che su sua richiesta non viene nominata.",
                21: "Hanno aderito inoltre 21 organizzazioni, che su loro richiesta non vengono "
                "nominate.",
            },
        ),
    ],
)
def test_unnamed_organisations_are_counted_in_each_languages_plural_forms(lang, forms):
    for count, sentence in forms.items():
        assert wording(lang).further_organisations.format(lang, count) == sentence


def test_arabic_names_in_a_left_to_right_package_are_drawn_not_replaced(campaign, tmp_path):
    """An Arabic-speaking signer in the Ukrainian package, and an organisation with an Arabic
    name: each name is in its annex in Arabic letters, never as U+FFFD."""
    add_signature(campaign, "ليلى حسن", country="UA")
    add_organisation(campaign, "Rights Watch Doha", name_original="مرصد الحقوق")
    db.session.commit()
    ukraine = add_target(campaign, "uk", name="Президент України")
    package = build_package(campaign, ukraine, cutoff=CUTOFF, out_dir=tmp_path)
    db.session.commit()
    folder = Path(package.folder)
    individuals = pdf_text(folder / "annex_individuals.pdf")
    organisations = pdf_text(folder / "annex_organisations.pdf")
    assert "Олена Петренко" in individuals  # the package is the Ukrainian one
    for text, name in ((individuals, "ليلى حسن"), (organisations, "مرصد الحقوق")):
        assert "\ufffd" not in text
        assert all(word in text for word in name.split()), (name, text)
