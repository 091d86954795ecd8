"""Staff pages to send a campaign update: write, preview with the count, confirm."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from petition.campaigns.services import get_campaign
from petition.extensions import db
from petition.models import Campaign, CampaignStatus
from petition.signing.updates import CampaignIsDraft, UpdateAlreadySent
from petition.staff import updates as service
from petition.staff.blueprint import bp
from petition.staff.campaigns.forms import language_names
from petition.staff.forms_updates import ConfirmUpdateForm, UpdateForm
from petition.staff.permissions import Permission, require


def _compose_page(campaign: Campaign, form: UpdateForm, status: int = 200) -> ResponseReturnValue:
    """The form and the updates sent so far; a draft gets a notice instead of the form."""
    page = render_template(
        "staff/campaigns/updates.html",
        campaign=campaign,
        form=form,
        is_draft=campaign.status is CampaignStatus.DRAFT,
        updates=service.sent_updates(campaign),
        languages=language_names(),
    )
    return page, status


def _back_to_updates(campaign: Campaign) -> ResponseReturnValue:
    return redirect(url_for("staff.campaign_updates", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/updates", methods=["GET", "POST"])
@require(Permission.SEND_UPDATES)
def campaign_updates(campaign_id: int) -> ResponseReturnValue:
    """A POST comes from "Back to edit" on the confirmation page: the update is shown in
    the form again, to change; nothing is checked or sent."""
    return _compose_page(get_campaign(campaign_id), UpdateForm())


@bp.post("/campaigns/<int:campaign_id>/updates/preview")
@require(Permission.SEND_UPDATES)
def campaign_update_preview(campaign_id: int) -> ResponseReturnValue:
    campaign = get_campaign(campaign_id)
    form = UpdateForm()
    if not form.validate_on_submit():
        return _compose_page(campaign, form, 422)
    try:
        preview = service.preview_update(campaign, form.draft())
    except CampaignIsDraft:
        return _compose_page(campaign, form, 409)
    return render_template(
        "staff/campaigns/update_confirm.html",
        campaign=campaign,
        form=form,
        preview=preview,
        language=language_names()[form.lang.data],
    )


@bp.post("/campaigns/<int:campaign_id>/updates/send")
@require(Permission.SEND_UPDATES)
def campaign_update_send(campaign_id: int) -> ResponseReturnValue:
    campaign = get_campaign(campaign_id)
    form = ConfirmUpdateForm()
    if not form.validate_on_submit():
        return _compose_page(campaign, form, 422)
    try:
        update = service.send_confirmed(campaign, form.draft(), form.key.data, actor=current_user)
    except service.ConfirmationInvalid:
        form.key.errors = [
            _("This is not the update that was previewed. Please preview it again before sending.")
        ]
        return _compose_page(campaign, form, 422)
    except CampaignIsDraft:
        return _compose_page(campaign, form, 409)
    except UpdateAlreadySent:
        flash(_("This update was already sent. It was not sent again."), "info")
        return _back_to_updates(campaign)
    db.session.commit()
    flash(
        ngettext(
            "The update is queued for %(num)d signer.",
            "The update is queued for %(num)d signers.",
            update.recipients,
        ),
        "success",
    )
    return _back_to_updates(campaign)
