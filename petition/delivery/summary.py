"""The summary: totals by country and by type of organisation, and confirmed signatures
over time as a chart drawn with ReportLab's own graphics (no image, no other library).

Organisations that asked to be counted only appear in one total and nowhere else: a
count by country or by type could point at a small group that chose not to be named. For a
party that receives no names (`counted`), every organisation is such a one, and of the
individuals it gets only how many signed, in all and by country.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from babel.dates import format_date
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Table, TableStyle

from petition.countries import country_name
from petition.delivery.pdf import (
    MARGIN,
    PAGE,
    Fonts,
    Footer,
    Styles,
    canvas_maker,
    document,
    styles,
    title_block,
)
from petition.delivery.records import CountryTally, ListedOrganisation, Totals, in_reading_order
from petition.delivery.wording import Wording, moment, number
from petition.i18n import RIGHT_TO_LEFT
from petition.models import NamesPolicy

CHART_WIDTH = PAGE[0] - 2 * MARGIN
CHART_HEIGHT = 75 * mm
DATE_LABELS = 6
# The direction marks some locales put in dates (Arabic puts a right-to-left mark after each
# number): the chart's labels are numbers and separators, and the font has no mark to draw.
BIDI_MARKS = re.compile("[\u061c\u200e\u200f]")


def write_summary(
    path: Path,
    *,
    totals: Totals,
    countries: Sequence[CountryTally],
    organisations: Sequence[ListedOrganisation],
    per_day: Sequence[tuple[date, int]],
    policy: NamesPolicy,
    fonts: Fonts,
    words: Wording,
    lang: str,
    heading: str,
    reference: str,
    when: datetime,
) -> None:
    rtl = lang in RIGHT_TO_LEFT
    style = styles(fonts, rtl=rtl)
    named = policy is NamesPolicy.NAMED
    story: list[object] = [
        *title_block(style, words.summary, heading, words.cutoff.format(when=moment(when, lang))),
        style.para(words.individuals, style.heading),
        _table(_individual_rows(totals, words, lang, named=named), style),
        style.para(words.organisations, style.heading),
        _table(_organisation_rows(totals, words, lang, named=named), style),
        style.para(words.by_country, style.heading),
    ]
    if named:
        story += [
            _table(_country_rows(countries, organisations, words, lang), style, header=True),
            style.para(words.by_type, style.heading),
            _table(_kind_rows(organisations, words, lang), style, header=True),
        ]
    else:
        story.append(_table(_signature_country_rows(countries, words, lang), style, header=True))
    story.append(style.para(words.over_time, style.heading))
    if per_day:
        story.append(confirmations_chart(per_day, fonts, lang))  # numbers and dates only
    else:
        story.append(style.para(words.no_signatures, style.body))
    doc = document(path, title=words.summary, lang=lang)
    footer = Footer(fonts, reference, words.summary, words.page, rtl=rtl)
    doc.build(story, canvasmaker=canvas_maker(when, footer))


def _individual_rows(
    totals: Totals, words: Wording, lang: str, *, named: bool
) -> list[tuple[str, str]]:
    rows = [(words.total, number(totals.individuals, lang))]
    if named:
        rows += [
            (words.named, number(totals.individuals_named, lang)),
            (words.initials_only, number(totals.individuals_initials, lang)),
            (words.anonymous, number(totals.individuals_unnamed, lang)),
        ]
    if totals.paper:
        rows.append((words.paper, number(totals.paper, lang)))
    return rows


def _organisation_rows(
    totals: Totals, words: Wording, lang: str, *, named: bool
) -> list[tuple[str, str]]:
    rows = [(words.total, number(totals.organisations, lang))]
    if named:
        rows += [
            (words.organisations_named, number(totals.organisations_named, lang)),
            (words.organisations_unnamed, number(totals.organisations_unnamed, lang)),
        ]
    return rows


def _signature_country_rows(
    countries: Sequence[CountryTally], words: Wording, lang: str
) -> list[tuple[str, ...]]:
    """Signatures by country (and on paper, if any) and nothing else, for a party that
    receives no names."""
    paper = any(tally.paper for tally in countries)
    rows: list[tuple[str, ...]] = [
        (words.country, words.signatures, *([words.paper] if paper else []))
    ]
    for tally in countries:
        on_paper = [number(tally.paper, lang)] if paper else []
        rows.append((tally.name, number(tally.total, lang), *on_paper))
    on_paper = [number(sum(tally.paper for tally in countries), lang)] if paper else []
    rows.append((words.total, number(sum(tally.total for tally in countries), lang), *on_paper))
    return rows


def _country_rows(
    countries: Sequence[CountryTally],
    organisations: Sequence[ListedOrganisation],
    words: Wording,
    lang: str,
) -> list[tuple[str, ...]]:
    named_here = Counter(organisation.country for organisation in organisations)
    names = {tally.code: tally.name for tally in countries}
    codes = in_reading_order({*names, *named_here}, lang)
    signatures = {tally.code: tally.total for tally in countries}
    paper = {tally.code: tally.paper for tally in countries if tally.paper}
    rows: list[tuple[str, ...]] = [
        (
            words.country,
            words.signatures,
            *([words.paper] if paper else []),
            words.named_organisations,
        )
    ]
    for code in codes:
        rows.append(
            (
                names.get(code) or country_name(code, lang),
                number(signatures.get(code, 0), lang),
                *([number(paper.get(code, 0), lang)] if paper else []),
                number(named_here.get(code, 0), lang),
            )
        )
    rows.append(
        (
            words.total,
            number(sum(signatures.values()), lang),
            *([number(sum(paper.values()), lang)] if paper else []),
            number(len(organisations), lang),
        )
    )
    return rows


def _kind_rows(
    organisations: Sequence[ListedOrganisation], words: Wording, lang: str
) -> list[tuple[str, ...]]:
    kinds = Counter(organisation.kind for organisation in organisations)
    rows: list[tuple[str, ...]] = [(words.type, words.named_organisations)]
    labelled = sorted((words.kinds[kind], count) for kind, count in kinds.items())
    rows.extend((label, number(count, lang)) for label, count in labelled)
    rows.append((words.total, number(len(organisations), lang)))
    return rows


def _cell_style(style: Styles, *, bold: bool, number_column: bool) -> ParagraphStyle:
    if bold:
        return style.cell_head_number if number_column else style.cell_head
    return style.cell_number if number_column else style.cell


def _table(rows: Sequence[Sequence[str]], style: Styles, *, header: bool = False) -> Table:
    """A table of labels and right-aligned numbers; with `header`, the first row heads it
    and the last row is the total."""
    width = PAGE[0] - 2 * MARGIN
    columns = len(rows[0])
    first = width * (0.6 if columns == 2 else 0.5)
    rest = (width - first) / (columns - 1)
    last = len(rows) - 1
    cells = [
        style.mirrored(
            [
                style.para(
                    value,
                    _cell_style(
                        style, bold=header and index in {0, last}, number_column=position > 0
                    ),
                )
                for position, value in enumerate(row)
            ]
        )
        for index, row in enumerate(rows)
    ]
    table = Table(cells, colWidths=style.mirrored([first, *([rest] * (columns - 1))]))
    commands: list[tuple[object, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), style.cell.fontName),  # else Table sets Helvetica
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, "#bbbbbb"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        commands.append(("LINEBELOW", (0, 0), (-1, 0), 0.6, "#444444"))
        table.repeatRows = 1
    table.setStyle(TableStyle(commands))
    return table


def cumulative(per_day: Sequence[tuple[date, int]]) -> list[tuple[int, int]]:
    """(day ordinal, running total), starting from zero the day before the first."""
    first = per_day[0][0] - timedelta(days=1)
    points, running = [(first.toordinal(), 0)], 0
    for day, count in per_day:
        running += count
        points.append((day.toordinal(), running))
    return points


def confirmations_chart(per_day: Sequence[tuple[date, int]], fonts: Fonts, lang: str) -> Drawing:
    """A line of the running total of confirmed signatures, by UTC day."""
    points = cumulative(per_day)
    drawing = Drawing(CHART_WIDTH, CHART_HEIGHT)
    drawing.initialFontName = fonts.regular  # else the renderer starts in Times-Roman
    plot = LinePlot()
    plot.x, plot.y = 18 * mm, 12 * mm
    plot.width, plot.height = CHART_WIDTH - 24 * mm, CHART_HEIGHT - 18 * mm
    plot.data = [points]
    plot.lines[0].strokeColor = colors.HexColor("#1f5fa8")
    plot.lines[0].strokeWidth = 1.5
    _date_axis(plot, points, fonts, lang)
    _count_axis(plot, points, fonts, lang)
    drawing.add(plot)
    total = number(points[-1][1], lang)
    drawing.add(
        String(
            plot.x + plot.width,
            plot.y + plot.height + 4,
            total,
            fontName=fonts.bold,
            fontSize=8,
            textAnchor="end",
        )
    )
    return drawing


def _date_axis(plot: LinePlot, points: list[tuple[int, int]], fonts: Fonts, lang: str) -> None:
    first, last = points[0][0], points[-1][0]
    step = max(1, (last - first) // (DATE_LABELS - 1))
    axis = plot.xValueAxis
    axis.valueMin, axis.valueMax = first, last
    axis.valueSteps = list(range(first, last + 1, step))
    axis.labelTextFormat = lambda value: BIDI_MARKS.sub(
        "", format_date(date.fromordinal(int(value)), "medium", locale=lang)
    )
    axis.labels.fontName, axis.labels.fontSize = fonts.regular, 7


def nice_step(top: int, ticks: int = 5) -> int:
    """A whole step of 1, 2 or 5 times a power of ten giving about `ticks` intervals."""
    rough = max(top / ticks, 1)
    power = 10 ** math.floor(math.log10(rough))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= rough)


def _count_axis(plot: LinePlot, points: list[tuple[int, int]], fonts: Fonts, lang: str) -> None:
    axis = plot.yValueAxis
    step = nice_step(points[-1][1])
    axis.valueMin, axis.valueStep = 0, step
    axis.valueMax = step * math.ceil(max(points[-1][1], 1) / step)
    axis.labelTextFormat = lambda value: number(int(value), lang)
    axis.labels.fontName, axis.labels.fontSize = fonts.regular, 7
    axis.gridStrokeColor = colors.HexColor("#dddddd")
    axis.visibleGrid = True
