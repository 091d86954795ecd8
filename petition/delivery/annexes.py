"""The annexes: named organisations (PDF) and individuals (PDF, CSV, XLSX).

Individuals are read once, country by country, and each row goes to the three files at
the same time; none of them holds more than a page in memory. The PDF is drawn straight
onto the canvas in two columns (Platypus would lay out the whole list first), the XLSX is
written by XlsxWriter in `constant_memory` mode. No value can run as a formula: every CSV
cell goes through `inert_cell`, and every XLSX cell is a string cell, which a spreadsheet
never reads as a formula, so it holds the name exactly as shown, with no apostrophe.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from datetime import datetime
from itertools import groupby
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self
from xml.sax.saxutils import escape

import xlsxwriter
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from petition.cells import inert_cell
from petition.countries import country_name
from petition.delivery import records
from petition.delivery.pdf import (
    MARGIN,
    PAGE,
    Fonts,
    Footer,
    Styles,
    canvas_maker,
    document,
    drawable,
    open_canvas,
    styles,
    title_block,
)
from petition.delivery.records import CountryTally, ListedOrganisation
from petition.delivery.rtl import draw_text, has_rtl
from petition.delivery.wording import Wording, moment, number
from petition.i18n import RIGHT_TO_LEFT

XLSX_MAX_ROWS = 1_048_576


class NamesSink(Protocol):
    def begin_country(self, tally: CountryTally) -> None: ...
    def add(self, shown: str) -> None: ...
    def end_country(self, tally: CountryTally) -> None: ...
    def close(self) -> None: ...


class NamesCsv:
    """UTF-8 with a byte-order mark, so Excel shows Cyrillic correctly."""

    def __init__(self, path: Path, words: Wording, lang: str) -> None:
        self.words, self.lang = words, lang
        self.file = path.open("w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.file)
        self.writer.writerow([words.column_code, words.column_country, words.column_name])
        self.country: tuple[str, str] = ("", "")

    def begin_country(self, tally: CountryTally) -> None:
        self.country = (inert_cell(tally.code), inert_cell(tally.name))

    def add(self, shown: str) -> None:
        self.writer.writerow([*self.country, inert_cell(shown)])

    def end_country(self, tally: CountryTally) -> None:
        if tally.paper:
            line = self.words.paper_total.format(total=number(tally.paper, self.lang))
            self.writer.writerow([*self.country, inert_cell(line)])

    def close(self) -> None:
        self.file.close()


class NamesXlsx:
    """One sheet (more past Excel's row limit), every cell written as a string cell: inert
    as it is, so the text goes in unchanged (an apostrophe would show)."""

    def __init__(
        self, path: Path, words: Wording, lang: str, *, title: str, when: datetime
    ) -> None:
        self.book = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self.book.set_properties(
            {"title": title, "author": "", "created": when.replace(tzinfo=None)}
        )
        self.words, self.lang = words, lang
        self.header = self.book.add_format({"bold": True})
        self.sheets = 0
        self.row = 0
        self.country: tuple[str, str] = ("", "")
        self._new_sheet()

    def _new_sheet(self) -> None:
        self.sheets += 1
        name = self.words.sheet if self.sheets == 1 else f"{self.words.sheet} ({self.sheets})"
        self.sheet = self.book.add_worksheet(name[:31])
        self.sheet.set_column(0, 0, 12)
        self.sheet.set_column(1, 1, 28)
        self.sheet.set_column(2, 2, 48)
        self.sheet.freeze_panes(1, 0)
        if self.lang in RIGHT_TO_LEFT:
            self.sheet.right_to_left()  # columns from the right, as the party reads
        self.row = 0
        words = self.words
        self._write([words.column_code, words.column_country, words.column_name], self.header)

    def _write(self, cells: Iterable[str], cell_format: object = None) -> None:
        if self.row >= XLSX_MAX_ROWS:
            self._new_sheet()
        for column, value in enumerate(cells):
            self.sheet.write_string(self.row, column, value, cell_format)
        self.row += 1

    def begin_country(self, tally: CountryTally) -> None:
        self.country = (tally.code, tally.name)

    def add(self, shown: str) -> None:
        self._write((*self.country, shown))

    def end_country(self, tally: CountryTally) -> None:
        if tally.paper:
            self._write(
                (*self.country, self.words.paper_total.format(total=number(tally.paper, self.lang)))
            )

    def close(self) -> None:
        self.book.close()


class NamesPdf:
    """The individuals annex, drawn page by page in two columns."""

    COLUMNS = 2
    GAP = 8 * mm
    SIZE = 9.0
    LEADING = 11.5
    HEADING_SIZE = 11.0
    TOP = PAGE[1] - MARGIN
    BOTTOM = MARGIN

    def __init__(
        self,
        path: Path,
        *,
        fonts: Fonts,
        words: Wording,
        lang: str,
        heading: str,
        reference: str,
        when: datetime,
    ) -> None:
        self.fonts, self.words, self.lang = fonts, words, lang
        self.rtl = lang in RIGHT_TO_LEFT  # columns and lines start on the right
        self.title = words.annex_individuals
        footer = Footer(fonts, reference, self.title, words.page, rtl=self.rtl)
        self.canvas = open_canvas(path, lang=lang, when=when, footer=footer)
        self.width = (PAGE[0] - 2 * MARGIN - (self.COLUMNS - 1) * self.GAP) / self.COLUMNS
        self.page = 1
        self.column = 0
        self.font: tuple[str, float] | None = None
        self.y = self._first_page(heading, when)

    def _first_page(self, heading: str, when: datetime) -> float:
        y = self.TOP - 14
        self._draw(self._page_x(MARGIN), y, self.title, self.fonts.bold, 16)
        for line in self._split(heading, self.fonts.regular, 10, PAGE[0] - 2 * MARGIN):
            y -= 14
            self._draw(self._page_x(MARGIN), y, line, self.fonts.regular, 10)
        y -= 14
        cutoff = self.words.cutoff.format(when=moment(when, self.lang))
        self._draw(self._page_x(MARGIN), y, cutoff, self.fonts.regular, 10)
        self.first_top = y - 10
        return self.first_top

    def _page_x(self, x: float) -> float:
        """Where a line starts: `x` from the left, or in a right-to-left annex as far from
        the right."""
        return PAGE[0] - x if self.rtl else x

    def _laid_out(self, text: str) -> bool:
        """Whether `text` is drawn by `rtl`: all of a right-to-left annex, and any line with
        Arabic letters (a name) in a left-to-right one."""
        return self.rtl or has_rtl(text)

    def _shown(self, text: str, font: str) -> str:
        return text if self._laid_out(text) else drawable(text, font)  # `rtl` draws what fonts have

    def _split(self, text: str, font: str, size: float, width: float) -> list[str]:
        # The wider of the two fonts, for Arabic.
        measure = self.fonts.arabic if self._laid_out(text) else font
        return simpleSplit(self._shown(text, font), measure, size, width) or [text]

    def _draw(self, x: float, y: float, text: str, font: str, size: float) -> None:
        if self._laid_out(text):
            face, align = self.fonts.face(font), "right" if self.rtl else "left"
            draw_text(self.canvas, x, y, text, face=face, size=size, align=align)
            self.font = None
            return
        if self.font != (font, size):
            self.canvas.setFont(font, size)
            self.font = (font, size)
        self.canvas.drawString(x, y, text)

    def _top(self) -> float:
        return self.first_top if self.page == 1 else self.TOP

    def _room(self, height: float) -> None:
        """Move to the next column, or page, unless `height` still fits in this one."""
        if self.y - height >= self.BOTTOM:
            return
        self.column += 1
        if self.column == self.COLUMNS:
            self.canvas.showPage()
            self.font = None
            self.page += 1
            self.column = 0
        self.y = self._top()

    def _x(self, indent: float = 0) -> float:
        return self._page_x(MARGIN + self.column * (self.width + self.GAP) + indent)

    def _line(self, text: str, font: str, size: float, *, indent: float = 0) -> None:
        self._room(self.LEADING)
        self.y -= self.LEADING
        self._draw(self._x(indent), self.y, text, font, size)

    def _lines(self, text: str, font: str, size: float) -> list[str]:
        if not self._laid_out(text) and stringWidth(text, font, size) <= self.width:
            return [text]
        return self._split(text, font, size, self.width - 6 * mm)

    def begin_country(self, tally: CountryTally) -> None:
        self._room(self.LEADING * 3.5)
        self.y -= self.LEADING * 0.6
        bold = self.fonts.bold
        self._line(self._shown(tally.name, bold), bold, self.HEADING_SIZE)

    def add(self, shown: str) -> None:
        regular = self.fonts.regular
        lines = self._lines(self._shown(shown, regular), regular, self.SIZE)
        self._line(lines[0], self.fonts.regular, self.SIZE)
        for more in lines[1:]:
            self._line(more, self.fonts.regular, self.SIZE, indent=6 * mm)

    def end_country(self, tally: CountryTally) -> None:
        words = self.words
        total, unnamed = number(tally.total, self.lang), number(tally.unnamed, self.lang)
        lines = []
        if tally.total or not tally.paper:
            lines.append(
                words.country_unnamed.format(total=total, unnamed=unnamed)
                if tally.unnamed
                else words.country_tally.format(total=total)
            )
        if tally.paper:
            lines.append(words.paper_total.format(total=number(tally.paper, self.lang)))
        for line in lines:
            for part in self._lines(line, self.fonts.italic, self.SIZE - 1):
                self._line(part, self.fonts.italic, self.SIZE - 1)

    def close(self) -> None:
        self.canvas.showPage()
        self.canvas.save()


def write_individuals(
    sinks: list[NamesSink],
    countries: list[CountryTally],
    shown_names: Callable[[CountryTally], Iterable[str]],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Feed every country's signatories to every sink, in one pass over the database."""
    for done, tally in enumerate(countries):
        for sink in sinks:
            sink.begin_country(tally)
        for shown in shown_names(tally):
            for sink in sinks:
                sink.add(shown)
        for sink in sinks:
            sink.end_country(tally)
        if progress is not None:
            progress(done + 1, len(countries))


class Sinks:
    """The three individuals files, closed together (each also when the build fails)."""

    def __init__(self, sinks: list[NamesSink]) -> None:
        self.sinks = sinks

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for sink in self.sinks:
            sink.close()


def write_organisations(
    path: Path,
    organisations: list[ListedOrganisation],
    unnamed: int,
    *,
    fonts: Fonts,
    words: Wording,
    lang: str,
    heading: str,
    reference: str,
    when: datetime,
) -> None:
    """The organisations annex: named ones grouped by country, with their type."""
    rtl = lang in RIGHT_TO_LEFT
    style = styles(fonts, rtl=rtl)
    story: list[object] = [
        *title_block(
            style, words.annex_organisations, heading, words.cutoff.format(when=moment(when, lang))
        ),
    ]
    for code, members in _by_country(organisations, lang):
        story.append(style.para(country_name(code, lang), style.heading))
        story.append(_organisations_table(members, style, words))
    if not organisations:
        story.append(style.para(words.no_organisations, style.body))
    if unnamed:
        story.append(Spacer(1, 4 * mm))
        line = words.further_organisations.format(lang, unnamed)
        story.append(style.para(line, style.body))
    doc = document(path, title=words.annex_organisations, lang=lang)
    footer = Footer(fonts, reference, words.annex_organisations, words.page, rtl=rtl)
    doc.build(story, canvasmaker=canvas_maker(when, footer))


def _by_country(
    organisations: list[ListedOrganisation], lang: str
) -> list[tuple[str, list[ListedOrganisation]]]:
    groups = {
        code: list(members) for code, members in groupby(organisations, key=lambda o: o.country)
    }
    return [(code, groups[code]) for code in records.in_reading_order(set(groups), lang)]


def _organisation_name(member: ListedOrganisation, style: Styles) -> object:
    """The name as listed, with the name in its own language under it when it differs."""
    original = member.name_original
    differs = bool(original and original.strip() != member.name.strip())
    if style.rtl or has_rtl(member.name + (original or "")):  # laid out by `rtl`
        return style.para(f"{member.name}\n{original}" if differs else member.name, style.cell)
    font = style.cell.fontName
    name = escape(drawable(member.name, font))
    if differs:
        name += f"<br/><font size='8'>{escape(drawable(original or '', font))}</font>"
    return Paragraph(name, style.cell)


def _organisations_table(members: list[ListedOrganisation], style: Styles, words: Wording) -> Table:
    small = style.cell_small
    rows: list[list[object]] = [
        style.mirrored(
            [
                style.para(words.organisation, style.cell_head),
                style.para(words.type, style.cell_head),
            ]
        )
    ]
    for member in members:
        rows.append(
            style.mirrored(
                [_organisation_name(member, style), style.para(words.kinds[member.kind], small)]
            )
        )
    width = PAGE[0] - 2 * MARGIN
    table = Table(rows, colWidths=style.mirrored([width * 0.64, width * 0.36]))
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), style.cell.fontName),  # else Table sets Helvetica
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, "#444444"),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, "#bbbbbb"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    table.repeatRows = 1
    return table
