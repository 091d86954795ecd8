"""Staff see how many confirmed signatures each partner organisation's share link brought."""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue

from petition.extensions import db
from petition.i18n import current_language
from petition.labels import ORGANISATION_STATUS_LABELS
from petition.models import Campaign
from petition.signing.partners import partner_totals
from petition.staff.blueprint import bp
from petition.staff.permissions import Permission, require


@bp.get("/campaigns/<int:campaign_id>/partners")
@require(Permission.VIEW_DASHBOARD)
def campaign_partners(campaign_id: int) -> ResponseReturnValue:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    return render_template(
        "staff/partners/campaign.html",
        campaign=campaign,
        title=campaign.title_in(current_language()),
        totals=partner_totals(campaign.id),
        status_labels=ORGANISATION_STATUS_LABELS,
    )
