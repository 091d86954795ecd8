"""What each state and kind is called on the site, in the reader's language (one table per
enum; the words of delivery packages are in delivery/wording.py instead)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from petition.models import (
    CampaignStatus,
    Display,
    Listing,
    NamesPolicy,
    OrganisationKind,
    OrganisationStatus,
    SignatureStatus,
)

CAMPAIGN_STATUS_LABELS = {
    CampaignStatus.DRAFT: _l("Draft"),
    CampaignStatus.OPEN: _l("Open"),
    CampaignStatus.CLOSED: _l("Closed"),
}
# The signing form, the manage page and what-we-hold say the same words.
DISPLAY_LABELS = {
    Display.ANONYMOUS: _l("Anonymous: counted, never named"),
    Display.INITIALS: _l("Initials only"),
    Display.FULL: _l("Full name"),
}
SIGNATURE_STATUS_LABELS = {
    SignatureStatus.PENDING: lazy_pgettext("signature status", "Pending"),
    SignatureStatus.CONFIRMED: lazy_pgettext("signature status", "Confirmed"),
    SignatureStatus.INVALIDATED: lazy_pgettext("signature status", "Invalidated"),
    SignatureStatus.WITHDRAWN: lazy_pgettext("signature status", "Withdrawn"),
}
ORGANISATION_STATUS_LABELS = {
    OrganisationStatus.PENDING: _l("Email not confirmed yet"),
    OrganisationStatus.AWAITING_REVIEW: _l("Awaiting review"),
    OrganisationStatus.APPROVED: _l("Approved"),
    OrganisationStatus.REJECTED: _l("Rejected"),
    OrganisationStatus.WITHDRAWN: _l("Withdrawn"),
    OrganisationStatus.MERGED: _l("Merged into another"),
}
LISTING_LABELS = {
    Listing.PUBLIC: _l("Listed publicly"),
    Listing.COUNTED: _l("Counted only"),
}
NAMES_POLICY_LABELS = {
    NamesPolicy.NAMED: _l("Named: signers as each chose to be shown, and listed organisations"),
    NamesPolicy.COUNTED: _l("Counted only: totals and numbers by country, no name at all"),
}
KIND_LABELS = {
    OrganisationKind.HUMAN_RIGHTS: _l("Human-rights organisation"),
    OrganisationKind.HUMANITARIAN: _l("Humanitarian organisation"),
    OrganisationKind.UNION: _l("Trade union"),
    OrganisationKind.FAITH: _l("Faith-based organisation"),
    OrganisationKind.ACADEMIC: _l("Academic institution"),
    OrganisationKind.MEDIA: _l("Media organisation"),
    OrganisationKind.PROFESSIONAL: _l("Professional body"),
    OrganisationKind.OTHER: _l("Other"),
}
