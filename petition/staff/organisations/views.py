"""Organisation review: the queue across campaigns, and one organisation with its decisions.

Each decision is its own small POST form on the review page, told apart by `action`; each
carries the status the moderator saw, so a decision on an out-of-date page changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from petition.campaigns.counts import counts_changed
from petition.coalition import review as service
from petition.coalition.logos import delete_logo
from petition.coalition.services import PublicDetails
from petition.countries import country_name
from petition.extensions import db
from petition.forms import Form
from petition.i18n import LANGUAGE_NAMES, current_language
from petition.labels import LISTING_LABELS, ORGANISATION_STATUS_LABELS
from petition.models import Listing, Organisation, OrganisationKind
from petition.staff.blueprint import bp
from petition.staff.organisations.forms import (
    ApproveForm,
    DetailsForm,
    FoundingForm,
    MergeForm,
    QueueFilterForm,
    RejectForm,
)
from petition.staff.permissions import Permission, require

BACK_KEYS = ("campaign", "status", "page")


def _names() -> dict[str, Any]:
    lang = current_language()
    return {
        "status_labels": ORGANISATION_STATUS_LABELS,
        "listing_labels": LISTING_LABELS,
        "language_names": LANGUAGE_NAMES,
        "country_label": lambda code: country_name(code, lang),
        "campaign_label": lambda campaign: campaign.title_in(lang),
    }


def _back_args() -> dict[str, Any]:
    """The queue's filters, carried through an organisation's page and back."""
    return {key: request.args[key] for key in BACK_KEYS if request.args.get(key)}


@bp.get("/organisations")
@require(Permission.REVIEW_ORGANISATIONS)
def organisations() -> ResponseReturnValue:
    form = QueueFilterForm(formdata=request.args or None, lang=current_language())
    valid = not request.args or form.validate()
    wanted = form.queue_filter() if valid else service.QueueFilter()
    page = service.queue_page(wanted, request.args.get("page", 1, type=int) or 1)
    return render_template(
        "staff/organisations/list.html", form=form, page=page, wanted=wanted, **_names()
    ), (200 if valid else 422)


def _fresh_forms(review: service.Review) -> dict[str, Form]:
    organisation = review.organisation
    merge = MergeForm(formdata=None)
    merge.offer(review.signals.duplicates)
    return {
        "approve": ApproveForm(formdata=None),
        "reject": RejectForm(formdata=None),
        "founding": FoundingForm(formdata=None),
        "edit": DetailsForm(formdata=None, obj=organisation, lang=current_language()),
        "merge": merge,
    }


def _render_review(
    organisation_id: int,
    submitted: dict[str, Form] | None = None,
    *,
    problem: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    review = service.review(organisation_id)
    if review is None:
        abort(404)
    forms = _fresh_forms(review) | (submitted or {})
    return render_template(
        "staff/organisations/review.html",
        review=review,
        organisation=review.organisation,
        forms=forms,
        allowed=service.allowed_actions(review.organisation),
        problem=problem,
        back_args=_back_args(),
        **_names(),
    ), status


@dataclass(frozen=True)
class Outcome:
    message: str
    campaign_id: int
    location: str
    discarded_logo: str | None = None


def _decide(
    organisation_id: int, name: str, form: Form, decide: Callable[[], Outcome]
) -> ResponseReturnValue:
    """Validate the decision's form, take the decision, commit, and go on; or say why not."""
    if not form.validate_on_submit():
        return _render_review(organisation_id, {name: form}, status=422)
    try:
        outcome = decide()
    except LookupError:
        db.session.rollback()
        abort(404)
    except service.StatusChanged as error:
        db.session.rollback()
        problem = _(
            "Nothing was changed: someone changed this organisation since the page was shown. "
            "It is now: %(status)s. Check it and decide again.",
            status=ORGANISATION_STATUS_LABELS[error.organisation.status],
        )
        return _render_review(organisation_id, problem=problem, status=409)
    except service.NotAllowed as error:
        db.session.rollback()
        problem = _(
            "Nothing was changed: this cannot be done to an organisation that is %(status)s.",
            status=str(ORGANISATION_STATUS_LABELS[error.organisation.status]).lower(),
        )
        return _render_review(organisation_id, problem=problem, status=409)
    except service.CannotKeep:
        db.session.rollback()
        problem = _(
            "Nothing was changed: the organisation to keep must be another one of the same "
            "campaign that is awaiting review or approved."
        )
        return _render_review(organisation_id, {name: form}, problem=problem, status=422)
    except service.NamingNotAllowed:
        db.session.rollback()
        problem = _(
            "Nothing was changed: this organisation chose to be counted only. Only its "
            "representative can choose to have it named."
        )
        return _render_review(organisation_id, {name: form}, problem=problem, status=422)
    counts_changed(outcome.campaign_id)
    db.session.commit()
    if outcome.discarded_logo:
        delete_logo(outcome.discarded_logo)
    flash(outcome.message, "success")
    return redirect(outcome.location)


def _to_queue() -> str:
    return url_for("staff.organisations", **_back_args())


def _to_review(organisation_id: int) -> str:
    return url_for("staff.organisation_review", organisation_id=organisation_id, **_back_args())


def _approve(organisation_id: int) -> ResponseReturnValue:
    form = ApproveForm()

    def decide() -> Outcome:
        organisation = service.approve(
            organisation_id, seen_status=form.seen_status.data, actor=current_user
        )
        return Outcome(
            _(
                "%(name)s is approved. Its representative will get an email with a link to "
                "manage the entry.",
                name=organisation.name,
            ),
            organisation.campaign_id,
            _to_queue(),
        )

    return _decide(organisation_id, "approve", form, decide)


def _reject(organisation_id: int) -> ResponseReturnValue:
    form = RejectForm()

    def decide() -> Outcome:
        organisation = service.reject(
            organisation_id,
            seen_status=form.seen_status.data,
            reason=form.reason.data,
            actor=current_user,
        )
        return Outcome(
            _(
                "%(name)s is rejected. Its representative will get an email with the reason.",
                name=organisation.name,
            ),
            organisation.campaign_id,
            _to_queue(),
        )

    return _decide(organisation_id, "reject", form, decide)


def _edit(organisation_id: int) -> ResponseReturnValue:
    form = DetailsForm(lang=current_language())

    def decide() -> Outcome:
        edit = service.DetailsEdit(
            details=PublicDetails(
                name=form.name.data,
                name_original=form.name_original.data,
                website=form.website.data,
                statement=form.statement.data,
                listing=Listing(form.listing.data),
            ),
            country=form.country.data,
            kind=OrganisationKind(form.kind.data),
            logo=form.processed_logo,
            remove_logo=bool(form.remove_logo.data),
        )
        edited = service.edit_details(
            organisation_id, edit, seen_status=form.seen_status.data, actor=current_user
        )
        organisation = _organisation(organisation_id)
        message = (
            _("The public details of %(name)s are saved.", name=organisation.name)
            if edited.changed
            else _("Nothing was changed: the details were already so.")
        )
        return Outcome(
            message, organisation.campaign_id, _to_review(organisation_id), edited.discarded_logo
        )

    return _decide(organisation_id, "edit", form, decide)


def _founding(organisation_id: int) -> ResponseReturnValue:
    form = FoundingForm()

    def decide() -> Outcome:
        founding = form.founding.data == "yes"
        organisation = service.set_founding(
            organisation_id, founding, seen_status=form.seen_status.data, actor=current_user
        )
        if founding:
            message = _("%(name)s is marked as a founding organisation.", name=organisation.name)
        else:
            message = _(
                "%(name)s is no longer marked as a founding organisation.", name=organisation.name
            )
        return Outcome(message, organisation.campaign_id, _to_review(organisation_id))

    return _decide(organisation_id, "founding", form, decide)


def _merge(organisation_id: int) -> ResponseReturnValue:
    form = MergeForm()
    review = service.review(organisation_id)
    if review is None:
        abort(404)
    form.offer(review.signals.duplicates)

    def decide() -> Outcome:
        kept = service.merge(
            organisation_id,
            form.kept_id,
            seen_status=form.seen_status.data,
            actor=current_user,
        )
        message = _(
            "%(name)s is merged into %(kept)s.",
            name=_organisation(organisation_id).name,
            kept=kept.name,
        )
        return Outcome(message, kept.campaign_id, _to_review(kept.id))

    return _decide(organisation_id, "merge", form, decide)


def _organisation(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise LookupError(organisation_id)
    return organisation


DECISIONS: dict[str, Callable[[int], ResponseReturnValue]] = {
    "approve": _approve,
    "reject": _reject,
    "edit": _edit,
    "founding": _founding,
    "merge": _merge,
}


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@require(Permission.REVIEW_ORGANISATIONS)
def organisation_review(organisation_id: int) -> ResponseReturnValue:
    if request.method == "GET":
        return _render_review(organisation_id)
    decide = DECISIONS.get(request.form.get("action", ""))
    if decide is None:
        problem = _("Nothing was changed: please choose one of the actions on this page.")
        return _render_review(organisation_id, problem=problem, status=422)
    return decide(organisation_id)
