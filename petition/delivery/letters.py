"""The cover letter, in the target's language: composed once, then laid out as a PDF (to
send) and as a DOCX (for staff to adjust and sign in Word).

It reads as a letter an office files: the campaign's letterhead, the package's reference,
the date in the language's long form, the addressee block (the office in the case the
letter needs), a salutation and closing that match, the body, and the signatories under
the closing on the page where the body ends.

The body is the campaign's letter template for the language (staff edit it in the
console) or, failing that, a default written for that language; either may use the
placeholders {target}, {individuals}, {organisations}, {date} and {campaign}. A party that
receives no names (`counted`) always gets the default written for it, which refers to no
annex: a template written for the named letter would point it to lists it does not get.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph as DocxParagraph
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from sqlalchemy import select

from petition.delivery.pdf import (
    MARGIN,
    PAGE,
    Fonts,
    Footer,
    Styles,
    canvas_maker,
    document,
    drawable,
    styles,
)
from petition.delivery.records import Totals
from petition.delivery.richtext import Block, Run, fill_placeholders, markdown_blocks
from petition.delivery.rtl import has_rtl
from petition.delivery.wording import Wording, long_date, number
from petition.extensions import db
from petition.i18n import RIGHT_TO_LEFT
from petition.models import Campaign, LetterTemplate, NamesPolicy, Target

DOCX_FONT = "Noto Sans"  # the PDF's family (`pdf.REQUIRED`), so both look alike
DOCX_ARABIC_FONT = "Noto Sans Arabic"  # Word's font for complex scripts (Arabic)
DOCX_LANGUAGES = {
    "en": "en-GB",
    "uk": "uk-UA",
    "ru": "ru-RU",
    "tr": "tr-TR",
    "ar": "ar-SA",
    "fr": "fr-FR",
    "it": "it-IT",
}
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# What the WordprocessingML schema puts after a paragraph's `w:bidi` and a run's `w:szCs`:
# a property added later goes before these, or Word calls the file damaged.
AFTER_BIDI = (
    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
    "w:pPrChange",
)  # fmt: skip
AFTER_SZ_CS = (
    "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl",
    "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath",
)  # fmt: skip
SIGNATORY_COLUMNS = 3  # signatories side by side, as many to a row


@dataclass(frozen=True)
class Letterhead:
    """Who writes: the name, postal address and contact line at the top of each letter."""

    name: str
    address: list[str]
    contact: str


@dataclass(frozen=True)
class Signer:
    name: str
    title: str
    organisation: str

    @property
    def lines(self) -> list[str]:
        return [line for line in (self.name, self.title, self.organisation) if line]


@dataclass(frozen=True)
class Letter:
    lang: str
    rtl: bool  # written right to left (Arabic)
    title: str
    letterhead: Letterhead
    reference: str
    date: str
    address: list[str]
    salutation: str
    body: list[Block]
    statement_heading: str
    statement: list[Block]
    demands_heading: str
    demands: list[Block]
    totals_heading: str
    totals: list[str]
    closing: str
    signed_for: str
    signatories: list[Signer]
    enclosures_heading: str
    enclosures: list[str]
    page: str  # the footer's "page {n} of {total}"


def addressee(target: Target) -> str:
    """How the letter names its reader: the institution, else the office, else the label."""
    return target.organisation.strip() or target.office.strip() or target.name


def address_lines(target: Target) -> list[str]:
    """The addressee block: the addressee line (the office in the case the letter needs),
    else the office as written; the person; the organisation; the postal address."""
    lines = [target.addressee.strip() or target.office, target.person, target.organisation]
    if not any(line.strip() for line in lines):
        lines = [target.name]
    lines.extend(target.postal_address.splitlines())
    return [line.strip() for line in lines if line.strip()]


def salutation(target: Target, words: Wording) -> str:
    """The target's own salutation; else a courteous one to a named office or person, and
    "Dear Sir or Madam" only to a reader the target does not name."""
    if target.salutation.strip():
        return target.salutation.strip()
    if any(part.strip() for part in (target.addressee, target.person, target.office)):
        return words.salutation_office
    return words.salutation


def closing(target: Target, words: Wording, salutation_: str) -> str:
    """The target's own closing; else the one the salutation calls for ("Yours faithfully"
    only after "Dear Sir or Madam", "Yours sincerely" after a named salutation)."""
    if target.closing.strip():
        return target.closing.strip()
    if salutation_ == words.salutation:
        return words.closing
    # French repeats the salutation in its closing: "… d’agréer, Excellence, l’assurance …"
    return words.closing_named.replace("{salutation}", salutation_.rstrip(" ,:!،"))


def letterhead(campaign: Campaign, title: str) -> Letterhead:
    """The campaign's letterhead; its title stands in for a name staff have not set."""
    contact = (campaign.letterhead_email, campaign.letterhead_phone, campaign.letterhead_website)
    return Letterhead(
        name=campaign.letterhead_name.strip() or title,
        address=[line.strip() for line in campaign.letterhead_address.splitlines() if line.strip()],
        contact=" · ".join(part.strip() for part in contact if part.strip()),
    )


def letter_body(campaign: Campaign, lang: str, words: Wording) -> str:
    template = db.session.scalar(
        select(LetterTemplate.body).where(
            LetterTemplate.campaign_id == campaign.id, LetterTemplate.lang == lang
        )
    )
    return template if template and template.strip() else words.default_letter


def compose_letter(
    campaign: Campaign,
    target: Target,
    *,
    totals: Totals,
    policy: NamesPolicy,
    lang: str,
    words: Wording,
    reference: str,
    when: datetime,
) -> Letter:
    text = campaign.text(lang)
    greeting = salutation(target, words)
    named = policy is NamesPolicy.NAMED
    dated = long_date(when.date(), lang)
    values = {
        "target": addressee(target),
        "individuals": number(totals.individuals, lang),
        "organisations": number(totals.organisations, lang),
        "date": dated,
        "campaign": text.title,
    }
    return Letter(
        lang=lang,
        rtl=lang in RIGHT_TO_LEFT,
        title=text.title,
        letterhead=letterhead(campaign, text.title),
        reference=reference,
        date=dated,
        address=address_lines(target),
        salutation=greeting,
        body=markdown_blocks(
            fill_placeholders(
                letter_body(campaign, lang, words) if named else words.counted_letter, values
            )
        ),
        statement_heading=words.statement,
        statement=markdown_blocks(text.statement),
        demands_heading=words.demands,
        demands=markdown_blocks(text.demands),
        totals_heading=words.totals.format(date=dated),
        totals=_totals_lines(totals, lang, words, named=named),
        closing=closing(target, words, greeting),
        signed_for=words.signed_for.format(campaign=text.title),
        signatories=[
            Signer(signer.name.strip(), signer.title.strip(), signer.organisation.strip())
            for signer in campaign.signatories
        ],
        page=words.page,
        enclosures_heading=words.enclosures,
        enclosures=(
            [words.annex_organisations, words.annex_individuals, words.summary]
            if named
            else [words.summary]
        ),
    )


def _totals_lines(totals: Totals, lang: str, words: Wording, *, named: bool) -> list[str]:
    if not named:
        lines = [
            words.organisations_counted.format(total=number(totals.organisations, lang)),
            words.individuals_counted.format(total=number(totals.individuals, lang)),
        ]
    else:
        lines = [
            words.organisations_total.format(
                total=number(totals.organisations, lang),
                named=number(totals.organisations_named, lang),
            ),
            words.individuals_total.format(
                total=number(totals.individuals, lang),
                named=number(totals.individuals_named + totals.individuals_initials, lang),
            ),
        ]
    if totals.paper:
        lines.append(words.paper_total.format(total=number(totals.paper, lang)))
    return lines


# --- PDF ---------------------------------------------------------------------------------


def _markup(block: Block) -> str:
    parts = []
    for run in block.runs:
        text = escape(run.text).replace("\n", "<br/>")
        if run.bold:
            text = f"<b>{text}</b>"
        if run.italic:
            text = f"<i>{text}</i>"
        parts.append(text)
    return "".join(parts)


def _run_font(run: Run, fonts: Fonts, *, bold: bool = False, italic: bool = False) -> str:
    bold, italic = bold or run.bold, italic or run.italic
    if bold:
        return fonts.bold_italic if italic else fonts.bold
    return fonts.italic if italic else fonts.regular


def _rtl_block(block: Block, paragraph_style: ParagraphStyle, style: Styles) -> Flowable:
    """A block of a right-to-left letter: its runs in their fonts, its marker on the right."""
    heading, quote = block.kind == "heading", block.kind == "quote"
    runs: list[tuple[str, ParagraphStyle | str]] = [
        (run.text, _run_font(run, style.fonts, bold=heading, italic=quote)) for run in block.runs
    ]
    flowable = style.runs(runs, paragraph_style)
    flowable.bullet = block.marker if block.kind in {"bullet", "numbered"} else ""
    return flowable


def block_flowables(blocks: list[Block], style: Styles) -> list[Flowable]:
    flowables: list[Flowable] = []
    for block in blocks:
        if block.kind == "heading":
            paragraph_style = style.heading
        elif block.kind in {"bullet", "numbered"}:
            side = "rightIndent" if style.rtl else "leftIndent"
            indent = getattr(style.item, side) * (block.level + 1)
            paragraph_style = ParagraphStyle("item_level", style.item, **{side: indent})
        elif block.kind == "quote":
            paragraph_style = style.quote
        else:
            paragraph_style = style.body
        if style.rtl:
            flowables.append(_rtl_block(block, paragraph_style, style))
        elif block.kind in {"bullet", "numbered"}:
            flowables.append(Paragraph(_markup(block), paragraph_style, bulletText=block.marker))
        else:
            flowables.append(Paragraph(_markup(block), paragraph_style))
    return flowables


def _shown(text: str, font: str, style: Styles) -> str:
    """`text` as the PDF can draw it (a right-to-left document draws Arabic too)."""
    return text if style.rtl else drawable(text, font)


def _lines(lines: list[str], paragraph_style: ParagraphStyle, style: Styles) -> Flowable:
    return style.para("\n".join(lines), paragraph_style)


def _letterhead_flowables(head: Letterhead, fonts: Fonts, style: Styles) -> list[Flowable]:
    name = ParagraphStyle("letterhead", style.body, fontName=fonts.bold, fontSize=14, leading=18)
    small = ParagraphStyle("letterhead_lines", style.small, textColor="#333333")
    lines = [*head.address, head.contact] if head.contact else head.address
    return [
        style.para(_shown(head.name, fonts.bold, style), name),
        *([_lines(lines, small, style)] if lines else []),
        HRFlowable(width="100%", thickness=0.6, color="#444444", spaceBefore=2, spaceAfter=6),
    ]


def _signature_flowables(letter: Letter, style: Styles, fonts: Fonts) -> list[Flowable]:
    """The closing, then the signatories side by side, each under room for a signature; or,
    with none, the coalition under that room."""
    flowables: list[Flowable] = [style.para(letter.closing, style.body)]
    if not letter.signatories:
        return [*flowables, Spacer(1, 14 * mm), style.para(letter.signed_for, style.body)]
    name = ParagraphStyle("signer", style.body, fontName=fonts.bold, spaceAfter=0)
    lines = ParagraphStyle("signer_lines", style.body, spaceAfter=0)
    cells: list[list[Flowable]] = [
        [
            Spacer(1, 14 * mm),
            style.para(_shown(signer.name, fonts.bold, style), name),
            *(style.para(_shown(line, fonts.regular, style), lines) for line in signer.lines[1:]),
        ]
        for signer in letter.signatories
    ]
    columns = min(SIGNATORY_COLUMNS, len(cells))
    rows = [cells[start : start + columns] for start in range(0, len(cells), columns)]
    rows[-1] += [[]] * (columns - len(rows[-1]))
    rows = [style.mirrored(row) for row in rows]  # the first signs on the side reading starts
    table = Table(
        rows,
        colWidths=[(PAGE[0] - 2 * MARGIN) / columns] * columns,
        hAlign="RIGHT" if style.rtl else "LEFT",
    )
    first = (-1, 0) if style.rtl else (0, 0)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.regular),  # else Table sets Helvetica
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("RIGHTPADDING" if style.rtl else "LEFTPADDING", first, (first[0], -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return [*flowables, table]


def write_letter_pdf(letter: Letter, path: Path, *, fonts: Fonts, when: datetime) -> None:
    style = styles(fonts, rtl=letter.rtl)
    dated = ParagraphStyle("date", style.body, alignment=TA_LEFT if letter.rtl else TA_RIGHT)
    subject = ParagraphStyle("subject", style.body, fontName=fonts.bold, spaceBefore=6)
    story: list[Flowable] = [
        *_letterhead_flowables(letter.letterhead, fonts, style),
        style.para(letter.date, dated),
        style.para(letter.reference, style.body),
        Spacer(1, 4 * mm),
        _lines(letter.address, style.body, style),
        Spacer(1, 8 * mm),
        style.para(letter.title, subject),
        style.para(letter.salutation, style.body),
        *block_flowables(letter.body, style),
        style.para(letter.statement_heading, style.heading),
        *block_flowables(letter.statement, style),
        style.para(letter.demands_heading, style.heading),
        *block_flowables(letter.demands, style),
        # The end of the body, the closing and the signatories stay on one page.
        KeepTogether(
            [
                style.para(letter.totals_heading, style.heading),
                _lines(letter.totals, style.body, style),
                Spacer(1, 4 * mm),
                *_signature_flowables(letter, style, fonts),
            ]
        ),
        style.para(letter.enclosures_heading, style.heading),
        _lines(letter.enclosures, style.body, style),  # each names its own number: "Annex 1. …"
    ]
    doc = document(path, title=letter.title, lang=letter.lang, author=letter.letterhead.name)
    footer = Footer(fonts, letter.reference, letter.title, letter.page, rtl=letter.rtl)
    doc.build(story, canvasmaker=canvas_maker(when, footer))


# --- DOCX --------------------------------------------------------------------------------


def _set_language(document_: DocxDocument, lang: str) -> None:
    """Tag the Normal style with the language, so Word checks spelling in it; name the
    Arabic font for complex scripts."""
    normal = document_.styles["Normal"]
    properties = normal.element.get_or_add_rPr()
    tag = OxmlElement("w:lang")
    tag.set(qn("w:val"), DOCX_LANGUAGES.get(lang, "en-GB"))
    if lang in RIGHT_TO_LEFT:
        tag.set(qn("w:bidi"), DOCX_LANGUAGES[lang])
    properties.append(tag)
    fonts = properties.get_or_add_rFonts()
    fonts.set(qn("w:cs"), DOCX_ARABIC_FONT)
    size = OxmlElement("w:szCs")
    size.set(qn("w:val"), "22")  # half-points: 11 pt, as the Latin text
    properties.insert_element_before(size, *AFTER_SZ_CS)


def _right_to_left(doc: DocxDocument) -> None:
    """Make every paragraph (body and footer) right to left (`w:bidi`), and every run with
    Arabic in it a right-to-left run (`w:rtl`, bold as `w:bCs`), as Word writes Arabic."""
    paragraphs = [*doc.paragraphs, *doc.sections[0].footer.paragraphs]
    for paragraph in paragraphs:
        properties = paragraph._p.get_or_add_pPr()
        properties.insert_element_before(OxmlElement("w:bidi"), *AFTER_BIDI)
        for run in paragraph.runs:
            if not has_rtl(run.text):
                continue
            run_properties = run._r.get_or_add_rPr()
            if run.bold:
                run_properties.get_or_add_bCs()
            run_properties.get_or_add_rtl()


def _add_block(document_: DocxDocument, block: Block) -> DocxParagraph:
    paragraph = document_.add_paragraph()
    if block.kind in {"bullet", "numbered"}:
        paragraph.paragraph_format.left_indent = Mm(7 * (block.level + 1))
        paragraph.paragraph_format.first_line_indent = Mm(-6)
        paragraph.add_run(f"{block.marker}\t")
    elif block.kind == "quote":
        paragraph.paragraph_format.left_indent = Mm(7)
    for run in block.runs:
        added = paragraph.add_run(run.text)
        added.bold = run.bold or block.kind == "heading" or None
        added.italic = run.italic or block.kind == "quote" or None
    if block.kind == "heading":
        paragraph.paragraph_format.keep_with_next = True
    return paragraph


def _heading(document_: DocxDocument, text: str) -> None:
    _add_block(document_, Block("heading", [Run(text)]))


def _lines_docx(document_: DocxDocument, lines: list[str]) -> DocxParagraph:
    paragraph = document_.add_paragraph()
    for index, line in enumerate(lines):
        run = paragraph.add_run(line)
        if index < len(lines) - 1:
            run.add_break()
    return paragraph


def _field(paragraph: DocxParagraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays the page out."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _docx_footer(doc: DocxDocument, letter: Letter) -> None:
    """Every page's foot: the reference and title, then "page X of Y" as Word fields."""
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.add_run(f"{letter.reference} · {letter.title}\t")
    before, _, rest = letter.page.partition("{n}")
    between, _, after = rest.partition("{total}")
    paragraph.add_run(before)
    _field(paragraph, "PAGE")
    paragraph.add_run(between)
    _field(paragraph, "NUMPAGES")
    paragraph.add_run(after)
    for run in paragraph.runs:
        run.font.size = Pt(8)


def _set_properties(doc: DocxDocument, letter: Letter, when: datetime) -> None:
    """Core properties that name the letter and its sender (never the tool that made it)."""
    properties = doc.core_properties
    properties.title = letter.title
    properties.subject = letter.reference
    properties.author = letter.letterhead.name
    properties.last_modified_by = letter.letterhead.name
    properties.comments = properties.keywords = properties.category = ""
    properties.created = properties.modified = when.replace(tzinfo=None)
    properties.language = DOCX_LANGUAGES.get(letter.lang, "en-GB")


def _keep_with_next(*paragraphs: DocxParagraph) -> None:
    for paragraph in paragraphs:
        paragraph.paragraph_format.keep_with_next = True


def _letterhead_docx(doc: DocxDocument, head: Letterhead) -> None:
    name = doc.add_paragraph().add_run(head.name)
    name.bold, name.font.size = True, Pt(14)
    lines = [*head.address, head.contact] if head.contact else head.address
    if lines:
        for run in _lines_docx(doc, lines).runs:
            run.font.size = Pt(9)


def _signatures_docx(doc: DocxDocument, letter: Letter) -> list[DocxParagraph]:
    paragraphs = [doc.add_paragraph(letter.closing)]
    if not letter.signatories:
        return [*paragraphs, doc.add_paragraph(), doc.add_paragraph(letter.signed_for)]
    for signer in letter.signatories:
        paragraphs.append(doc.add_paragraph())
        block = _lines_docx(doc, signer.lines)
        block.runs[0].bold = True
        paragraphs.append(block)
    return paragraphs


def write_letter_docx(letter: Letter, path: Path, *, when: datetime) -> None:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = DOCX_FONT
    normal.font.size = Pt(11)
    _set_language(doc, letter.lang)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    _set_properties(doc, letter, when)
    _docx_footer(doc, letter)

    _letterhead_docx(doc, letter.letterhead)
    doc.add_paragraph(letter.date).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph(letter.reference)
    _lines_docx(doc, letter.address)
    doc.add_paragraph().add_run(letter.title).bold = True
    doc.add_paragraph(letter.salutation)
    for block in letter.body:
        _add_block(doc, block)
    for heading, blocks in (
        (letter.statement_heading, letter.statement),
        (letter.demands_heading, letter.demands),
    ):
        _heading(doc, heading)
        for block in blocks:
            _add_block(doc, block)
    _heading(doc, letter.totals_heading)
    kept = [_lines_docx(doc, letter.totals), *_signatures_docx(doc, letter)]
    _keep_with_next(*kept[:-1])  # the end of the body, the closing and signatories: one page
    _heading(doc, letter.enclosures_heading)
    _lines_docx(doc, letter.enclosures)
    if letter.rtl:
        _right_to_left(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    path.write_bytes(without_timestamps(buffer.getvalue()))


def without_timestamps(archive: bytes) -> bytes:
    """The same ZIP with every entry dated 1980-01-01, so a cut-off gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=ZIP_EPOCH)
            fixed.compress_type, fixed.external_attr = entry.compress_type, entry.external_attr
            target.writestr(fixed, source.read(entry))
    return out.getvalue()
