"""Staff pages for delivery packages and the cover letter's wording."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from petition.delivery import service
from petition.delivery.package import PackageError
from petition.extensions import db
from petition.i18n import LETTER_LANGUAGES, current_language
from petition.models import DeliveryPackage, PackageStatus
from petition.staff.blueprint import bp
from petition.staff.campaigns import get_campaign
from petition.staff.deliveries.forms import (
    BuildPackageForm,
    DeliveryRecordForm,
    LetterTemplateForm,
    at_midnight,
)
from petition.staff.forms_campaigns import language_names
from petition.staff.permissions import Permission, require


def _list_page(failed: BuildPackageForm | None = None, status: int = 200) -> ResponseReturnValue:
    rows = service.campaign_deliveries()
    forms = {}
    for row in rows:
        posted = failed is not None and failed.campaign_id.data == str(row.campaign.id)
        form = failed if posted and failed else BuildPackageForm(formdata=None)
        form.set_campaign(row.campaign)
        forms[row.campaign.id] = form
    page = render_template(
        "staff/deliveries/list.html",
        rows=rows,
        forms=forms,
        failed=failed,
        title_of=lambda campaign: campaign.title_in(current_language()),
        languages=language_names(),
        letter_languages=LETTER_LANGUAGES,
        statuses=PackageStatus,
    )
    return page, status


@bp.get("/deliveries")
@require(Permission.EXPORT)
def deliveries() -> ResponseReturnValue:
    return _list_page()


@bp.post("/deliveries/build")
@require(Permission.EXPORT)
def delivery_build() -> ResponseReturnValue:
    form = BuildPackageForm()
    campaign_id = form.campaign_id.data or ""
    if not campaign_id.isdigit():
        abort(404)
    campaign = get_campaign(int(campaign_id))
    form.set_campaign(campaign)
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


def _package_page(
    package: DeliveryPackage, form: DeliveryRecordForm, status: int = 200
) -> ResponseReturnValue:
    page = render_template(
        "staff/deliveries/package.html",
        package=package,
        form=form,
        pending=service.is_pending(package),
        statuses=PackageStatus,
        campaign_name=package.campaign.title_in(current_language()),
        files=sorted(package.files.items()),
    )
    return page, status


@bp.get("/deliveries/<int:package_id>")
@require(Permission.EXPORT)
def delivery(package_id: int) -> ResponseReturnValue:
    package = service.get_package(package_id)
    form = DeliveryRecordForm(
        formdata=None,
        sent_on=package.sent_at.date() if package.sent_at else None,
        acknowledged_on=package.acknowledged_at.date() if package.acknowledged_at else None,
        note=package.note or "",
    )
    return _package_page(package, form)


@bp.post("/deliveries/<int:package_id>")
@require(Permission.EXPORT)
def delivery_update(package_id: int) -> ResponseReturnValue:
    package = service.get_package(package_id)
    form = DeliveryRecordForm()
    if not form.validate_on_submit():
        return _package_page(package, form, 422)
    record = service.DeliveryRecord(
        sent_at=at_midnight(form.sent_on.data),
        acknowledged_at=at_midnight(form.acknowledged_on.data),
        note=form.note.data or "",
    )
    try:
        changed = service.update_delivery(package, record, actor=current_user)
    except service.PackageNotReady:
        form.sent_on.errors = [_("Only a package that is ready can be marked as sent.")]
        return _package_page(package, form, 422)
    if not changed:
        flash(_("Nothing was changed."), "info")
    else:
        db.session.commit()
        flash(_("The delivery record is saved."), "success")
    return redirect(url_for("staff.delivery", package_id=package.id))


@bp.get("/deliveries/<int:package_id>/download")
@require(Permission.EXPORT)
def delivery_download(package_id: int) -> ResponseReturnValue:
    package = service.get_package(package_id)
    try:
        archive = service.package_zip(package)
    except service.PackageNotReady:
        abort(404)
    except service.PackageAltered:
        flash(
            _(
                "The package's files on the server are missing or no longer match their "
                "recorded hashes. Please build it again."
            ),
            "error",
        )
        return redirect(url_for("staff.delivery", package_id=package.id))
    service.record_download(package, current_user)
    db.session.commit()
    response = send_file(
        archive,
        mimetype="application/zip",
        as_attachment=True,
        download_name=service.zip_name(package),
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/campaigns/<int:campaign_id>/letter/<lang>", methods=["GET", "POST"])
@require(Permission.EDIT_CAMPAIGNS)
def letter_template(campaign_id: int, lang: str) -> ResponseReturnValue:
    campaign = get_campaign(campaign_id)
    if lang not in LETTER_LANGUAGES:
        abort(404)
    form = LetterTemplateForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            if service.save_letter(campaign, lang, form.body.data, actor=current_user):
                db.session.commit()
                flash(_("The letter is saved. The next package uses it."), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for("staff.letter_template", campaign_id=campaign.id, lang=lang))
        status = 422
    else:
        form.body.data = service.letter_text(campaign, lang)
    page = render_template(
        "staff/deliveries/letter.html",
        campaign=campaign,
        campaign_name=campaign.title_in(current_language()),
        lang=lang,
        languages=language_names(),
        letter_languages=LETTER_LANGUAGES,
        saved=service.saved_letter(campaign, lang) is not None,
        form=form,
    )
    return page, status
