"""Staff pages for delivery packages and the cover letter's wording."""

from __future__ import annotations

from typing import IO

from flask import Response, abort, flash, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from petition.campaigns.services import get_campaign
from petition.delivery import service
from petition.delivery.package import PackageError, reference_number
from petition.extensions import db
from petition.i18n import LETTER_LANGUAGES, current_language, letter_language_names
from petition.labels import NAMES_POLICY_LABELS
from petition.models import Campaign, DeliveryPackage, PackageStatus
from petition.staff.blueprint import bp, commit_if_changed
from petition.staff.deliveries.forms import (
    BuildPackageForm,
    DeliveryRecordForm,
    LetterheadForm,
    LetterTemplateForm,
    PartyResponseForm,
    signatories_text,
    signatory_lines,
)
from petition.staff.permissions import Permission, require


@bp.get("/deliveries")
@require(Permission.EXPORT)
def deliveries() -> ResponseReturnValue:
    return _list_page()


@bp.post("/deliveries/build")
@require(Permission.EXPORT)
def delivery_build() -> ResponseReturnValue:
    form = BuildPackageForm()
    campaign = _posted_campaign(form)
    if not form.validate_on_submit():
        return _list_page(form, 422)
    try:
        packages = service.queue_packages(
            campaign, form.target_id.data, cutoff=form.cutoff_moment(), actor=current_user
        )
    except PackageError:
        form.target_id.errors = [_("Please choose one of this campaign's negotiating parties.")]
        return _list_page(form, 422)
    db.session.commit()
    return _queued(packages)


@bp.get("/deliveries/<int:package_id>")
@require(Permission.EXPORT)
def delivery(package_id: int) -> ResponseReturnValue:
    return _package_page(_package(package_id))


@bp.post("/deliveries/<int:package_id>")
@require(Permission.EXPORT)
def delivery_update(package_id: int) -> ResponseReturnValue:
    package = _package(package_id)
    form = DeliveryRecordForm()
    if not form.validate_on_submit():
        return _package_page(package, record_form=form, status=422)
    try:
        changed = service.update_delivery(package, form.delivery_record(), actor=current_user)
    except service.PackageNotReady:
        form.sent_on.errors = [_("Only a package that is ready can be marked as sent.")]
        return _package_page(package, record_form=form, status=422)
    commit_if_changed(changed, _("The delivery record is saved."))
    return redirect(url_for("staff.delivery", package_id=package.id))


@bp.post("/deliveries/<int:package_id>/response")
@require(Permission.EXPORT)
def delivery_response(package_id: int) -> ResponseReturnValue:
    """Record the party's response to a package marked sent: public in the delivery log."""
    package = _package(package_id)
    form = PartyResponseForm()
    if not form.validate_on_submit():
        return _package_page(package, response_form=form, status=422)
    try:
        changed = service.record_response(package, form.party_response(), actor=current_user)
    except service.PackageNotSent:
        form.response.errors = [_("Please record the day it was sent first.")]
        return _package_page(package, response_form=form, status=422)
    commit_if_changed(changed, _("The response is saved. The public delivery log shows it."))
    return redirect(url_for("staff.delivery", package_id=package.id))


@bp.get("/deliveries/<int:package_id>/download")
@require(Permission.EXPORT)
def delivery_download(package_id: int) -> ResponseReturnValue:
    package = _package(package_id)
    try:
        archive = service.download_package(package, actor=current_user)
    except service.PackageNotReady:
        abort(404)
    except service.PackageAltered:
        return _files_altered(package)
    db.session.commit()
    return _zip_response(archive, service.zip_name(package))


@bp.route("/campaigns/<int:campaign_id>/letter/<lang>", methods=["GET", "POST"])
@require(Permission.EDIT_CAMPAIGNS)
def letter_template(campaign_id: int, lang: str) -> ResponseReturnValue:
    campaign = _letter_campaign(campaign_id, lang)
    form = LetterTemplateForm()
    if not form.is_submitted():
        form.body.data = service.letter_text(campaign, lang)
        return _letter_page(campaign, lang, form)
    if not form.validate():
        return _letter_page(campaign, lang, form, 422)
    changed = service.save_letter(campaign, lang, form.body.data, actor=current_user)
    commit_if_changed(changed, _("The letter is saved. The next package uses it."))
    return redirect(url_for("staff.letter_template", campaign_id=campaign.id, lang=lang))


@bp.route("/campaigns/<int:campaign_id>/letterhead", methods=["GET", "POST"])
@require(Permission.EDIT_CAMPAIGNS)
def letterhead(campaign_id: int) -> ResponseReturnValue:
    campaign = get_campaign(campaign_id)
    form = LetterheadForm()
    if not form.is_submitted():
        _fill_letterhead_form(form, campaign)
        return _letterhead_page(campaign, form)
    if not form.validate():
        return _letterhead_page(campaign, form, 422)
    signers = signatory_lines(form.signatories.data or "")
    changed = service.save_letterhead(campaign, form.letterhead(), signers, actor=current_user)
    commit_if_changed(
        changed, _("The letterhead and signatories are saved. The next package uses them.")
    )
    return redirect(url_for("staff.letterhead", campaign_id=campaign.id))


# --- what the views share --------------------------------------------------------------------


def _package(package_id: int) -> DeliveryPackage:
    package: DeliveryPackage = db.get_or_404(DeliveryPackage, package_id)
    return package


def _posted_campaign(form: BuildPackageForm) -> Campaign:
    """The campaign the build form names (404 unless there is one), set on the form."""
    campaign_id = form.campaign_id.data or ""
    if not campaign_id.isdigit():
        abort(404)
    campaign = get_campaign(int(campaign_id))
    form.set_campaign(campaign)
    return campaign


def _fill_letterhead_form(form: LetterheadForm, campaign: Campaign) -> None:
    saved = service.letterhead_of(campaign)
    form.name.data, form.address.data, form.email.data = saved.name, saved.address, saved.email
    form.phone.data, form.website.data = saved.phone, saved.website
    form.signatories.data = signatories_text(service.signatories_of(campaign))


def _letterhead_page(
    campaign: Campaign, form: LetterheadForm, status: int = 200
) -> ResponseReturnValue:
    page = render_template(
        "staff/deliveries/letterhead.html",
        campaign=campaign,
        campaign_name=campaign.title_in(current_language()),
        form=form,
    )
    return page, status


def _letter_campaign(campaign_id: int, lang: str) -> Campaign:
    campaign = get_campaign(campaign_id)
    if lang not in LETTER_LANGUAGES:
        abort(404)
    return campaign


def _queued(packages: list[DeliveryPackage]) -> ResponseReturnValue:
    flash(
        ngettext(
            "%(num)d package is queued. It is built in the background; its page shows when "
            "it is ready.",
            "%(num)d packages are queued. They are built in the background; this page shows "
            "when each is ready.",
            len(packages),
        ),
        "success",
    )
    if len(packages) == 1:
        return redirect(url_for("staff.delivery", package_id=packages[0].id))
    return redirect(url_for("staff.deliveries"))


def _files_altered(package: DeliveryPackage) -> ResponseReturnValue:
    flash(
        _(
            "The package's files on the server are missing or no longer match their "
            "recorded hashes. Please build it again."
        ),
        "error",
    )
    return redirect(url_for("staff.delivery", package_id=package.id))


def _zip_response(archive: IO[bytes], name: str) -> Response:
    response = send_file(
        archive, mimetype="application/zip", as_attachment=True, download_name=name, max_age=0
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _list_page(failed: BuildPackageForm | None = None, status: int = 200) -> ResponseReturnValue:
    """Every campaign with its packages and a build form; `failed` is the one just refused."""
    rows = service.campaign_deliveries()
    forms = {row.campaign.id: _build_form(row.campaign, failed) for row in rows}
    page = render_template(
        "staff/deliveries/list.html",
        rows=rows,
        forms=forms,
        failed=failed,
        title_of=lambda campaign: campaign.title_in(current_language()),
        languages=letter_language_names(),
        letter_languages=LETTER_LANGUAGES,
        statuses=PackageStatus,
    )
    return page, status


def _build_form(campaign: Campaign, failed: BuildPackageForm | None) -> BuildPackageForm:
    posted = failed is not None and failed.campaign_id.data == str(campaign.id)
    form = failed if posted and failed else BuildPackageForm(formdata=None)
    form.set_campaign(campaign)
    return form


def _package_page(
    package: DeliveryPackage,
    *,
    record_form: DeliveryRecordForm | None = None,
    response_form: PartyResponseForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The package's page; a form just refused is shown as posted, the other as recorded."""
    page = render_template(
        "staff/deliveries/package.html",
        package=package,
        form=record_form or DeliveryRecordForm.of_package(package),
        response_form=response_form or PartyResponseForm.of_package(package),
        pending=service.is_pending(package),
        statuses=PackageStatus,
        campaign_name=package.campaign.title_in(current_language()),
        names_policy=NAMES_POLICY_LABELS[package.names_policy],
        reference=reference_number(package.campaign, package.target, package.cutoff_at),
        files=sorted(package.files.items()),
        languages=letter_language_names(),
    )
    return page, status


def _letter_page(
    campaign: Campaign, lang: str, form: LetterTemplateForm, status: int = 200
) -> ResponseReturnValue:
    page = render_template(
        "staff/deliveries/letter.html",
        campaign=campaign,
        campaign_name=campaign.title_in(current_language()),
        lang=lang,
        languages=letter_language_names(),
        letter_languages=LETTER_LANGUAGES,
        saved=service.saved_letter(campaign, lang) is not None,
        form=form,
    )
    return page, status
