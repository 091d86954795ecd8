"""The API as its OpenAPI document describes it: every operation checked by schemathesis
with generated inputs, and every answer cacheable (ETag, Cache-Control, 304)."""

from __future__ import annotations

import contextvars
from pathlib import Path

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from petition.api.spec import EXAMPLE_SLUG, openapi_document
from petition.delivery.service import PartyResponse
from petition.extensions import db
from petition.models import Role
from tests.delivery.outputs import add_organisation, add_signature, add_target, deliver_package
from tests.factories import make_campaign, make_staff
from tests.fuzz import fuzz

ENDPOINTS = [
    "/api/v1/openapi.json",
    f"/api/v1/campaigns/{EXAMPLE_SLUG}",
    f"/api/v1/campaigns/{EXAMPLE_SLUG}/organisations",
    f"/api/v1/campaigns/{EXAMPLE_SLUG}/deliveries",
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, object]:
    return {"DELIVERY_DIR": str(tmp_path / "deliveries")}


@pytest.fixture
def published(app):
    """A campaign by the document's example name, with something behind every endpoint:
    confirmed signatures, an approved listed organisation, a package delivered and answered."""
    campaign = make_campaign(slug=EXAMPLE_SLUG)
    add_signature(campaign, "Invented Signer", country="UA")
    add_signature(campaign, "Another Signer", country="PL")
    add_organisation(campaign, "Invented Rights Group", name_original="Вигадана група")
    target = add_target(campaign, "en", name="Invented Party", organisation="Invented Office")
    db.session.commit()
    answer = PartyResponse(text="Received.", document_url="https://party.example/reply")
    deliver_package(campaign, target, make_staff(Role.EXPORTER), response=answer)
    return campaign


# The document the app serves (test_the_app_serves_the_document checks it is this one).
# schemathesis' fixture-based loader does not run under this pytest, so it is read here.
schema = schemathesis.openapi.from_dict(openapi_document())


@schema.parametrize()
@fuzz(25)
def test_every_operation_answers_as_documented(case, app, published):
    # Each request in a context of its own, as in production (see IsolatedClient).
    contextvars.Context().run(case.call_and_validate, checks=CHECKS, app=app)


@pytest.mark.parametrize("path", ENDPOINTS)
def test_every_answer_is_cacheable_and_answers_304_to_its_etag(app, published, path):
    visitor = app.test_client(use_cookies=False)  # answered from the kept copy after once
    member = app.test_client()
    member.set_cookie("session", "x")  # answered by the view every time
    for client in (visitor, member):
        first = client.get(path)
        assert first.status_code == 200
        etag = first.headers["ETag"]
        assert first.headers["Cache-Control"] == "public, max-age=10"
        for _ in range(2):
            again = client.get(path, headers={"If-None-Match": etag})
            assert again.status_code == 304
            assert again.get_data() == b""
            assert again.headers["ETag"] == etag
            assert again.headers["Cache-Control"] == "public, max-age=10"
        head = client.head(path, headers={"If-None-Match": etag})
        assert head.status_code == 304
        stale = client.get(path, headers={"If-None-Match": '"something-older"'})
        assert stale.status_code == 200
        assert stale.get_data() == first.get_data()


def test_the_etag_changes_with_what_the_answer_says(app, published, monotonic):
    visitor = app.test_client(use_cookies=False)
    path = f"/api/v1/campaigns/{EXAMPLE_SLUG}"
    first = visitor.get(path)
    add_signature(published, "Third Signer", country="DE")
    db.session.commit()
    monotonic[0] += 11  # the counts and the kept copy expire
    later = visitor.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert later.status_code == 200
    assert later.json["counts"]["individuals"] == 3
    assert later.headers["ETag"] != first.headers["ETag"]


def test_the_app_serves_the_document_of_every_public_endpoint(app, published):
    document = app.test_client().get("/api/v1/openapi.json").json
    assert document == openapi_document()
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "/api/v1"}]
    assert set(document["paths"]) == {
        "/campaigns/{slug}",
        "/campaigns/{slug}/organisations",
        "/campaigns/{slug}/deliveries",
        "/openapi.json",
    }
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # Loaded from its own address, schemathesis leaves out the document's own operation.
    assert [result.ok().label for result in loaded.get_all_operations()] == [
        "GET /campaigns/{slug}",
        "GET /campaigns/{slug}/deliveries",
        "GET /campaigns/{slug}/organisations",
    ]


@pytest.mark.parametrize("slug", ["%00", "a%00b", "x" * 81, "UPPER", "-dash"])
def test_a_name_no_campaign_can_have_is_a_json_404(client, published, slug):
    for tail in ("", "/organisations", "/deliveries"):
        response = client.get(f"/api/v1/campaigns/{slug}{tail}")
        assert response.status_code == 404
        assert response.json == {"error": "Not Found"}
