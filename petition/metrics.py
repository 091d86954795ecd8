"""`/metrics` for Prometheus: requests, latency and the queues, never a person.

Off unless METRICS_TOKEN is set: then `/metrics` answers a scrape that sends
`Authorization: Bearer <token>`, and nothing else. Requests are counted by the Flask endpoint
that answered (`signing.sign`), never by path: paths carry link tokens and the slugs of
link pages. The queue and signature figures are read from the database at scrape time, in a
few aggregate queries; labels are endpoint names, statuses and campaign slugs (public), so
no name, address, email, token or client address can reach a series. The busiest pages,
replayed from the page cache before Flask, are counted apart, by the endpoint that made them.

gunicorn runs several processes: with PROMETHEUS_MULTIPROC_DIR set (deploy/README.md),
prometheus_client keeps each process's counts in files there and a scrape adds them up;
without it each process counts its own requests only.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, current_app, g, request
from flask.typing import ResponseReturnValue
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from petition.errors import forget_transaction
from petition.extensions import db
from petition.models import (
    Campaign,
    DeliveryPackage,
    OutboxMessage,
    OutboxStatus,
    PackageStatus,
    Signature,
    SignatureStatus,
)
from petition.models.types import utcnow
from petition.page_cache import PAGES, CachedPage, PageCache

log = logging.getLogger(__name__)

EXTENSION = "petition.metrics"
MINIMUM_TOKEN_LENGTH = 32
# The endpoint label of a request no route matched (404, 405): its path is never a label.
UNMATCHED = "unmatched"
# Seconds. A signing POST takes a few milliseconds; a staff export may take seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
STARTED = "metrics_started"

bp = Blueprint("metrics", __name__)


@dataclass(frozen=True)
class RequestMetrics:
    """This app's request counter and latency histogram; `registry` is None when
    prometheus_client keeps them in PROMETHEUS_MULTIPROC_DIR instead."""

    requests: Counter
    latency: Histogram
    replays: Counter
    registry: CollectorRegistry | None

    @classmethod
    def create(cls, *, multiprocess: bool) -> RequestMetrics:
        registry = None if multiprocess else CollectorRegistry()
        requests = Counter(
            "petition_http_requests",
            "Requests answered, by Flask endpoint and HTTP status",
            ["endpoint", "status"],
            registry=registry,
        )
        latency = Histogram(
            "petition_http_request_duration_seconds",
            "Time from routing to the answer, by Flask endpoint",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        replays = Counter(
            "petition_page_cache_replays",
            "Kept copies of public pages answered before Flask, by the endpoint that made them",
            ["endpoint"],
            registry=registry,
        )
        return cls(requests, latency, replays, registry)

    def count_replay(self, page: CachedPage) -> None:
        self.replays.labels(page.endpoint).inc()


def register(app: Flask) -> None:
    """With METRICS_TOKEN set, count every request and serve `/metrics`; else do nothing,
    so that `/metrics` is a 404 like any address that does not exist."""
    token = app.config["METRICS_TOKEN"]
    if token is None:
        return
    if len(token) < MINIMUM_TOKEN_LENGTH:
        raise ValueError(
            f"METRICS_TOKEN must be at least {MINIMUM_TOKEN_LENGTH} characters, e.g. from "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`."
        )
    multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
    metrics = app.extensions[EXTENSION] = RequestMetrics.create(multiprocess=multiprocess)
    page_cache: PageCache = app.extensions[PAGES]
    page_cache.replayed = metrics.count_replay
    app.before_request(start_timer)
    app.after_request(count_request)
    app.register_blueprint(bp)


def start_timer() -> None:
    setattr(g, STARTED, time.perf_counter())


def count_request(response: Response) -> Response:
    metrics: RequestMetrics = current_app.extensions[EXTENSION]
    endpoint = request.endpoint or UNMATCHED
    metrics.requests.labels(endpoint, str(response.status_code)).inc()
    started = g.get(STARTED)
    if started is not None:
        metrics.latency.labels(endpoint).observe(time.perf_counter() - started)
    return response


@bp.get("/metrics")
def scrape() -> ResponseReturnValue:
    """The figures in Prometheus's text format, for the bearer of METRICS_TOKEN only."""
    if not scrape_allowed(request.headers.get("Authorization", "")):
        headers = {"WWW-Authenticate": 'Bearer realm="metrics"', "Cache-Control": "no-store"}
        return "unauthorized\n", 401, {"Content-Type": "text/plain; charset=utf-8", **headers}
    return exposition(), 200, {"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"}


def scrape_allowed(authorization: str) -> bool:
    """Whether the Authorization header carries the token (compared in constant time)."""
    expected = f"Bearer {current_app.config['METRICS_TOKEN']}"
    return hmac.compare_digest(authorization.encode(), expected.encode())


def exposition() -> bytes:
    """Every figure, read now: the request metrics (this process's, or all processes' in
    multiprocess mode) and the database's."""
    metrics: RequestMetrics = current_app.extensions[EXTENSION]
    registry = CollectorRegistry()
    if metrics.registry is None:
        MultiProcessCollector(registry)
    else:
        registry.register(metrics.registry)  # a registry is a collector too
    registry.register(DatabaseFigures())
    return generate_latest(registry)


class DatabaseFigures:
    """Queues and signatures, read from the database when Prometheus scrapes; with the
    database down, only `petition_database_up 0`."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("petition_database_up", "1 when the figures could be read")
        try:
            figures = [*outbox_figures(), package_figures(), signature_figures()]
        except SQLAlchemyError as error:
            log.warning("metrics without database figures: %s", type(error).__name__)
            forget_transaction()
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from figures


def outbox_figures() -> list[Metric]:
    rows = db.session.execute(
        select(OutboxMessage.status, func.count(), func.min(OutboxMessage.created_at))
        .where(OutboxMessage.status.in_((OutboxStatus.QUEUED, OutboxStatus.FAILED)))
        .group_by(OutboxMessage.status)
    ).all()
    found = {OutboxStatus(status): (count, oldest) for status, count, oldest in rows}
    queued, oldest = found.get(OutboxStatus.QUEUED, (0, None))
    age = max((utcnow() - oldest).total_seconds(), 0.0) if oldest else 0.0
    return [
        GaugeMetricFamily("petition_outbox_queued", "Mail messages waiting to be sent", queued),
        GaugeMetricFamily(
            "petition_outbox_oldest_queued_age_seconds",
            "Age of the oldest message waiting to be sent (0 when none waits)",
            age,
        ),
        GaugeMetricFamily(
            "petition_outbox_failed",
            "Mail messages given up after their retries, until retention removes them",
            found.get(OutboxStatus.FAILED, (0, None))[0],
        ),
    ]


def package_figures() -> Metric:
    rows = db.session.execute(
        select(DeliveryPackage.status, func.count()).group_by(DeliveryPackage.status)
    ).all()
    counts = {PackageStatus(status): count for status, count in rows}
    family = GaugeMetricFamily(
        "petition_delivery_packages", "Delivery packages by state", labels=["status"]
    )
    for status in PackageStatus:
        family.add_metric([status.value], counts.get(status, 0))
    return family


def signature_figures() -> Metric:
    slugs = dict(db.session.execute(select(Campaign.id, Campaign.slug)).all())
    rows = db.session.execute(
        select(Signature.campaign_id, Signature.status, func.count()).group_by(
            Signature.campaign_id, Signature.status
        )
    ).all()
    counts = {(campaign, SignatureStatus(status)): count for campaign, status, count in rows}
    family = GaugeMetricFamily(
        "petition_signatures", "Signatures by campaign and status", labels=["campaign", "status"]
    )
    for campaign, slug in sorted(slugs.items(), key=lambda item: item[1]):
        for status in SignatureStatus:
            family.add_metric([slug, status.value], counts.get((campaign, status), 0))
    return family
