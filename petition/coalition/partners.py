"""An approved organisation's share link: its code, made on approval, replaced on request,
and what the organisation's own page shows of the signatures it brought (see
`signing.partners` for how a code attributes a signature)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from petition import audit
from petition.campaigns.counts import campaign_counts
from petition.coalition.services import manageable_organisation
from petition.extensions import db
from petition.models import Organisation, OrganisationStatus
from petition.signing.partners import FEWER_THAN, shown_figure
from petition.tokens import LinkInvalid

CODE_BYTES = 10  # 80 random bits, 14 characters in the link


def new_partner_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def give_partner_code(organisation: Organisation) -> None:
    """An approved organisation's first share link (approval calls this)."""
    if organisation.partner_code is None:
        organisation.partner_code = new_partner_code()


def replace_partner_code(raw_token: str) -> Organisation:
    """The representative replaces the share link (e.g. it went where it should not), or
    makes one: an old code attributes nothing from now on; signatures it brought stay
    counted. Audited. The manage link is not used up, so its page shows the new link."""
    _token, organisation = manageable_organisation(raw_token, for_update=True)
    if organisation.status is not OrganisationStatus.APPROVED:
        raise LinkInvalid
    replaced = organisation.partner_code is not None
    organisation.partner_code = new_partner_code()
    audit.record(
        "organisation.share_link_replaced" if replaced else "organisation.share_link_made",
        actor=None,
        object_type="organisation",
        object_id=organisation.id,
        detail="by the representative, through a manage link",
    )
    db.session.flush()
    return organisation


@dataclass(frozen=True)
class PartnerShare:
    code: str | None  # None if it has none yet: its page offers to make one
    figure: int  # `shown_figure` of its confirmed signatures; 0 means fewer than FEWER_THAN
    fewer_than: int = FEWER_THAN


def partner_share(organisation: Organisation) -> PartnerShare | None:
    """What the organisation's own page shows: its code and its rounded figure, from the
    cached counts; None unless it is an approved member."""
    if organisation.status is not OrganisationStatus.APPROVED:
        return None
    exact = campaign_counts(organisation.campaign_id).by_partner.get(organisation.id, 0)
    return PartnerShare(code=organisation.partner_code, figure=shown_figure(exact))
