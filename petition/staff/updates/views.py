"""Staff pages to send a campaign update: write, preview with the count, confirm."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from petition.campaigns.services import get_campaign
from petition.extensions import db
from petition.i18n import language_names
from petition.mail.messages import Email, render_email
from petition.models import Campaign, CampaignStatus
from petition.signing import updates
from petition.signing.updates import CampaignIsDraft, UpdateAlreadySent, UpdateDraft
from petition.staff.blueprint import bp
from petition.staff.permissions import Permission, require
from petition.staff.updates.forms import ConfirmUpdateForm, UpdateForm

# Stands in for each signer's private link in the preview: there is no signer to link to.
PREVIEW_TOKEN = "personal-link"  # noqa: S105 (not a secret)


def _compose_page(campaign: Campaign, form: UpdateForm, status: int = 200) -> ResponseReturnValue:
    """The form and the updates sent so far; a draft gets a notice instead of the form."""
    page = render_template(
        "staff/campaigns/updates.html",
        campaign=campaign,
        form=form,
        is_draft=campaign.status is CampaignStatus.DRAFT,
        updates=updates.sent_updates(campaign),
        languages=language_names(),
    )
    return page, status


def _sample_mail(campaign: Campaign, draft: UpdateDraft) -> Email:
    """The mail as signers in `draft.lang` will get it, a placeholder for their own link."""
    return render_email(
        "campaign_update",
        "",
        draft.lang,
        campaign=campaign,
        text=campaign.text(draft.lang),
        subject=draft.subject,
        body=draft.body,
        manage_token=PREVIEW_TOKEN,
    )


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
        preview = updates.preview_update(campaign, form.draft())
    except CampaignIsDraft:
        return _compose_page(campaign, form, 409)
    return _confirm_page(campaign, form, preview)


def _confirm_page(
    campaign: Campaign, form: UpdateForm, preview: updates.UpdatePreview
) -> ResponseReturnValue:
    """The mail as it will go out, its count, and the button that sends it."""
    return render_template(
        "staff/campaigns/update_confirm.html",
        campaign=campaign,
        form=form,
        preview=preview,
        sample=_sample_mail(campaign, form.draft()),
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
        update = updates.send_confirmed(campaign, form.draft(), form.key.data, actor=current_user)
    except (updates.ConfirmationInvalid, CampaignIsDraft, UpdateAlreadySent) as error:
        return _not_sent(campaign, form, error)
    db.session.commit()
    flash(_queued(update.recipients), "success")
    return _back_to_updates(campaign)


def _not_sent(campaign: Campaign, form: ConfirmUpdateForm, error: Exception) -> ResponseReturnValue:
    """The page for a refused confirmation: a changed key, a draft, or one sent already."""
    if isinstance(error, UpdateAlreadySent):
        flash(_("This update was already sent. It was not sent again."), "info")
        return _back_to_updates(campaign)
    if isinstance(error, CampaignIsDraft):
        return _compose_page(campaign, form, 409)
    form.key.errors = [
        _("This is not the update that was previewed. Please preview it again before sending.")
    ]
    return _compose_page(campaign, form, 422)


def _queued(recipients: int) -> str:
    return ngettext(
        "The update is queued for %(num)d signer.",
        "The update is queued for %(num)d signers.",
        recipients,
    )
