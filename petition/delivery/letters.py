"""The cover letter, in the target's language: composed once, then laid out as a PDF (to
send) and as a DOCX (for staff to adjust and sign in Word).

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
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer
from sqlalchemy import select

from petition.delivery.pdf import CREATOR, Fonts, Styles, canvas_maker, document, styles
from petition.delivery.records import Totals
from petition.delivery.richtext import Block, Run, fill_placeholders, markdown_blocks
from petition.delivery.wording import Wording, long_date, number
from petition.extensions import db
from petition.models import Campaign, LetterTemplate, NamesPolicy, Target

DOCX_FONT = "Times New Roman"  # has Cyrillic, and every copy of Word has it
DOCX_LANGUAGES = {"en": "en-GB", "uk": "uk-UA", "ru": "ru-RU"}
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Letter:
    lang: str
    title: str
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
    enclosures_heading: str
    enclosures: list[str]


def addressee(target: Target) -> str:
    """How the letter names its reader: the institution, else the office, else the label."""
    return target.organisation.strip() or target.office.strip() or target.name


def address_lines(target: Target) -> list[str]:
    lines = [target.office, target.organisation]
    if not any(line.strip() for line in lines):
        lines = [target.name]
    lines.extend(target.postal_address.splitlines())
    return [line.strip() for line in lines if line.strip()]


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
    when: datetime,
) -> Letter:
    text = campaign.text(lang)
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
        title=text.title,
        date=dated,
        address=address_lines(target),
        salutation=target.salutation.strip() or words.salutation,
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
        closing=words.closing,
        signed_for=words.signed_for.format(campaign=text.title),
        enclosures_heading=words.enclosures,
        enclosures=(
            [words.annex_organisations, words.annex_individuals, words.summary]
            if named
            else [words.summary]
        ),
    )


def _totals_lines(totals: Totals, lang: str, words: Wording, *, named: bool) -> list[str]:
    if not named:
        return [
            words.organisations_counted.format(total=number(totals.organisations, lang)),
            words.individuals_counted.format(total=number(totals.individuals, lang)),
        ]
    return [
        words.organisations_total.format(
            total=number(totals.organisations, lang),
            named=number(totals.organisations_named, lang),
        ),
        words.individuals_total.format(
            total=number(totals.individuals, lang),
            named=number(totals.individuals_named + totals.individuals_initials, lang),
        ),
    ]


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


def block_flowables(blocks: list[Block], style: Styles) -> list[Flowable]:
    flowables: list[Flowable] = []
    for block in blocks:
        markup = _markup(block)
        if block.kind == "heading":
            flowables.append(Paragraph(markup, style.heading))
        elif block.kind in {"bullet", "numbered"}:
            item = ParagraphStyle(
                "item_level", style.item, leftIndent=style.item.leftIndent * (block.level + 1)
            )
            flowables.append(Paragraph(markup, item, bulletText=block.marker))
        elif block.kind == "quote":
            flowables.append(Paragraph(markup, style.quote))
        else:
            flowables.append(Paragraph(markup, style.body))
    return flowables


def _lines(lines: list[str], paragraph_style: ParagraphStyle) -> Paragraph:
    return Paragraph("<br/>".join(escape(line) for line in lines), paragraph_style)


def write_letter_pdf(letter: Letter, path: Path, *, fonts: Fonts, when: datetime) -> None:
    style = styles(fonts)
    right = ParagraphStyle("date", style.body, alignment=TA_RIGHT)
    subject = ParagraphStyle("subject", style.body, fontName=fonts.bold, spaceBefore=6)
    story: list[Flowable] = [
        Paragraph(escape(letter.date), right),
        Spacer(1, 6 * mm),
        _lines(letter.address, style.body),
        Spacer(1, 8 * mm),
        Paragraph(escape(letter.title), subject),
        Paragraph(escape(letter.salutation), style.body),
        *block_flowables(letter.body, style),
        Paragraph(escape(letter.statement_heading), style.heading),
        *block_flowables(letter.statement, style),
        Paragraph(escape(letter.demands_heading), style.heading),
        *block_flowables(letter.demands, style),
        Paragraph(escape(letter.totals_heading), style.heading),
        _lines(letter.totals, style.body),
        Spacer(1, 6 * mm),
        Paragraph(escape(letter.closing), style.body),
        Spacer(1, 14 * mm),
        Paragraph(escape(letter.signed_for), style.body),
        Paragraph(escape(letter.enclosures_heading), style.heading),
        *[
            Paragraph(escape(name), style.item, bulletText=f"{index}.")
            for index, name in enumerate(letter.enclosures, start=1)
        ],
    ]
    doc = document(path, title=letter.title, lang=letter.lang)
    doc.build(story, canvasmaker=canvas_maker(when))


# --- DOCX --------------------------------------------------------------------------------


def _set_language(document_: DocxDocument, lang: str) -> None:
    """Tag the Normal style with the language, so Word checks spelling in it."""
    normal = document_.styles["Normal"]
    properties = normal.element.get_or_add_rPr()
    tag = OxmlElement("w:lang")
    tag.set(qn("w:val"), DOCX_LANGUAGES.get(lang, "en-GB"))
    properties.append(tag)


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


def write_letter_docx(letter: Letter, path: Path, *, when: datetime) -> None:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = DOCX_FONT
    normal.font.size = Pt(11)
    _set_language(doc, letter.lang)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    properties = doc.core_properties
    properties.title, properties.author, properties.last_modified_by = letter.title, CREATOR, ""
    properties.created = properties.modified = when.replace(tzinfo=None)
    properties.language = DOCX_LANGUAGES.get(letter.lang, "en-GB")

    doc.add_paragraph(letter.date).alignment = WD_ALIGN_PARAGRAPH.RIGHT
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
    _lines_docx(doc, letter.totals)
    doc.add_paragraph(letter.closing)
    doc.add_paragraph()
    doc.add_paragraph(letter.signed_for)
    _heading(doc, letter.enclosures_heading)
    for index, name in enumerate(letter.enclosures, start=1):
        _add_block(doc, Block("numbered", [Run(name)], marker=f"{index}."))
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
