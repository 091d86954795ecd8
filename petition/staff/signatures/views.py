"""Signature review: filter a campaign's signatures, then invalidate or restore them."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from petition.countries import country_name
from petition.extensions import db
from petition.i18n import current_language
from petition.labels import SIGNATURE_STATUS_LABELS
from petition.models import Signature, SignatureStatus
from petition.signing import review
from petition.signing.review import ReviewAction, SignatureFilter
from petition.staff.blueprint import bp
from petition.staff.permissions import Permission, require
from petition.staff.signatures.forms import ApplyForm, FilterForm, SignatureActionForm

# What the review's links and forms carry from page to page: an address typed in `email` is
# not among them, only the reference that stands for it.
CARRIED_KEYS = (
    "campaign",
    "email_ref",
    "domain",
    "window",
    "date_from",
    "date_to",
    "country",
    "status",
)
FILTER_KEYS = ("email", *CARRIED_KEYS)


def _render_list(
    filter_form: FilterForm,
    *,
    apply_form: ApplyForm | None = None,
    chosen: SignatureFilter | None = None,
    problem: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The review page: the filters, and for a valid filter its count, rows and apply form."""
    filter_form.carry(chosen)
    page: dict[str, Any] = {"form": filter_form, "problem": problem}
    if chosen is not None:
        counts = review.count_matching(chosen)
        apply_form = apply_form or ApplyForm(formdata=None)
        apply_form.show_counts(counts)
        page |= {
            "counts": counts,
            "rows": review.first_matching(chosen),
            "apply_form": apply_form,
            "filter_args": chosen.as_args(),
            "sought_mask": chosen.email.mask if chosen.email else None,
            "args_without_email": chosen.without_email().as_args(),
        }
    return render_template("staff/signatures/index.html", **page, **_names()), status


def _names() -> dict[str, Any]:
    lang = current_language()
    return {
        "status_labels": SIGNATURE_STATUS_LABELS,
        "country_label": lambda code: country_name(code, lang),
    }


@bp.get("/signatures")
@require(Permission.REVIEW_SIGNATURES)
def signatures() -> ResponseReturnValue:
    form = FilterForm(formdata=request.args or None, lang=current_language())
    if not request.args:
        return _render_list(form)
    if not form.validate():
        return _render_list(form, status=422)
    chosen = form.signature_filter()
    if form.email.data:
        review.record_lookup(chosen, actor=current_user)
        db.session.commit()
        # The page's own address (history, a link pasted to a colleague) names no signer.
        return redirect(url_for("staff.signatures", **chosen.as_args()), 303)
    return _render_list(form, chosen=chosen)


@bp.post("/signatures/apply")
@require(Permission.REVIEW_SIGNATURES)
def signatures_apply() -> ResponseReturnValue:
    filter_form = FilterForm(formdata=request.form, lang=current_language())
    if not filter_form.validate():
        return _render_list(filter_form, status=422)
    chosen, apply_form = filter_form.signature_filter(), ApplyForm()
    again = partial(_render_list, filter_form, apply_form=apply_form, chosen=chosen)
    if not apply_form.validate_on_submit():
        return again(status=422)
    try:
        changed = _apply(chosen, apply_form)
    except (review.CountChanged, review.NothingToChange) as error:
        return again(**_refusal(error, apply_form))
    db.session.commit()
    flash(_applied(ReviewAction(apply_form.action.data), changed), "success")
    return redirect(url_for("staff.signatures", **chosen.as_args()))


def _apply(chosen: SignatureFilter, form: ApplyForm) -> int:
    """The bulk change the form asks for, if the matches are still those previewed."""
    return review.apply_to_matching(
        chosen,
        ReviewAction(form.action.data),
        expected_total=form.expected.data,
        expected_invalidated=form.expected_invalidated.data,
        reason=form.reason.data.strip(),
        actor=current_user,
    )


def _refusal(error: Exception, form: ApplyForm) -> dict[str, Any]:
    """What the page says when the change was refused: the matches changed, or none applies."""
    if isinstance(error, review.CountChanged):
        problem = ngettext(
            "Nothing was changed: the matching signatures changed since the preview. "
            "%(num)d signature matches now (the preview said %(expected)s). "
            "Check them and apply again.",
            "Nothing was changed: the matching signatures changed since the preview. "
            "%(num)d signatures match now (the preview said %(expected)s). "
            "Check them and apply again.",
            error.now.total,
            expected=form.expected.data,
        )
        return {"problem": problem, "status": 409}
    form.action.errors = [_("None of the matching signatures can be changed that way.")]
    return {"status": 422}


def _applied(action: ReviewAction, changed: int) -> str:
    if action is ReviewAction.INVALIDATE:
        return ngettext(
            "%(num)d signature invalidated.", "%(num)d signatures invalidated.", changed
        )
    return ngettext("%(num)d signature restored.", "%(num)d signatures restored.", changed)


def _back_args(campaign_id: int) -> dict[str, Any]:
    """The review list's filters, carried through a single signature's page and back."""
    args = {key: request.args[key] for key in CARRIED_KEYS if request.args.get(key)}
    return {"campaign": str(campaign_id), **args}


def _render_signature(
    signature_id: int, form: SignatureActionForm, *, problem: str | None = None, status: int = 200
) -> ResponseReturnValue:
    row = review.review_row(signature_id)
    if row is None:
        abort(404)
    return render_template(
        "staff/signatures/show.html",
        row=row,
        form=form,
        problem=problem,
        back_args=_back_args(row.campaign_id),
        **_names(),
    ), status


@bp.get("/signatures/<int:signature_id>")
@require(Permission.REVIEW_SIGNATURES)
def signature(signature_id: int) -> ResponseReturnValue:
    return _render_signature(signature_id, SignatureActionForm(formdata=None))


@bp.post("/signatures/<int:signature_id>")
@require(Permission.REVIEW_SIGNATURES)
def signature_update(signature_id: int) -> ResponseReturnValue:
    form = SignatureActionForm()
    if not form.validate_on_submit():
        return _render_signature(signature_id, form, status=422)
    try:
        changed = _change(signature_id, form)
    except review.WrongStatus:
        return _changed_meanwhile(signature_id)
    if changed is None:
        abort(404)
    db.session.commit()
    flash(_changed_one(changed), "success")
    return redirect(url_for("staff.signatures", **_back_args(changed.campaign_id)))


def _change(signature_id: int, form: SignatureActionForm) -> Signature | None:
    action = ReviewAction(form.action.data)
    return review.change_signature(
        signature_id, action, reason=form.reason.data.strip(), actor=current_user
    )


def _changed_meanwhile(signature_id: int) -> ResponseReturnValue:
    """The signature as it is now, when someone changed it after this page was shown."""
    db.session.rollback()
    problem = _("Nothing was changed: the signature changed since this page was shown.")
    fresh = SignatureActionForm(formdata=None)
    return _render_signature(signature_id, fresh, problem=problem, status=409)


def _changed_one(signature: Signature) -> str:
    if signature.status is SignatureStatus.INVALIDATED:
        return _("The signature is invalidated.")
    return _("The signature is restored.")
