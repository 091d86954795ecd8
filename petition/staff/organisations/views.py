"""Organisation review: the queue across campaigns, and one organisation with its decisions.

Each decision is its own small POST form on the review page, told apart by `action`; each
carries the status the moderator saw, so a decision on an out-of-date page changes nothing.
The decisions themselves, with their audit entries, mail and counts, are in
`petition.coalition.review`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from petition.coalition import queue, review
from petition.countries import country_name
from petition.extensions import db
from petition.forms import Form
from petition.i18n import LANGUAGE_NAMES, current_language
from petition.labels import LISTING_LABELS, ORGANISATION_STATUS_LABELS
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


def _to_queue() -> str:
    return url_for("staff.organisations", **_back_args())


def _to_review(organisation_id: int) -> str:
    return url_for("staff.organisation_review", organisation_id=organisation_id, **_back_args())


@bp.get("/organisations")
@require(Permission.REVIEW_ORGANISATIONS)
def organisations() -> ResponseReturnValue:
    form = QueueFilterForm(formdata=request.args or None, lang=current_language())
    valid = not request.args or form.validate()
    wanted = form.queue_filter() if valid else queue.QueueFilter()
    page = queue.queue_page(wanted, request.args.get("page", 1, type=int) or 1)
    return render_template(
        "staff/organisations/list.html", form=form, page=page, wanted=wanted, **_names()
    ), (200 if valid else 422)


# --- the review page ----------------------------------------------------------------------


def _shown(organisation_id: int) -> queue.ReviewPage:
    shown = queue.review_page(organisation_id)
    if shown is None:
        abort(404)
    return shown


def _fresh_forms(shown: queue.ReviewPage) -> dict[str, Form]:
    merge = MergeForm(formdata=None)
    merge.offer(shown.signals.duplicates)
    return {
        "approve": ApproveForm(formdata=None),
        "reject": RejectForm(formdata=None),
        "founding": FoundingForm(formdata=None),
        "edit": DetailsForm(formdata=None, obj=shown.organisation, lang=current_language()),
        "merge": merge,
    }


def _render_review(
    organisation_id: int, submitted: dict[str, Form] | None = None, *, problem: str | None = None
) -> str:
    shown = _shown(organisation_id)
    return render_template(
        "staff/organisations/review.html",
        review=shown,
        organisation=shown.organisation,
        forms=_fresh_forms(shown) | (submitted or {}),
        allowed=review.allowed_actions(shown.organisation),
        mails_decision=review.mails_decision(shown.organisation),
        problem=problem,
        back_args=_back_args(),
        **_names(),
    )


# --- why a decision was refused -----------------------------------------------------------


def _status_changed(error: review.StatusChanged) -> str:
    return _(
        "Nothing was changed: someone changed this organisation since the page was shown. "
        "It is now: %(status)s. Check it and decide again.",
        status=ORGANISATION_STATUS_LABELS[error.organisation.status],
    )


def _not_allowed(error: review.NotAllowed) -> str:
    return _(
        "Nothing was changed: this cannot be done to an organisation that is %(status)s.",
        status=str(ORGANISATION_STATUS_LABELS[error.organisation.status]).lower(),
    )


def _cannot_keep(error: review.CannotKeep) -> str:
    return _(
        "Nothing was changed: the organisation to keep must be another one of the same "
        "campaign that is awaiting review or approved."
    )


def _naming_not_allowed(error: review.NamingNotAllowed) -> str:
    return _(
        "Nothing was changed: this organisation chose to be counted only. Only its "
        "representative can choose to have it named."
    )


# For each refusal: what to say, the status code, and whether to show the moderator's form
# again (they can correct it) rather than a fresh page (the organisation is not as they saw).
REFUSALS: dict[type[review.ReviewError], tuple[Callable[[Any], str], int, bool]] = {
    review.StatusChanged: (_status_changed, 409, False),
    review.NotAllowed: (_not_allowed, 409, False),
    review.CannotKeep: (_cannot_keep, 422, True),
    review.NamingNotAllowed: (_naming_not_allowed, 422, True),
}


def _refused(
    organisation_id: int, submitted: dict[str, Form], error: Exception
) -> ResponseReturnValue:
    """Nothing was changed: the review page again, saying why."""
    if not isinstance(error, review.ReviewError):
        abort(404)  # no such organisation (or none to keep)
    say, status, again = REFUSALS[type(error)]
    page = _render_review(organisation_id, submitted if again else None, problem=say(error))
    return page, status


# --- the decisions: each turns its valid form into one call, and says what happened ------

Decided = tuple[str, str]  # the message to flash, and where to go next


def _approve(organisation_id: int, form: ApproveForm) -> Decided:
    organisation = review.approve(
        organisation_id, seen_status=form.seen_status.data, actor=current_user
    )
    if review.mails_decision(organisation):
        message = _(
            "%(name)s is approved. Its representative will get an email with a link to "
            "manage the entry.",
            name=organisation.name,
        )
    else:
        message = _(
            "%(name)s is approved. No email was sent: the representative’s address is sealed.",
            name=organisation.name,
        )
    return message, _to_queue()


def _reject(organisation_id: int, form: RejectForm) -> Decided:
    organisation = review.reject(
        organisation_id,
        seen_status=form.seen_status.data,
        reason=form.reason.data,
        actor=current_user,
    )
    if review.mails_decision(organisation):
        message = _(
            "%(name)s is rejected. Its representative will get an email with the reason.",
            name=organisation.name,
        )
    else:
        message = _(
            "%(name)s is rejected. No email was sent: the representative’s address is sealed.",
            name=organisation.name,
        )
    return message, _to_queue()


def _edit(organisation_id: int, form: DetailsForm) -> Decided:
    edited = review.edit_details(
        organisation_id, form.details_edit(), seen_status=form.seen_status.data, actor=current_user
    )
    if edited.changed:
        message = _("The public details of %(name)s are saved.", name=edited.organisation.name)
    else:
        message = _("Nothing was changed: the details were already so.")
    return message, _to_review(organisation_id)


def _founding(organisation_id: int, form: FoundingForm) -> Decided:
    founding = form.founding.data == "yes"
    organisation = review.set_founding(
        organisation_id, founding, seen_status=form.seen_status.data, actor=current_user
    )
    if founding:
        message = _("%(name)s is marked as a founding organisation.", name=organisation.name)
    else:
        message = _(
            "%(name)s is no longer marked as a founding organisation.", name=organisation.name
        )
    return message, _to_review(organisation_id)


def _merge(organisation_id: int, form: MergeForm) -> Decided:
    merged = review.merge(
        organisation_id, form.kept_id, seen_status=form.seen_status.data, actor=current_user
    )
    message = _(
        "%(name)s is merged into %(kept)s.", name=merged.duplicate.name, kept=merged.kept.name
    )
    return message, _to_review(merged.kept.id)


def _merge_form(organisation_id: int) -> MergeForm:
    """The merge form as submitted, offering the duplicates the page offered."""
    form = MergeForm()
    form.offer(_shown(organisation_id).signals.duplicates)
    return form


@dataclass(frozen=True)
class Decision:
    form: Callable[[int], Form]  # the submitted form, for the organisation
    take: Callable[[int, Any], Decided]  # takes the decision the valid form asks for


DECISIONS: dict[str, Decision] = {
    "approve": Decision(lambda _id: ApproveForm(), _approve),
    "reject": Decision(lambda _id: RejectForm(), _reject),
    "edit": Decision(lambda _id: DetailsForm(lang=current_language()), _edit),
    "founding": Decision(lambda _id: FoundingForm(), _founding),
    "merge": Decision(_merge_form, _merge),
}


def _decide(organisation_id: int, action: str) -> ResponseReturnValue:
    """Validate the decision's form, take the decision, commit, and go on; or say why not."""
    decision = DECISIONS[action]
    form = decision.form(organisation_id)
    if not form.validate_on_submit():
        return _render_review(organisation_id, {action: form}), 422
    try:
        message, location = decision.take(organisation_id, form)
    except (LookupError, review.ReviewError) as error:
        db.session.rollback()
        return _refused(organisation_id, {action: form}, error)
    db.session.commit()
    flash(message, "success")
    return redirect(location)


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@require(Permission.REVIEW_ORGANISATIONS)
def organisation_review(organisation_id: int) -> ResponseReturnValue:
    if request.method == "GET":
        return _render_review(organisation_id)
    action = request.form.get("action", "")
    if action not in DECISIONS:
        problem = _("Nothing was changed: please choose one of the actions on this page.")
        return _render_review(organisation_id, problem=problem), 422
    return _decide(organisation_id, action)
