"""The staff page for paper and offline signatures: record a batch, see them all, void one."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from petition.campaigns import paper
from petition.campaigns.services import get_campaign
from petition.countries import country_name
from petition.extensions import db
from petition.i18n import current_language
from petition.models import Campaign, PaperBatch
from petition.staff.blueprint import bp
from petition.staff.paper.forms import PaperBatchForm, VoidBatchForm
from petition.staff.permissions import Permission, require


def _paper_page(campaign: Campaign, form: PaperBatchForm, status: int = 200) -> ResponseReturnValue:
    lang = current_language()
    batches = paper.campaign_batches(campaign)
    page = render_template(
        "staff/campaigns/paper.html",
        campaign=campaign,
        form=form,
        batches=batches,
        counted=sum(batch.count for batch in batches if not batch.is_void),
        country_label=lambda code: country_name(code, lang),
    )
    return page, status


def _back_to_batches(campaign: Campaign) -> ResponseReturnValue:
    return redirect(url_for("staff.campaign_paper", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/paper", methods=["GET", "POST"])
@require(Permission.RECORD_PAPER)
def campaign_paper(campaign_id: int) -> ResponseReturnValue:
    campaign = get_campaign(campaign_id)
    form = PaperBatchForm(lang=current_language())
    if not form.validate_on_submit():
        return _paper_page(campaign, form, 422 if form.is_submitted() else 200)
    try:
        paper.record_batch(campaign, form.entry(), actor=current_user)
    except paper.BatchAlreadyRecorded:
        flash(_("This batch was already recorded. It was not recorded again."), "info")
        return _back_to_batches(campaign)
    db.session.commit()
    flash(_("The batch is recorded: it counts as signed on paper."), "success")
    return _back_to_batches(campaign)


def _batch_or_404(campaign: Campaign, batch_id: int) -> PaperBatch:
    batch = paper.get_batch(campaign, batch_id)
    if batch is None:
        abort(404)
    return batch


def _void_page(campaign: Campaign, batch: PaperBatch, form: VoidBatchForm) -> ResponseReturnValue:
    """The batch and the form to void it; for a batch voided already, its reason instead."""
    page = render_template(
        "staff/campaigns/paper_void.html",
        campaign=campaign,
        batch=batch,
        form=form,
        country=country_name(batch.country, current_language()),
    )
    return page, 422 if form.is_submitted() and not batch.is_void else 200


@bp.route("/campaigns/<int:campaign_id>/paper/<int:batch_id>/void", methods=["GET", "POST"])
@require(Permission.RECORD_PAPER)
def paper_batch_void(campaign_id: int, batch_id: int) -> ResponseReturnValue:
    campaign = get_campaign(campaign_id)
    batch, form = _batch_or_404(campaign, batch_id), VoidBatchForm()
    if batch.is_void or not form.validate_on_submit():
        return _void_page(campaign, batch, form)
    try:
        paper.void_batch(batch, form.reason.data, actor=current_user)
    except paper.BatchAlreadyVoided:
        flash(_("This batch was already voided."), "info")
        return _back_to_batches(campaign)
    db.session.commit()
    flash(_("The batch is voided: it no longer counts anywhere."), "success")
    return _back_to_batches(campaign)
