"""gunicorn as `gunicorn.conf.py` runs it, with two workers: JSON log lines that share the
answer's request id, and /metrics that adds up every worker's requests."""

from __future__ import annotations

import json
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.production.conftest import ROOT, operator_env
from tests.production.processes import Process, free_port

METRICS_TOKEN = "metrics-token-invented-for-the-gunicorn-test"
LINK_TOKEN = "Invented-Link-Token_for-gunicorn"


@dataclass(frozen=True)
class Served:
    origin: str
    web: Process
    metrics_folder: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Two workers on a database with no tables yet: every page that reads it answers 503
    and logs why, which is all these tests need of it."""
    work = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    env = operator_env(
        SECRET_KEY="secret-key-invented-for-the-gunicorn-test",
        DATABASE_URL=f"sqlite:///{work / 'empty.db'}",
        INSTANCE_PATH=str(work / "instance"),
        PORT=str(port),
        WEB_CONCURRENCY="2",
        GUNICORN_THREADS="1",
        LOG_FORMAT="json",
        METRICS_TOKEN=METRICS_TOKEN,
        PROMETHEUS_MULTIPROC_DIR=str(work / "metrics"),
    )
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"]
    web = Process("gunicorn", command, env, ROOT, work / "web.log").start()
    origin = f"http://127.0.0.1:{port}"
    try:
        web.wait_for_url(f"{origin}/healthz")
        yield Served(origin, web, work / "metrics")
    finally:
        web.stop()


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - our own server
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status, dict(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as answer:
        return answer.code, dict(answer.headers), answer.read().decode(errors="replace")


def requests_counted(served: Served, endpoint: str, status: str) -> float:
    _, _, body = fetch(f"{served.origin}/metrics", {"Authorization": f"Bearer {METRICS_TOKEN}"})
    return sum(
        sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
        if sample.name == "petition_http_requests_total"
        and sample.labels == {"endpoint": endpoint, "status": status}
    )


def test_every_line_is_json_and_a_requests_lines_share_its_id(served: Served):
    status, headers, _ = fetch(
        f"{served.origin}/uk/confirm/{LINK_TOKEN}?utm_source=canary-query",
        {"User-Agent": "CanaryAgent/1.0", "Referer": "https://canary-referrer.example/"},
    )
    assert status == 503  # no tables: the app logs a warning
    request_id = headers["X-Request-Id"]

    written = served.web.wait_for_output(f'"request_id": "{request_id}"}}')
    lines = [json.loads(line) for line in written.splitlines() if line.strip()]
    assert {"gunicorn.error", "gunicorn.access"} <= {line["logger"] for line in lines}
    mine = [line for line in lines if line.get("request_id") == request_id]
    assert {line["logger"] for line in mine} == {"petition.errors", "gunicorn.access"}
    [access] = [line for line in mine if line["logger"] == "gunicorn.access"]
    assert access["method"] == "GET"
    assert access["path"] == "/uk/confirm/…"
    assert access["status"] == 503
    assert access["duration_ms"] >= 0
    for secret in (LINK_TOKEN, "canary-query", "CanaryAgent", "canary-referrer"):
        assert secret not in written


def test_metrics_add_up_the_requests_of_every_worker(served: Served):
    before = requests_counted(served, "ops.healthz", "200")
    for _ in range(12):  # a new connection each: both workers answer some
        assert fetch(f"{served.origin}/healthz")[0] == 200
    assert requests_counted(served, "ops.healthz", "200") == before + 12
    # Counted in the workers' files, which every scrape adds up, whichever worker answers.
    assert list(served.metrics_folder.glob("counter_*.db"))
