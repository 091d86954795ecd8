"""The OpenAPI 3.1 document of the public API, written as data and built once per process.

Every answer's JSON Schema is here, with an example of the real shape; the enums come from
the models, so the document cannot drift from what the views answer. The server address is
relative, so the same document is right on every host that serves it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from petition.campaigns.services import SLUG_MAX, SLUG_PATTERN
from petition.models import CampaignStatus, NamesPolicy, OrganisationKind
from petition.models.delivery import RESPONSE_TEXT_MAX

EXAMPLE_SLUG = "people-first"
EXAMPLE_SHA256 = "9f2c4e0b7a1d3f5e6c8b0a2d4f6e8c1a3b5d7f9e0c2a4b6d8f1e3c5a7b9d0f2e"
COUNT = {"type": "integer", "minimum": 0}
DAY = {"type": "string", "format": "date", "description": "A day, in UTC."}


def _strict(properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An object with exactly these properties, all required."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
        **extra,
    }


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "null"}]}


COUNTS = _strict(
    {
        "individuals": {**COUNT, "description": "Confirmed, valid signatures."},
        "organisations": {**COUNT, "description": "Approved organisations."},
        "paper": {
            **COUNT,
            "description": (
                "Signatures gathered on paper or at events, entered by staff in batches; "
                "a number of its own, never part of `individuals`."
            ),
        },
    }
)

CAMPAIGN = _strict(
    {
        "slug": {"type": "string"},
        "title": {"type": "string", "description": "The title in English."},
        "status": {"enum": [CampaignStatus.OPEN.value, CampaignStatus.CLOSED.value]},
        "counts": {"$ref": "#/components/schemas/Counts"},
        "by_country": {
            "type": "object",
            "description": "Confirmed signatures by ISO 3166-1 alpha-2 country code.",
            "propertyNames": {"pattern": "^[A-Z]{2}$"},
            "additionalProperties": COUNT,
        },
        "paper_by_country": {
            "type": "object",
            "description": "Signatures gathered on paper by ISO 3166-1 alpha-2 country code.",
            "propertyNames": {"pattern": "^[A-Z]{2}$"},
            "additionalProperties": COUNT,
        },
        "updated_at": {"type": "string", "format": "date-time"},
    },
    examples=[
        {
            "slug": EXAMPLE_SLUG,
            "title": "People First",
            "status": "open",
            "counts": {"individuals": 1520, "organisations": 31, "paper": 240},
            "by_country": {"UA": 900, "PL": 320, "DE": 300},
            "paper_by_country": {"UA": 240},
            "updated_at": "2025-03-01T12:00:00+00:00",
        }
    ],
)

ORGANISATION = _strict(
    {
        "name": {"type": "string"},
        "name_original": _nullable({"type": "string"}),
        "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
        "type": {"enum": [kind.value for kind in OrganisationKind]},
        "website": _nullable({"type": "string"}),
        "founding": {"type": "boolean", "description": "One of the coalition's founders."},
    }
)

ORGANISATIONS = _strict(
    {
        "slug": {"type": "string"},
        "organisations": {"type": "array", "items": {"$ref": "#/components/schemas/Organisation"}},
    },
    examples=[
        {
            "slug": EXAMPLE_SLUG,
            "organisations": [
                {
                    "name": "Center for Civil Liberties",
                    "name_original": "Центр громадянських свобод",
                    "country": "UA",
                    "type": "human_rights",
                    "website": "https://ccl.org.ua",
                    "founding": True,
                }
            ],
        }
    ],
)

PARTY = _strict(
    {
        "name": {"type": "string"},
        "office": {"type": "string", "description": "In the party's own language; may be empty."},
        "organisation": {"type": "string", "description": "The institution; may be empty."},
    },
    description="A negotiating party by its public title; never a contact address.",
)

DELIVERY = _strict(
    {
        "delivered_at": {**DAY, "description": "The day the package was sent (UTC)."},
        "cutoff": {
            "type": "string",
            "format": "date-time",
            "description": "Signatures confirmed before this moment are in the package.",
        },
        "counts": {"$ref": "#/components/schemas/Counts"},
        "names_policy": {
            "enum": [policy.value for policy in NamesPolicy],
            "description": "`named`: signers as each chose to be shown; `counted`: totals only.",
        },
        "acknowledged_at": _nullable(DAY),
        "response": _nullable({"type": "string", "maxLength": RESPONSE_TEXT_MAX}),
        "document_url": _nullable({"type": "string", "pattern": "^https://"}),
        "manifest_sha256": {
            "type": "string",
            "pattern": "^[0-9a-f]{64}$",
            "description": "The SHA-256 of the package's manifest, which lists every file's.",
        },
    }
)

DELIVERIES = _strict(
    {
        "slug": {"type": "string"},
        "parties": {
            "type": "array",
            "items": _strict(
                {
                    "party": {"$ref": "#/components/schemas/Party"},
                    "deliveries": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Delivery"},
                    },
                }
            ),
        },
    },
    examples=[
        {
            "slug": EXAMPLE_SLUG,
            "parties": [
                {
                    "party": {
                        "name": "UN Secretary-General",
                        "office": "Secretary-General of the United Nations",
                        "organisation": "United Nations",
                    },
                    "deliveries": [
                        {
                            "delivered_at": "2025-03-02",
                            "cutoff": "2025-03-01T12:00:00+00:00",
                            "counts": {"individuals": 1520, "organisations": 31, "paper": 240},
                            "names_policy": "named",
                            "acknowledged_at": "2025-03-04",
                            "response": "Received; forwarded to the Office of Legal Affairs.",
                            "document_url": "https://www.un.org/sg/en/content/statement",
                            "manifest_sha256": EXAMPLE_SHA256,
                        }
                    ],
                }
            ],
        }
    ],
)

ERROR = _strict({"error": {"type": "string"}}, examples=[{"error": "Not Found"}])

SCHEMAS = {
    "Counts": COUNTS,
    "Campaign": CAMPAIGN,
    "Organisation": ORGANISATION,
    "Organisations": ORGANISATIONS,
    "Party": PARTY,
    "Delivery": DELIVERY,
    "Deliveries": DELIVERIES,
    "Error": ERROR,
}

CACHE_HEADERS = {
    "ETag": {
        "description": "A hash of the body; send it back in If-None-Match.",
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "public, with a max-age as long as the counts are cached.",
        "schema": {"type": "string"},
    },
}

SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "description": "The campaign's web address name.",
    "schema": {"type": "string", "pattern": f"^{SLUG_PATTERN.pattern}$", "maxLength": SLUG_MAX},
    "example": EXAMPLE_SLUG,
}

IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The ETag of a copy you hold: when it is still current, the answer is 304.",
    "schema": {"type": "string"},
}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": CACHE_HEADERS,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


NOT_MODIFIED = {"description": "Not modified: the ETag sent is current.", "headers": CACHE_HEADERS}
NOT_FOUND = {
    "description": "No public campaign by that name.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def _campaign_operation(operation_id: str, summary: str, schema: str) -> dict[str, Any]:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": [SLUG, IF_NONE_MATCH],
            "responses": {"200": _json(schema, summary), "304": NOT_MODIFIED, "404": NOT_FOUND},
        }
    }


@cache
def openapi_document() -> dict[str, Any]:
    """The whole document; callers must not change it."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Petition platform public API",
            "version": "1",
            "description": (
                "Read-only public numbers of a campaign: its counts, its listed organisations "
                "and what was delivered to each negotiating party. Nothing here names a "
                "signer. Every answer carries an ETag and Cache-Control; a conditional GET "
                "with a current ETag is answered 304 without a body."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/campaigns/{slug}": _campaign_operation(
                "getCampaign", "The campaign and its counts.", "Campaign"
            ),
            "/campaigns/{slug}/organisations": _campaign_operation(
                "listOrganisations", "The publicly listed organisations.", "Organisations"
            ),
            "/campaigns/{slug}/deliveries": _campaign_operation(
                "listDeliveries",
                "The delivery log: each package sent to each negotiating party.",
                "Deliveries",
            ),
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenAPI",
                    "summary": "This document.",
                    "parameters": [IF_NONE_MATCH],
                    "responses": {
                        "200": {
                            "description": "This document.",
                            "headers": CACHE_HEADERS,
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        "304": NOT_MODIFIED,
                    },
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
