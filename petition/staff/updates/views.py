"""Staff pages to send a campaign update: write, preview with the count, confirm."""

from __future__ import annotations

import shlex

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from petition.campaigns.services import get_campaign
from petition.delivery.news import NotDelivered, delivered_package, delivery_news
from petition.extensions import db
from petition.i18n import LANGUAGES, language_names
from petition.mail.messages import Email, render_email
from petition.models import Campaign, CampaignStatus
from petition.signing import updates
from petition.signing.updates import (
    CampaignIsDraft,
    ConfirmationInvalid,
    TooManyForTheConsole,
    UpdateAlreadySent,
    UpdateDraft,
    WrongCustodianKey,
)
from petition.staff.blueprint import bp
from petition.staff.permissions import Permission, require
from petition.staff.updates.forms import ConfirmUpdateForm, UpdateForm

# Stands in for each signer's private link in the preview: there is no signer to link to.
PREVIEW_TOKEN = "personal-link"  # noqa: S105 (not a secret)
# Why a confirmed update was not sent: each leaves nothing queued and is said on the page.
NOT_SENT = (
    ConfirmationInvalid,
    CampaignIsDraft,
    TooManyForTheConsole,
    UpdateAlreadySent,
    WrongCustodianKey,
)


def _compose_page(
    campaign: Campaign,
    form: UpdateForm,
    status: int = 200,
    too_many: TooManyForTheConsole | None = None,
) -> ResponseReturnValue:
    """The form and the updates sent so far; a draft gets a notice instead of the form, an
    update to more signers than the console sends to one with the command that sends it."""
    page = render_template(
        "staff/campaigns/updates.html",
        campaign=campaign,
        form=form,
        is_draft=campaign.status is CampaignStatus.DRAFT,
        updates=updates.sent_updates(campaign),
        languages=language_names(),
        too_many=too_many,
        command=_command_line(campaign, form) if too_many else None,
    )
    return page, status


def _command_line(campaign: Campaign, form: UpdateForm) -> str:
    """The command that sends this update from the server, its own words quoted."""
    words = ["flask", "--app", "petition", "updates", "send", campaign.slug]
    words += ["--lang", form.lang.data or "LANG", "--subject", form.subject.data or "SUBJECT"]
    words += ["--body-file", "MESSAGE.txt", "--identity", "CUSTODIAN.key"]
    return shlex.join(words)


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
    the form again, to change; nothing is checked or sent. `?delivery=<package>&lang=…`
    starts from the news of that delivery (delivery/news.py)."""
    campaign = get_campaign(campaign_id)
    return _compose_page(campaign, _news_form(campaign) or UpdateForm())


def _news_form(campaign: Campaign) -> UpdateForm | None:
    """The form filled in with the news of the delivery the query names, if it names one;
    404 if that is no delivered package of this campaign, or no language of the site."""
    package_id, lang = request.args.get("delivery", ""), request.args.get("lang", "")
    if request.method != "GET" or not package_id:
        return None
    if not package_id.isdigit() or lang not in LANGUAGES:
        abort(404)
    try:
        package = delivered_package(int(package_id), campaign.id)
    except NotDelivered:
        abort(404)
    draft = delivery_news(package, lang)
    return UpdateForm(lang=draft.lang, subject=draft.subject, body=draft.body)


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
    except TooManyForTheConsole as error:
        return _compose_page(campaign, form, 422, too_many=error)
    return _confirm_page(campaign, ConfirmUpdateForm(formdata=None, data=form.data), preview)


def _confirm_page(
    campaign: Campaign,
    form: ConfirmUpdateForm,
    preview: updates.UpdatePreview,
    status: int = 200,
) -> ResponseReturnValue:
    """The mail as it will go out, its count, the key file to choose and the button that
    sends it."""
    page = render_template(
        "staff/campaigns/update_confirm.html",
        campaign=campaign,
        form=form,
        preview=preview,
        sample=_sample_mail(campaign, form.draft()),
        language=language_names()[form.lang.data],
    )
    return page, status


@bp.post("/campaigns/<int:campaign_id>/updates/send")
@require(Permission.SEND_UPDATES)
def campaign_update_send(campaign_id: int) -> ResponseReturnValue:
    """The custodian's key file is read in memory by the form and used for this send only."""
    campaign = get_campaign(campaign_id)
    form = ConfirmUpdateForm()
    if not form.validate_on_submit():
        return _refused(campaign, form)
    try:
        update = updates.send_confirmed(
            campaign, form.draft(), form.key.data, identity=form.identity, actor=current_user
        )
    except NOT_SENT as error:
        return _not_sent(campaign, form, error)
    db.session.commit()
    flash(_queued(update.recipients), "success")
    return _back_to_updates(campaign)


def _refused(campaign: Campaign, form: ConfirmUpdateForm) -> ResponseReturnValue:
    """An invalid confirmation: with only the key file wrong, the same confirmation page to
    choose another; otherwise (a confirmation changed on the way) the form to start over."""
    if set(form.errors) == {form.identity_file.name}:
        return _confirm_again(campaign, form)
    return _start_over(campaign, form)


def _confirm_again(campaign: Campaign, form: ConfirmUpdateForm) -> ResponseReturnValue:
    """The confirmation page once more, with the same key: sending it twice still mails once."""
    try:
        preview = updates.confirmation_preview(campaign, form.draft(), form.key.data)
    except (ConfirmationInvalid, TooManyForTheConsole) as error:
        return _not_sent(campaign, form, error)
    return _confirm_page(campaign, form, preview, 422)


def _not_sent(campaign: Campaign, form: ConfirmUpdateForm, error: Exception) -> ResponseReturnValue:
    """The page for a refused confirmation: a custodian key that opens nothing, a changed
    confirmation key, a draft, one sent already, or one to more signers than the console
    sends to."""
    if isinstance(error, WrongCustodianKey):
        form.identity_file.errors = [
            _(
                "This key cannot open the addresses of this campaign's signers. Nothing was "
                "sent: please choose the key file of one of the campaign's custodians."
            )
        ]
        return _confirm_again(campaign, form)
    if isinstance(error, UpdateAlreadySent):
        flash(_("This update was already sent. It was not sent again."), "info")
        return _back_to_updates(campaign)
    if isinstance(error, CampaignIsDraft):
        return _compose_page(campaign, form, 409)
    if isinstance(error, TooManyForTheConsole):
        form.identity_file.errors = []
        return _compose_page(campaign, form, 422, too_many=error)
    form.key.errors = [
        _("This is not the update that was previewed. Please preview it again before sending.")
    ]
    return _start_over(campaign, form)


def _start_over(campaign: Campaign, form: ConfirmUpdateForm) -> ResponseReturnValue:
    """The form to write the update in again, saying what was wrong with the confirmation;
    not the key file's error: that page has no key file to choose."""
    form.identity_file.errors = []
    return _compose_page(campaign, form, 422)


def _queued(recipients: int) -> str:
    return ngettext(
        "The update is queued for %(num)d signer.",
        "The update is queued for %(num)d signers.",
        recipients,
    )
