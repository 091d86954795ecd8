"""The staff home and each campaign's dashboard: counts, confirmations per day, countries."""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue

from petition.campaigns import statistics
from petition.extensions import db
from petition.i18n import current_language
from petition.labels import CAMPAIGN_STATUS_LABELS
from petition.models import Campaign
from petition.staff.blueprint import bp
from petition.staff.dashboard.charts import confirmations_chart
from petition.staff.permissions import Permission, require


@bp.get("/")
@require(Permission.VIEW_DASHBOARD)
def home() -> ResponseReturnValue:
    summaries = statistics.campaign_summaries(current_language())
    return render_template(
        "staff/dashboard/home.html",
        summaries=summaries,
        campaign_status_labels=CAMPAIGN_STATUS_LABELS,
    )


@bp.get("/campaigns/<int:campaign_id>/dashboard")
@require(Permission.VIEW_DASHBOARD)
def campaign_dashboard(campaign_id: int) -> ResponseReturnValue:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    lang = current_language()
    days = statistics.confirmed_per_day(campaign.id)
    return render_template(
        "staff/dashboard/campaign.html",
        campaign=campaign,
        title=campaign.title_in(lang),
        counts=statistics.status_counts(campaign.id),
        days=days,
        chart=confirmations_chart(days),
        countries=statistics.counts_by_country(campaign.id, lang),
        campaign_status_labels=CAMPAIGN_STATUS_LABELS,
    )
