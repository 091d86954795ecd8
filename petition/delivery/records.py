"""What a package lists, read from the database as of a cut-off.

Signatures count when confirmed strictly before the cut-off and still confirmed now;
organisations when approved (reviewed) before it; paper batches when recorded before it
and not voided now (a line of their own, "signed on paper", never a name). Rows are
streamed in a fixed order (country, then name, then id) so memory stays flat and two builds
agree byte for byte.

Signers are listed by `public_name`, the form they chose to be shown in; their sealed
details are never opened, so building a package needs no custodian's key. A signer who
chose initials is sorted by their initials, never by the hidden name: a place in an
alphabetical list by name would tell readers much of what the initials hide. An anonymous
signer has no shown name: they are only counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select

from petition.campaigns.counts import paper_by_country
from petition.countries import country_name, country_names
from petition.database import as_date, utc_day
from petition.extensions import db
from petition.models import (
    Display,
    Listing,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Signature,
    SignatureStatus,
)

STREAM_BATCH = 5000


@dataclass
class CountryTally:
    """One country's signatures: how many are shown by name, by initials, or not at all."""

    code: str
    name: str
    named: int = 0
    initials: int = 0
    unnamed: int = 0
    paper: int = 0  # signed on paper: a line of its own, never in `total`

    @property
    def total(self) -> int:
        return self.named + self.initials + self.unnamed


@dataclass(frozen=True)
class Totals:
    """What a package counts; also kept in its record and its manifest."""

    individuals_named: int
    individuals_initials: int
    individuals_unnamed: int
    organisations_named: int
    organisations_unnamed: int
    countries: int
    paper: int = 0  # signed on paper, apart from the confirmed `individuals`

    @property
    def individuals(self) -> int:
        return self.individuals_named + self.individuals_initials + self.individuals_unnamed

    @property
    def organisations(self) -> int:
        return self.organisations_named + self.organisations_unnamed

    @classmethod
    def of(
        cls, countries: list[CountryTally], organisations_named: int, organisations_unnamed: int
    ) -> Totals:
        return cls(
            individuals_named=sum(tally.named for tally in countries),
            individuals_initials=sum(tally.initials for tally in countries),
            individuals_unnamed=sum(tally.unnamed for tally in countries),
            organisations_named=organisations_named,
            organisations_unnamed=organisations_unnamed,
            countries=sum(1 for tally in countries if tally.total or tally.paper),
            paper=sum(tally.paper for tally in countries),
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "individuals": self.individuals,
            "individuals_named": self.individuals_named,
            "individuals_initials": self.individuals_initials,
            "individuals_unnamed": self.individuals_unnamed,
            "organisations": self.organisations,
            "organisations_named": self.organisations_named,
            "organisations_unnamed": self.organisations_unnamed,
            "countries": self.countries,
            "paper": self.paper,
        }


@dataclass(frozen=True)
class ListedOrganisation:
    name: str
    name_original: str | None
    country: str
    kind: OrganisationKind


def counted_signatures(campaign_id: int, cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        Signature.campaign_id == campaign_id,
        Signature.status == SignatureStatus.CONFIRMED,
        Signature.confirmed_at < cutoff,
    )


def joined_organisations(campaign_id: int, cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    decided = func.coalesce(Organisation.reviewed_at, Organisation.confirmed_at)
    return (
        Organisation.campaign_id == campaign_id,
        Organisation.status == OrganisationStatus.APPROVED,
        decided < cutoff,
    )


def in_reading_order(codes: set[str], lang: str) -> list[str]:
    """Country codes in the alphabetical order of their names in `lang`."""
    order = {code: position for position, code in enumerate(country_names(lang))}
    return sorted(codes, key=lambda code: (order.get(code, len(order)), code))


def signature_countries(campaign_id: int, cutoff: datetime, lang: str) -> list[CountryTally]:
    """A tally for each country with a counted signature or paper batch, in reading order:
    its names are still to be counted, its signatures on paper are filled in."""
    codes = db.session.scalars(
        select(Signature.country).where(*counted_signatures(campaign_id, cutoff)).distinct()
    )
    paper = paper_by_country(campaign_id, before=cutoff)
    return [
        CountryTally(code, country_name(code, lang), paper=paper.get(code, 0))
        for code in in_reading_order({*codes, *paper}, lang)
    ]


def counted_by_country(campaign_id: int, cutoff: datetime, lang: str) -> list[CountryTally]:
    """Each country's counted signatures, none of them named (for a `counted` party), and
    its signatures on paper, in reading order; no shown name is read."""
    query = (
        select(Signature.country, func.count())
        .where(*counted_signatures(campaign_id, cutoff))
        .group_by(Signature.country)
    )
    rows: dict[str, int] = dict(db.session.execute(query).all())
    paper = paper_by_country(campaign_id, before=cutoff)
    return [
        CountryTally(
            code, country_name(code, lang), unnamed=rows.get(code, 0), paper=paper.get(code, 0)
        )
        for code in in_reading_order({*rows, *paper}, lang)
    ]


def _stream(query: Any) -> Iterator[Any]:
    return iter(db.session.scalars(query.execution_options(yield_per=STREAM_BATCH)))


def shown_names(campaign_id: int, cutoff: datetime, tally: CountryTally) -> Iterator[str]:
    """The country's signatories as they chose to be shown: names, then initials.

    Updates `tally` as rows go by, so the counts are exactly what was listed.
    """
    where = (*counted_signatures(campaign_id, cutoff), Signature.country == tally.code)
    by_name = (
        select(Signature.public_name)
        .where(*where, Signature.display == Display.FULL)
        .order_by(Signature.public_name, Signature.id)
    )
    for name in _stream(by_name):
        if name and name.strip():
            tally.named += 1
            yield name
        else:
            tally.unnamed += 1
    hidden = select(Signature.public_name).where(*where, Signature.display == Display.INITIALS)
    found: list[str | None] = list(_stream(hidden))
    tally.unnamed += sum(1 for short in found if not short)
    shown = sorted((short for short in found if short), key=lambda s: (s.casefold(), s))
    tally.initials += len(shown)
    yield from shown
    anonymous = select(func.count()).where(*where, Signature.display == Display.ANONYMOUS)
    tally.unnamed += db.session.scalar(anonymous) or 0


def listed_organisations(campaign_id: int, cutoff: datetime) -> list[ListedOrganisation]:
    """Approved, publicly listed organisations, ordered by country code, name and id."""
    query = (
        select(
            Organisation.name, Organisation.name_original, Organisation.country, Organisation.kind
        )
        .where(*joined_organisations(campaign_id, cutoff), Organisation.listing == Listing.PUBLIC)
        .order_by(Organisation.country, Organisation.name, Organisation.id)
        .execution_options(yield_per=STREAM_BATCH)
    )
    return [ListedOrganisation(*row) for row in db.session.execute(query)]


def unnamed_organisations(campaign_id: int, cutoff: datetime) -> int:
    """Approved organisations that asked to be counted only."""
    query = select(func.count()).where(
        *joined_organisations(campaign_id, cutoff), Organisation.listing == Listing.COUNTED
    )
    return db.session.scalar(query) or 0


def organisation_count(campaign_id: int, cutoff: datetime) -> int:
    """Every approved organisation, listed or not: all a `counted` party learns of them."""
    query = select(func.count()).where(*joined_organisations(campaign_id, cutoff))
    return db.session.scalar(query) or 0


def confirmed_per_day(campaign_id: int, cutoff: datetime) -> list[tuple[date, int]]:
    """Counted signatures by UTC day of confirmation, quiet days left out."""
    day = utc_day(Signature.confirmed_at)
    rows = db.session.execute(
        select(day, func.count())
        .where(*counted_signatures(campaign_id, cutoff))
        .group_by(day)
        .order_by(day)
    )
    return [(as_date(found), count) for found, count in rows if found is not None]
