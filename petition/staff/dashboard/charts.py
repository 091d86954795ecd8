"""Bar charts drawn on the server as SVG geometry: no JavaScript, no outside service.

`daily_bar_chart` only computes positions and labels; a template writes the SVG, so
Jinja escapes every label. `confirmations_chart` is the dashboard's chart, described in the
reader's language. Colours come from CSS classes (the CSP forbids style attributes).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from babel.dates import format_skeleton
from flask_babel import format_date, format_number, get_locale
from flask_babel import gettext as _

from petition.campaigns.statistics import DayCount

WIDTH = 720
HEIGHT = 320
MARGIN_LEFT = 64  # room for the y-axis numbers and title
MARGIN_RIGHT = 16
MARGIN_TOP = 16
MARGIN_BOTTOM = 56  # room for the day labels and the x-axis title
MAX_BAR_WIDTH = 48
MAX_DAY_LABELS = 10
MAX_MONTH_LABELS = 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # e.g. "28 Jan 2025: 12", the bar's tooltip


@dataclass(frozen=True)
class Tick:
    position: float  # x for the day axis, y for the count axis
    label: str


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    x_label: str
    y_label: str
    bars: list[Bar]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = MARGIN_LEFT
    top: int = MARGIN_TOP
    right: int = WIDTH - MARGIN_RIGHT
    bottom: int = HEIGHT - MARGIN_BOTTOM

    @property
    def centre_x(self) -> float:
        return (self.left + self.right) / 2

    @property
    def centre_y(self) -> float:
        return (self.top + self.bottom) / 2


def nice_ticks(maximum: int, most: int = 5) -> list[int]:
    """Round, evenly spaced whole numbers from 0 to at least `maximum`."""
    if maximum <= 0:
        return [0, 1]
    rough = maximum / (most - 1)
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    step = max(1, math.ceil(step))
    top = math.ceil(maximum / step) * step
    return list(range(0, top + 1, step))


def _labelled_days(days: Sequence[date]) -> list[int]:
    """Indexes of the days that get a label: each day, every 2/7/14th, or month starts."""
    count = len(days)
    if count <= MAX_DAY_LABELS:
        return list(range(count))
    for step in (2, 7, 14):
        if math.ceil(count / step) <= MAX_DAY_LABELS:
            return list(range(0, count, step))
    starts = [index for index, day in enumerate(days) if day.day == 1]
    every = max(1, math.ceil(len(starts) / MAX_MONTH_LABELS))
    return starts[::every]


def daily_bar_chart(
    values: Sequence[tuple[date, int]],
    *,
    title: str,
    description: str,
    x_label: str,
    y_label: str,
    day_label: Callable[[date], str],
    full_date: Callable[[date], str],
    month_label: Callable[[date], str],
    number: Callable[[int], str],
) -> BarChart:
    """One bar per day with a count above zero, on a day axis that spans every given day.

    Works for a single day (one centred bar) as for years (bars a pixel wide, month labels).
    """
    plot_left, plot_right = MARGIN_LEFT, WIDTH - MARGIN_RIGHT
    plot_top, plot_bottom = MARGIN_TOP, HEIGHT - MARGIN_BOTTOM
    slot = (plot_right - plot_left) / max(1, len(values))
    bar_width = min(MAX_BAR_WIDTH, slot * 0.8 if slot >= 5 else slot)
    y_values = nice_ticks(max((count for _, count in values), default=0))
    scale = (plot_bottom - plot_top) / y_values[-1]

    def centre(index: int) -> float:
        return round(plot_left + slot * (index + 0.5), 2)

    bars = [
        Bar(
            x=round(centre(index) - bar_width / 2, 2),
            y=round(plot_bottom - count * scale, 2),
            width=round(bar_width, 2),
            height=round(count * scale, 2),
            label=f"{full_date(day)}: {number(count)}",
        )
        for index, (day, count) in enumerate(values)
        if count > 0
    ]
    days = [day for day, _ in values]
    labelled = _labelled_days(days)
    by_month = len(days) > MAX_DAY_LABELS * 14
    x_ticks = [
        Tick(centre(index), (month_label if by_month else day_label)(days[index]))
        for index in labelled
    ]
    y_ticks = [Tick(round(plot_bottom - value * scale, 2), number(value)) for value in y_values]
    return BarChart(
        title=title,
        description=description,
        x_label=x_label,
        y_label=y_label,
        bars=bars,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
    )


def confirmations_chart(days: list[DayCount]) -> BarChart | None:
    """The confirmed-per-day bar chart, with a text description of what it shows."""
    if not days:
        return None
    locale = get_locale() or "en"
    total = sum(day.count for day in days)
    peak = max(days, key=lambda day: day.count)
    description = _(
        "Signatures confirmed per day (UTC), from %(first)s to %(last)s: %(total)s in total. "
        "The most in one day: %(peak)s, on %(peak_day)s.",
        first=format_date(days[0].day, "long"),
        last=format_date(days[-1].day, "long"),
        total=format_number(total),
        peak=format_number(peak.count),
        peak_day=format_date(peak.day, "long"),
    )
    return daily_bar_chart(
        [(day.day, day.count) for day in days],
        title=_("Signatures confirmed per day"),
        description=description,
        x_label=_("Day of confirmation (UTC)"),
        y_label=_("Signatures confirmed"),
        day_label=lambda day: format_skeleton("MMMd", day, locale=locale),
        full_date=lambda day: format_date(day, "medium"),
        month_label=lambda day: format_skeleton("yMMM", day, locale=locale),
        number=format_number,
    )
