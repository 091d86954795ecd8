"""The signer's own pages: manage or withdraw a signature by the link in the mail, and the
privacy page that says what is kept about them."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from petition.campaigns import targets
from petition.campaigns.services import list_public
from petition.extensions import csrf, db
from petition.i18n import bind_language
from petition.link_pages import PRIVATE, link_page
from petition.models import Campaign, Display, Signature
from petition.personal import email_domain
from petition.signing import held, self_service, updates
from petition.signing.manage_forms import DisplayForm

bp = Blueprint("signature", __name__, url_prefix="/<lang>")
bind_language(bp)


@bp.app_template_global()
def signer_risk(country: str | None, domain: str | None) -> str | None:
    """Why the safety notice is shown to this signer (its paragraph's name), or None."""
    risk = self_service.risk_of(country, domain)
    return risk.value if risk else None


bp.add_app_template_global(email_domain)
bp.add_app_template_global(targets.names_recipients)


@bp.app_template_global()
def risky_mail_domains() -> str:
    """For the safety notice's script, which applies the same rule in the browser."""
    return " ".join(self_service.RUSSIAN_MAIL_DOMAINS)


@bp.app_template_global()
def risky_countries() -> str:
    """`code:risk` pairs, for the script."""
    return " ".join(f"{code}:{risk}" for code, risk in sorted(self_service.COUNTRY_RISKS.items()))


@bp.app_template_global()
def occupied_countries() -> str:
    return " ".join(sorted(self_service.OCCUPIED_COUNTRIES))


def _expired(campaign: Campaign) -> ResponseReturnValue:
    return render_template("signing/manage_expired.html", campaign=campaign), 410, PRIVATE


@bp.errorhandler(self_service.AlreadyWithdrawn)
def already_withdrawn(error: self_service.AlreadyWithdrawn) -> ResponseReturnValue:
    db.session.rollback()
    return render_template("signing/manage_withdrawn.html", just_now=False), 410, PRIVATE


def _manage_page(signature: Signature, form: DisplayForm, status: int = 200) -> ResponseReturnValue:
    page = render_template(
        "signing/manage.html",
        signature=signature,
        campaign=signature.campaign,
        form=form,
        held=held.held_about(signature),
    )
    return page, status, PRIVATE


@bp.get("/signature/<token>")
@link_page(expired=_expired)
def manage(token: str) -> ResponseReturnValue:
    """Only shows: mail scanners open links, and opening one must change nothing."""
    signature = self_service.manageable_signature(token)
    return _manage_page(signature, DisplayForm(data={"display": signature.display.value}))


@bp.post("/signature/<token>/display")
@link_page(expired=_expired)
def change_display(token: str) -> ResponseReturnValue:
    signature = self_service.manageable_signature(token)
    form = DisplayForm()
    if not form.validate():
        return _manage_page(signature, form, 422)
    try:
        self_service.change_display(token, Display(form.display.data), form.name.data)
    except self_service.NameNeeded:
        form.name_needed()
        return _manage_page(signature, form, 422)
    db.session.commit()
    flash(_("Saved. Your signature appears as you chose from now on."), "success")
    return redirect(url_for(".manage", token=token))


@bp.post("/signature/<token>/held")
@link_page(expired=_expired)
def download_held(token: str) -> ResponseReturnValue:
    """Everything stored about the signature, as a JSON file; a POST, as every manage
    action, so no link scanner or prefetch fetches it."""
    signature = self_service.manageable_signature(token)
    response = jsonify(held.held_about(signature).as_json())
    response.headers.update(PRIVATE)
    # A neutral name: the file may sit in a downloads folder someone else looks through.
    response.headers.set("Content-Disposition", "attachment", filename="signature-data.json")
    return response


@bp.post("/signature/<token>/updates")
@link_page(expired=_expired)
def stop_updates(token: str) -> ResponseReturnValue:
    updates.stop_updates(token)
    db.session.commit()
    flash(_("Saved. We will not send you updates about this campaign."), "success")
    return redirect(url_for(".manage", token=token))


@bp.post("/signature/<token>/unsubscribe")
@csrf.exempt
@link_page(expired=_expired)
def unsubscribe(token: str) -> ResponseReturnValue:
    """RFC 8058 one-click unsubscribe: mail clients POST here without a form or a cookie."""
    updates.unsubscribe(token)
    db.session.commit()
    return render_template("signing/unsubscribed.html"), PRIVATE


@bp.get("/signature/<token>/withdraw")
@link_page(expired=_expired)
def withdraw(token: str) -> ResponseReturnValue:
    """The confirmation step: says what withdrawing erases, and asks once more."""
    signature = self_service.manageable_signature(token)
    page = render_template(
        "signing/manage_withdraw.html", signature=signature, campaign=signature.campaign
    )
    return page, PRIVATE


@bp.post("/signature/<token>/withdraw")
@link_page(expired=_expired)
def withdraw_post(token: str) -> ResponseReturnValue:
    self_service.withdraw_signature(token)
    db.session.commit()
    return render_template("signing/manage_withdrawn.html", just_now=True), PRIVATE


# The periods the privacy page states: the settings petition/retention.py applies (and the
# mail's link lifetime), as configured (their defaults are in petition/config.py).
PRIVACY_PERIODS = {
    "unconfirmed_days": "RETENTION_UNCONFIRMED_DAYS",
    "client_hash_days": "RETENTION_CLIENT_HASH_DAYS",
    "after_close_days": "RETENTION_AFTER_CLOSE_DAYS",
    "manage_link_days": "MANAGE_LINK_DAYS",
    "reminder_hours": "CONFIRM_REMINDER_HOURS",
}


@bp.get("/privacy")
def privacy() -> ResponseReturnValue:
    periods = {key: int(current_app.config[name]) for key, name in PRIVACY_PERIODS.items()}
    return render_template("pages/privacy.html", campaigns=list_public(), **periods)
