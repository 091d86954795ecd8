"""Signing a campaign and confirming by email."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, g, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from petition import privacy
from petition.campaigns import services as campaigns
from petition.campaigns.embedding import frame_ancestors
from petition.campaigns.signable import signable
from petition.database import session_in_transaction
from petition.extensions import csrf, db
from petition.i18n import bind_language
from petition.link_pages import PRIVATE, link_page
from petition.models import Campaign, Display
from petition.security import allow_framing, require_same_origin
from petition.signing import services as signing
from petition.signing.forms import EmailForm, SignatureForm, plainly_valid
from petition.signing.partners import partner_by_code

bp = Blueprint("signing", __name__, url_prefix="/<lang>")
bind_language(bp)


@bp.app_template_global()
def partner_link_code(campaign_id: int) -> str | None:
    """The `?via=` code of the page's address if it is a live partner code of the campaign,
    for the campaign page's signing links to carry on; None for anything else."""
    partner = partner_by_code(campaign_id, request.args.get("via"))
    return partner.partner_code if partner else None


Render = Callable[[Campaign, SignatureForm | None, int], ResponseReturnValue]


def _render_sign(
    campaign: Campaign, form: SignatureForm | None, status: int
) -> ResponseReturnValue:
    page = render_template("signing/sign.html", **_sign_page(campaign, form))
    return page, status


def _render_embed(
    campaign: Campaign, form: SignatureForm | None, status: int
) -> ResponseReturnValue:
    page = render_template("signing/embed.html", **_sign_page(campaign, form))
    return allow_framing(make_response(page, status), frame_ancestors(campaign))


def _sign_page(campaign: Campaign, form: SignatureForm | None) -> dict[str, object]:
    """The page's values; the partner whose share link brought the visitor, if its code is
    live (the form carries the code only then)."""
    text = campaign.text(g.lang)
    form = form or SignatureForm(g.lang, text.sha256, via=request.args.get("via"))
    partner = partner_by_code(campaign.id, form.via.data)
    return {"campaign": campaign, "text": text, "form": form, "partner": partner}


def _signing(slug: str, render: Render, done: str) -> ResponseReturnValue:
    """The signing form of `render`, or what sending it did: the form again with its errors,
    or (valid) the signature requested and a redirect to `done`."""
    if request.method != "POST":
        return render(campaigns.get_open(slug), None, 200)
    kept = signable(slug, request.form.get("statement_sha256"), g.lang)
    shown = kept.statement_sha256[g.lang]
    wish = plainly_valid(request.form, g.lang, shown)  # most POSTs: no form to build
    if wish is None:
        form = SignatureForm(g.lang, shown)
        if not form.validate():
            return render(campaigns.get_open(slug), form, 422)
        wish = None if form.is_bot else form.request(g.lang)
    if wish is not None:
        signing.request_signature(kept, wish, client_hash=privacy.client_hash())
        if session_in_transaction():  # most often the signature committed on its own
            db.session.commit()
    return redirect(url_for(done, slug=slug))


@bp.route("/<slug>/sign", methods=["GET", "POST"])
def sign(slug: str) -> ResponseReturnValue:
    return _signing(slug, _render_sign, ".check_email")


@bp.route("/<slug>/embed", methods=["GET", "POST"])
@csrf.exempt  # a frame on a partner's site gets no session cookie: see require_same_origin
def embed(slug: str) -> ResponseReturnValue:
    """The signing form for a partner's site to frame (only the campaign's listed origins)."""
    if request.method == "POST":
        require_same_origin()
    return _signing(slug, _render_embed, ".embed_sent")


@bp.get("/<slug>/embed/sent")
def embed_sent(slug: str) -> ResponseReturnValue:
    campaign = campaigns.get_public(slug)
    page = render_template("signing/embed_sent.html", campaign=campaign)
    return allow_framing(make_response(page), frame_ancestors(campaign))


@bp.get("/<slug>/check-email")
def check_email(slug: str) -> ResponseReturnValue:
    campaign = campaigns.get_public(slug)
    return render_template("signing/check_email.html", campaign=campaign)


@bp.route("/<slug>/resend", methods=["GET", "POST"])
def resend(slug: str) -> ResponseReturnValue:
    campaign = campaigns.get_open(slug)
    form = EmailForm()
    if not form.is_submitted():
        return render_template("signing/resend.html", campaign=campaign, form=form)
    if not form.validate():
        return render_template("signing/resend.html", campaign=campaign, form=form), 422
    signing.resend_confirmation(campaign, form.email.data, g.lang)
    db.session.commit()
    return redirect(url_for(".check_email", slug=slug))


def _expired(campaign: Campaign) -> ResponseReturnValue:
    form = EmailForm()
    page = render_template("signing/link_expired.html", campaign=campaign, form=form)
    return page, 410, PRIVATE


@bp.get("/confirm/<token>")
@link_page(expired=_expired)
def confirm(token: str) -> ResponseReturnValue:
    signature = signing.confirmable_signature(token)
    page = render_template("signing/confirm.html", signature=signature, campaign=signature.campaign)
    return page, PRIVATE


@bp.post("/confirm/<token>")
@link_page(expired=_expired)
def confirm_post(token: str) -> ResponseReturnValue:
    # "Confirm anonymously instead" sends display=anonymous; the service only ever lowers it.
    wanted = request.form.get("display", "")
    display = Display(wanted) if wanted in {choice.value for choice in Display} else None
    # The page asks about a partner only when there is one: unticked, it counts for none.
    dropped = "partner_asked" in request.form and "for_partner" not in request.form
    slug = signing.confirm_signature(token, display=display, for_partner=not dropped)
    db.session.commit()
    flash(_("Thank you. Your signature is confirmed and counted."), "success")
    return redirect(url_for("campaigns.show", slug=slug))
