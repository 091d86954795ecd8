"""The staff home and each campaign's dashboard: counts, confirmations per day, countries."""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue

from petition.extensions import db
from petition.models import Campaign
from petition.staff import dashboard
from petition.staff.blueprint import bp
from petition.staff.permissions import Permission, require


@bp.get("/")
@require(Permission.VIEW_DASHBOARD)
def home() -> ResponseReturnValue:
    summaries = dashboard.campaign_summaries(dashboard.current_language())
    return render_template(
        "staff/home.html",
        summaries=summaries,
        campaign_status_labels=dashboard.CAMPAIGN_STATUS_LABELS,
    )


@bp.get("/campaigns/<int:campaign_id>/dashboard")
@require(Permission.VIEW_DASHBOARD)
def campaign_dashboard(campaign_id: int) -> ResponseReturnValue:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    lang = dashboard.current_language()
    days = dashboard.confirmed_per_day(campaign.id)
    return render_template(
        "staff/dashboard/campaign.html",
        campaign=campaign,
        title=dashboard.campaign_title(campaign, lang),
        counts=dashboard.status_counts(campaign.id),
        days=days,
        chart=dashboard.confirmations_chart(days),
        countries=dashboard.counts_by_country(campaign.id, lang),
        campaign_status_labels=dashboard.CAMPAIGN_STATUS_LABELS,
    )
