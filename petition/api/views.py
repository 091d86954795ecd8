"""`/api/v1/`: public numbers, cacheable, never personal data."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from petition.campaigns import services
from petition.campaigns.counts import campaign_counts
from petition.coalition.services import public_organisations
from petition.models import Organisation
from petition.page_cache import shared_page

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/campaigns/<slug>")
@shared_page
def campaign(slug: str) -> ResponseReturnValue:
    found = services.get_public(slug)
    counts = campaign_counts(found.id)
    response = jsonify(
        slug=found.slug,
        title=found.text("en").title,
        status=found.status.value,
        counts={"individuals": counts.individuals, "organisations": counts.organisations},
        by_country=counts.by_country,
        updated_at=counts.updated_at.isoformat(timespec="seconds"),
    )
    response.cache_control.public = True
    response.cache_control.max_age = 10
    return response


def _public_details(organisation: Organisation) -> dict[str, object]:
    return {
        "name": organisation.name,
        "name_original": organisation.name_original,
        "country": organisation.country,
        "type": organisation.kind.value,
        "website": organisation.website,
        "founding": organisation.founding,
    }


@bp.get("/campaigns/<slug>/organisations")
@shared_page
def organisations(slug: str) -> ResponseReturnValue:
    """The publicly listed organisations: public details only, never contact details."""
    found = services.get_public(slug)
    listed = [_public_details(organisation) for organisation in public_organisations(found.id)]
    response = jsonify(slug=found.slug, organisations=listed)
    response.cache_control.public = True
    response.cache_control.max_age = 60
    return response
