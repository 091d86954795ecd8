"""The campaign update that tells signers where their signatures went: a draft, in the
signers' language, of a package that was delivered. Staff read it, may change it, and send
it by the update flow (to those who want updates, with the custodian's key), like any other
update: no new consent, and no name of anyone in it."""

from __future__ import annotations

from flask_babel import force_locale, format_date, gettext, ngettext

from petition.extensions import db
from petition.models import DeliveryPackage, NamesPolicy, PackageStatus
from petition.signing.updates import UpdateDraft


class NotDelivered(LookupError):
    """No package by that id was marked sent: there is no delivery to tell of."""


def delivered_package(package_id: int, campaign_id: int) -> DeliveryPackage:
    """The campaign's package `package_id` if it was delivered; NotDelivered otherwise."""
    package = db.session.get(DeliveryPackage, package_id)
    if package is None or package.campaign_id != campaign_id or not _delivered(package):
        raise NotDelivered(package_id)
    return package


def _delivered(package: DeliveryPackage) -> bool:
    return package.status is PackageStatus.READY and package.sent_at is not None


def delivery_news(package: DeliveryPackage, lang: str) -> UpdateDraft:
    """The update's subject and body in `lang` for the delivered `package`."""
    assert package.sent_at is not None  # noqa: S101 - delivered_package checked it
    people = int(package.counts.get("individuals", 0))
    organisations = int(package.counts.get("organisations", 0))
    paper = int(package.counts.get("paper", 0))
    with force_locale(lang):
        paragraphs = [
            gettext(
                "On %(day)s the statement you signed was delivered to %(party)s, with the "
                "signatures of %(people)s and %(organisations)s.",
                day=format_date(package.sent_at.date(), "long"),
                party=package.target.name,
                people=ngettext("%(num)d person", "%(num)d people", people),
                organisations=ngettext(
                    "%(num)d organisation", "%(num)d organisations", organisations
                ),
            ),
            *([_paper_sentence(paper)] if paper else []),
            _names_sentence(package.names_policy),
            gettext("Thank you for signing. We will write again when there is news."),
        ]
        subject = gettext("Your signature has been delivered")
    return UpdateDraft(lang=lang, subject=subject, body="\n\n".join(paragraphs))


def _paper_sentence(paper: int) -> str:
    return ngettext(
        "%(num)d signature gathered on paper was counted too.",
        "%(num)d signatures gathered on paper were counted too.",
        paper,
    )


def _names_sentence(policy: NamesPolicy) -> str:
    if policy is NamesPolicy.COUNTED:
        return gettext("They received only the numbers and the countries: no name at all.")
    return gettext(
        "They received the names of those who chose to be named, as each chose; anonymous "
        "signers only in the numbers."
    )
