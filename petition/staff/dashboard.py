"""The dashboard's chart: confirmations per day, drawn and described in the reader's language."""

from __future__ import annotations

from babel.dates import format_skeleton
from flask_babel import format_date, format_number, get_locale
from flask_babel import gettext as _

from petition.campaigns.statistics import DayCount
from petition.staff.charts import BarChart, daily_bar_chart


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
