"""`/api/v1/`: public numbers, cacheable, never personal data.

Every answer is public for as long as the counts are cached and carries an ETag (a hash of
its body); a conditional GET whose ETag is current is answered 304 without a body, both
here and by the page cache's kept copies."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from petition.api.spec import openapi_document
from petition.campaigns import services
from petition.campaigns.counts import Counts, campaign_counts
from petition.campaigns.delivery_log import Delivery, PartyDeliveries, delivery_log
from petition.coalition.services import public_organisations
from petition.models import Campaign, Organisation
from petition.page_cache import shared_page

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.after_request
def answer_conditionally(response: Response) -> Response:
    """304 for a GET or HEAD whose If-None-Match names the answer's current ETag."""
    response.make_conditional(request)
    return response


def _public_json(body: dict[str, Any]) -> Response:
    """`body` as JSON, cacheable by anyone until the counts it shows are recounted."""
    response = jsonify(body)
    response.cache_control.public = True
    response.cache_control.max_age = int(current_app.config["COUNTS_TTL_SECONDS"])
    response.add_etag()
    return response


@bp.get("/openapi.json")
@shared_page
def openapi() -> ResponseReturnValue:
    return _public_json(openapi_document())


def _campaign_details(campaign: Campaign, counts: Counts) -> dict[str, object]:
    return {
        "slug": campaign.slug,
        "title": campaign.text("en").title,
        "status": campaign.status.value,
        "counts": {
            "individuals": counts.individuals,
            "organisations": counts.organisations,
            "paper": counts.paper,
        },
        "by_country": counts.by_country,
        "paper_by_country": counts.paper_by_country,
        "updated_at": counts.updated_at.isoformat(timespec="seconds"),
    }


@bp.get("/campaigns/<slug>")
@shared_page
def campaign(slug: str) -> ResponseReturnValue:
    found = services.get_public(slug)
    return _public_json(_campaign_details(found, campaign_counts(found.id)))


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
    return _public_json({"slug": found.slug, "organisations": listed})


def _delivery_details(delivery: Delivery) -> dict[str, object]:
    acknowledged = delivery.acknowledged_on
    return {
        "delivered_at": delivery.delivered_on.isoformat(),
        "cutoff": delivery.cutoff_at.isoformat(timespec="seconds"),
        "counts": {
            "individuals": delivery.individuals,
            "organisations": delivery.organisations,
            "paper": delivery.paper,
        },
        "names_policy": delivery.names_policy.value,
        "acknowledged_at": acknowledged.isoformat() if acknowledged else None,
        "response": delivery.response_text,
        "document_url": delivery.document_url,
        "manifest_sha256": delivery.manifest_sha256,
    }


def _party_details(entry: PartyDeliveries) -> dict[str, object]:
    party = entry.party
    return {
        "party": {"name": party.name, "office": party.office, "organisation": party.organisation},
        "deliveries": [_delivery_details(delivery) for delivery in entry.deliveries],
    }


@bp.get("/campaigns/<slug>/deliveries")
@shared_page
def deliveries(slug: str) -> ResponseReturnValue:
    """The public delivery log: totals and hashes of each package sent, never a name."""
    found = services.get_public(slug)
    parties = [_party_details(entry) for entry in delivery_log(found.id)]
    return _public_json({"slug": found.slug, "parties": parties})
