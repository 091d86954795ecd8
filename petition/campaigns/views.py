"""The list of campaigns and each campaign's page."""

from __future__ import annotations

from flask import Blueprint, g, render_template
from flask.typing import ResponseReturnValue

from petition.campaigns import services
from petition.campaigns.counts import campaign_counts
from petition.campaigns.delivery_log import delivery_log
from petition.countries import country_name
from petition.i18n import bind_language
from petition.labels import NAMES_POLICY_LABELS
from petition.page_cache import shared_page

bp = Blueprint("campaigns", __name__, url_prefix="/<lang>")
bind_language(bp)


@bp.app_template_filter("markdown")
def markdown_filter(source: str) -> object:
    return services.render_markdown(source)


@bp.app_template_filter("country")
def country_filter(code: str) -> str:
    return country_name(code, g.lang)


@bp.get("/")
@shared_page
def index() -> ResponseReturnValue:
    return render_template("campaigns/index.html", campaigns=services.list_public())


@bp.get("/<slug>/")
@shared_page
def show(slug: str) -> ResponseReturnValue:
    campaign = services.get_public(slug)
    return render_template(
        "campaigns/show.html",
        campaign=campaign,
        text=campaign.text(g.lang),
        counts=campaign_counts(campaign.id),
        deliveries=delivery_log(campaign.id),
        names_policies=NAMES_POLICY_LABELS,
    )
