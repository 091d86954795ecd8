"""What every benchmark shares: options, the database, both servers, the load generator."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import profiling
from bench.environment import (
    LOGS,
    ROOT,
    Database,
    HarnessError,
    Server,
    app_environment,
    run_checked,
    signatures_kept,
)

SLUG = "people-first"
SIGN_PATH = f"/en/{SLUG}/sign"
# More forms than this machine can sign per second, fetched before a run (if they run out,
# the rate is taken over the time until the last one and the table says so); and a low
# guess of how fast they are fetched, for the load generator's time-out.
FORMS_PER_SECOND = 900
FORMS_FETCHED = 50


@dataclass(frozen=True)
class Options:
    only: tuple[str, ...]
    seconds: float  # measured seconds per target (closed loop) or of the sustained run
    sustained_seconds: float
    rate: float
    rounds: int
    warmup: float
    concurrency: int
    sustained_concurrency: int
    profile: bool

    @property
    def round_seconds(self) -> float:
        return max(1.0, self.seconds / self.rounds)


@dataclass
class Harness:
    options: Options
    database: Database
    run_id: str
    app: Server | None = None
    baseline: Server | None = None

    def servers(self) -> tuple[Server, Server]:
        if self.app is None or self.baseline is None:
            raise HarnessError("the web servers are not running")
        return self.app, self.baseline

    def target(self, name: str, server: Server, workload: dict[str, Any]) -> dict[str, Any]:
        return {"name": name, "port": server.port, "master_pid": server.pid, "workload": workload}

    def sign_workload(self, prefix: str, forms: int, users: int | None = None) -> dict[str, Any]:
        """Signing POSTs from `forms` visitors, each with a form of its own, fetched by
        `users` connections (the closed runs' concurrency unless given)."""
        return {
            "kind": "sign",
            "path": SIGN_PATH,
            "email_prefix": f"{self.run_id}-{prefix}",
            "forms": forms,
            "users": users or self.options.concurrency,
        }

    @property
    def profile_seconds(self) -> float:
        return max(5.0, self.options.round_seconds)

    def closed_forms(self, rounds: int | None = None, seconds: float | None = None) -> int:
        """Forms enough for closed-loop runs: more than this machine can sign per second."""
        rounds = self.options.rounds if rounds is None else rounds
        seconds = self.options.warmup + self.options.round_seconds if seconds is None else seconds
        return math.ceil(FORMS_PER_SECOND * rounds * seconds) + self.options.concurrency

    def closed_spec(self, targets: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        return {
            "mode": "closed",
            "targets": targets,
            "concurrency": self.options.concurrency,
            "seconds": self.options.round_seconds,
            "warmup": self.options.warmup,
            "rounds": self.options.rounds,
            "database": self.database.name,
            **extra,
        }

    def load(
        self, spec: dict[str, Any], on_ready: Callable[[], None] | None = None
    ) -> dict[str, dict[str, Any]]:
        """Run the load generator in its own process; its JSON result per target.
        `on_ready` runs once the users have fetched their forms, before the measured runs."""
        planned = len(spec["targets"]) * spec.get("rounds", 1) * (spec.get("warmup", 0) + 5)
        planned += spec["seconds"] * len(spec["targets"]) * spec.get("rounds", 1) + 120
        planned += sum(t["workload"].get("forms", 0) for t in spec["targets"]) / FORMS_FETCHED
        ready = self.scratch_file("load-ready")
        ready.unlink(missing_ok=True)
        if on_ready is not None:
            spec = {**spec, "ready_file": str(ready)}
        spec_file = self.scratch_file("load-spec.json")
        spec_file.write_text(json.dumps(spec))
        with spec_file.open() as stdin:
            process = subprocess.Popen(
                [sys.executable, "-m", "bench.load"],
                cwd=ROOT,
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        try:
            if on_ready is not None:
                _wait_for(ready, process, planned)
                on_ready()
            stdout, stderr = process.communicate(timeout=planned)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            ready.unlink(missing_ok=True)
            spec_file.unlink(missing_ok=True)
        if process.returncode != 0:
            raise HarnessError(f"load generator failed:\n{stderr[-3000:]}")
        rows: dict[str, dict[str, Any]] = json.loads(stdout)
        return rows

    def profile(self, name: str, target: dict[str, Any]) -> profiling.Summary:
        """Sample the app's workers while one more, app-only, run of `target` goes on
        (from the end of its preparation: fetching forms is not what is measured)."""
        app, _ = self.servers()
        spec = self.closed_spec([target], rounds=1, warmup=0.0, seconds=self.profile_seconds)
        recording: list[tuple[subprocess.Popen[bytes], Path]] = []

        def start() -> None:
            recording.append(profiling.start_recording(name, app.pid))

        try:
            self.load(spec, on_ready=start)
        finally:
            for process, output in recording:
                summary = profiling.finish_recording(process, output)
        return summary

    def appside(
        self, *args: str, prefix: tuple[str, ...] = (), env: dict[str, str] | None = None
    ) -> str:
        """A step inside the app (bench/appside.py) against this run's database; `prefix`
        wraps the command (py-spy), `env` adds settings (the mail server)."""
        command = [*prefix, sys.executable, "-m", "bench.appside", *args]
        environment = app_environment(self.database, 0, **(env or {}))
        return run_checked(command, environment, timeout=900)

    def scratch_file(self, name: str) -> Path:
        LOGS.mkdir(parents=True, exist_ok=True)
        return LOGS / f"{self.run_id}-{name}"

    def remove_scratch(self) -> None:
        """The run's own files (addresses it signed with, tokens, a sample mail)."""
        for path in LOGS.glob(f"{self.run_id}-*"):
            path.unlink(missing_ok=True)

    def lost_signatures(self, labels_file: Path) -> dict[str, int]:
        """Every POST that reached "check your email" must have its row and its queued mail."""
        emails = [line for line in labels_file.read_text().splitlines() if line]
        return signatures_kept(self.database, emails)

    def api_individuals(self) -> int | None:
        app, _ = self.servers()
        status, body = app.get(f"/api/v1/campaigns/{SLUG}")
        if status != 200:
            return None
        return int(json.loads(body)["counts"]["individuals"])

    def confirmed_in_database(self) -> int:
        with self.database.connect() as connection:
            row = connection.execute(
                "SELECT count(*) FROM signature s JOIN campaign c ON c.id = s.campaign_id"
                " WHERE c.slug = %s AND s.status = 'confirmed'",
                (SLUG,),
            ).fetchone()
        return int(row[0]) if row else 0

    def counts_staleness(self, since: float, limit: float = 30.0, probes: int = 12) -> float | None:
        """Seconds from `since` (epoch) until every worker's public count equals a direct
        count, polled every 0.2 s; None if they still differ after `limit` seconds."""
        expected = self.confirmed_in_database()
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            # Fresh connections land on different workers, each with its own cache.
            if all(self.api_individuals() == expected for _ in range(probes)):
                return time.time() - since
            time.sleep(0.2)
        return None


def _wait_for(ready: Path, process: subprocess.Popen[str], timeout: float) -> None:
    """Until the load generator says it is ready (or stops, which `load` then reports)."""
    deadline = time.monotonic() + timeout
    while not ready.exists() and process.poll() is None:
        if time.monotonic() > deadline:
            raise HarnessError("the load generator took too long to prepare")
        time.sleep(0.05)
