"""Joining the coalition, the public list, and the representative's self-service."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from petition.campaigns import services as campaigns
from petition.coalition import partners
from petition.coalition import services as coalition
from petition.coalition.forms import JoinForm, PublicDetailsForm
from petition.countries import country_names
from petition.extensions import db
from petition.i18n import bind_language, language_names
from petition.labels import KIND_LABELS
from petition.link_pages import PRIVATE, link_page
from petition.models import Campaign, Organisation, OrganisationKind
from petition.signing.forms import EmailForm

bp = Blueprint("coalition", __name__, url_prefix="/<lang>")
COALITION_PREVIEW = 12
bind_language(bp)


@bp.app_template_global()
def kind_label(kind: OrganisationKind) -> str:
    return str(KIND_LABELS[kind])


@bp.app_template_global()
def coalition_preview(campaign_id: int) -> list[Organisation]:
    """The first named organisations, for the campaign page's coalition section."""
    return coalition.public_organisations(campaign_id, limit=COALITION_PREVIEW)


def _expired(campaign: Campaign) -> ResponseReturnValue:
    return render_template("coalition/link_expired.html", campaign=campaign), 410, PRIVATE


@bp.route("/<slug>/join", methods=["GET", "POST"])
def join(slug: str) -> ResponseReturnValue:
    campaign = campaigns.get_open(slug)
    text = campaign.text(g.lang)
    form = JoinForm(g.lang, text.sha256)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template(
            "coalition/join.html", campaign=campaign, text=text, form=form
        ), status
    if not form.is_bot:
        coalition.request_membership(campaign, _membership(form), form.processed_logo)
        db.session.commit()
    return redirect(url_for(".check_email", slug=slug))


def _membership(form: JoinForm) -> coalition.Membership:
    return coalition.Membership(
        details=form.public_details(),
        country=form.country.data,
        kind=OrganisationKind(form.kind.data),
        rep_name=form.rep_name.data,
        rep_role=form.rep_role.data,
        rep_email=form.rep_email.data,
        lang=g.lang,
        statement_sha256=form.statement_sha256.data,
    )


@bp.get("/<slug>/join/check-email")
def check_email(slug: str) -> ResponseReturnValue:
    campaign = campaigns.get_public(slug)
    return render_template("coalition/check_email.html", campaign=campaign)


@bp.get("/coalition/confirm/<token>")
@link_page(expired=_expired)
def confirm(token: str) -> ResponseReturnValue:
    organisation = coalition.confirmable_organisation(token)
    return render_template("coalition/confirm.html", organisation=organisation), PRIVATE


@bp.post("/coalition/confirm/<token>")
@link_page(expired=_expired)
def confirm_post(token: str) -> ResponseReturnValue:
    organisation = coalition.confirm_membership(token)
    db.session.commit()
    return render_template("coalition/confirm.html", organisation=organisation), PRIVATE


@bp.get("/<slug>/coalition")
def members(slug: str) -> ResponseReturnValue:
    campaign = campaigns.get_public(slug)
    listing = coalition.coalition(campaign.id, list(country_names(g.lang)))
    return render_template(
        "coalition/members.html", campaign=campaign, text=campaign.text(g.lang), coalition=listing
    )


@bp.route("/<slug>/coalition/manage", methods=["GET", "POST"])
def request_manage_link(slug: str) -> ResponseReturnValue:
    campaign = campaigns.get_public(slug)
    form = EmailForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template(
            "coalition/manage_request.html", campaign=campaign, form=form
        ), status
    coalition.request_manage_link(campaign, form.email.data, g.lang)
    db.session.commit()
    return redirect(url_for(".check_email", slug=slug))


@bp.route("/coalition/manage/<token>", methods=["GET", "POST"])
@link_page(expired=_expired)
def manage(token: str) -> ResponseReturnValue:
    _token, organisation = coalition.manageable_organisation(token)
    form = PublicDetailsForm(obj=organisation)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return _manage_page(organisation, form), status, PRIVATE
    coalition.update_public_details(token, form.public_details(), form.processed_logo)
    db.session.commit()
    flash(_("Thank you. Your organisation's details are updated."), "success")
    return redirect(url_for(".members", slug=organisation.campaign.slug))


@bp.post("/coalition/manage/<token>/withdraw")
@link_page(expired=_expired)
def withdraw(token: str) -> ResponseReturnValue:
    organisation = coalition.withdraw(token)
    db.session.commit()
    flash(_("Your organisation has withdrawn from the coalition."), "success")
    return redirect(url_for("campaigns.show", slug=organisation.campaign.slug))


@bp.post("/coalition/manage/<token>/share-link")
@link_page(expired=_expired)
def replace_share_link(token: str) -> ResponseReturnValue:
    partners.replace_partner_code(token)
    db.session.commit()
    flash(_("Your new share link is ready. The old one no longer counts signatures."), "success")
    return redirect(url_for(".manage", token=token, _anchor="share-link"))


def _manage_page(organisation: Organisation, form: PublicDetailsForm) -> str:
    return render_template(
        "coalition/manage.html",
        organisation=organisation,
        form=form,
        share=partners.partner_share(organisation),
        languages=language_names(),
    )
