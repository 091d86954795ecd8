"""4. Mail: `deliver_due()` draining the outbox against a bare smtplib loop.

Both send to their own local aiosmtpd server, which counts what arrives. The outbox side
pays for what the worker really does per message: claim a batch, issue the link's token,
render the three templates in the signer's language, commit, send, mark sent. The loop
sends the same bytes (one real confirmation mail) over one connection.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from bench import profiling
from bench.environment import ROOT, Database, HarnessError, free_port
from bench.harness import Harness
from bench.report import Result

GOAL = 0.7
APP = "app deliver_due()"
BASELINE = "baseline smtplib loop"
# Sizes each round to take about --seconds / rounds: long enough that a worker's start (its
# connections, first statements and templates) weighs no more than in a worker that runs
# for hours.
MESSAGES_PER_SECOND = 400
BASELINE_FACTOR = 3  # the loop is faster: it sends more, so that it too runs long enough to time
PARK = "1000 years"


@dataclass
class SmtpSink:
    port: int
    process: subprocess.Popen[str]

    @classmethod
    def start(cls) -> SmtpSink:
        port = free_port()
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "bench.smtp_sink", str(port)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        if process.stdout.readline().strip() != "ready":
            process.kill()
            raise HarnessError("the SMTP sink did not start")
        return cls(port, process)

    def stop(self) -> dict[str, int]:
        """Stop the server; what it received."""
        if self.process.poll() is None:
            self.process.terminate()
        out, _ = self.process.communicate(timeout=30)
        lines = out.strip().splitlines()
        return json.loads(lines[-1]) if lines else {"messages": -1}


def park_queued(database: Database) -> list[int]:
    """Put mail already queued (by the web benchmarks) out of the worker's reach."""
    with database.connect() as connection:
        rows = connection.execute(
            "UPDATE outbox_message SET next_attempt_at = next_attempt_at + %s::interval"
            " WHERE status = 'queued' RETURNING id",
            (PARK,),
        ).fetchall()
    return [row[0] for row in rows]


def unpark(database: Database, ids: list[int]) -> None:
    with database.connect() as connection:
        connection.execute(
            "UPDATE outbox_message SET next_attempt_at = next_attempt_at - %s::interval"
            " WHERE id = ANY(%s)",
            (PARK, ids),
        )


def still_queued(database: Database, parked: list[int]) -> int:
    with database.connect() as connection:
        row = connection.execute(
            "SELECT count(*) FROM outbox_message WHERE status = 'queued' AND NOT id = ANY(%s)",
            (parked,),
        ).fetchone()
    return int(row[0]) if row else -1


def last_json(output: str) -> dict[str, float]:
    """The last JSON line of `output` (py-spy, when it wraps a step, adds lines of its own)."""
    lines = [line for line in output.splitlines() if line.startswith("{")]
    if not lines:
        raise HarnessError(f"no result in: {output[-500:]}")
    found: dict[str, float] = json.loads(lines[-1])
    return found


def row(runs: list[dict[str, float]]) -> dict[str, Any]:
    handled = sum(int(run["handled"]) for run in runs)
    seconds = sum(run["seconds"] for run in runs)
    cpu = sum(run["cpu_seconds"] for run in runs)
    return {
        "rps": handled / seconds if seconds else 0.0,
        "requests": handled,
        "seconds": round(seconds, 3),
        "round_rps": [round(run["handled"] / run["seconds"], 1) for run in runs],
        "cpu_ms_per_request": {"server": 1000 * cpu / handled if handled else float("nan")},
    }


class MailRun:
    def __init__(self, harness: Harness, per_round: int) -> None:
        self.harness, self.per_round = harness, per_round
        self.sample = harness.scratch_file("mail-sample.eml")
        harness.appside("sample-mail", str(self.sample), f"{harness.run_id}-mail-sample")

    def outbox(
        self, sink: SmtpSink, round_number: int, prefix: tuple[str, ...] = ()
    ) -> dict[str, float]:
        harness = self.harness
        harness.appside("queue-mail", str(self.per_round), f"{harness.run_id}-mail{round_number}")
        env = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(sink.port)}
        return last_json(harness.appside("deliver", prefix=prefix, env=env))

    def smtplib(self, sink: SmtpSink) -> dict[str, float]:
        command = [sys.executable, "-m", "bench.smtp_loop", str(sink.port)]
        command += [str(self.per_round * BASELINE_FACTOR), str(self.sample)]
        done = subprocess.run(  # noqa: S603 - our own interpreter and module
            command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=True
        )
        return last_json(done.stdout)


def run(harness: Harness) -> Result:
    options = harness.options
    per_round = max(50, int(MESSAGES_PER_SECOND * options.round_seconds))
    mail = MailRun(harness, per_round)
    parked = park_queued(harness.database)
    app_sink, base_sink = SmtpSink.start(), SmtpSink.start()
    try:
        app_runs, base_runs = [], []
        for round_number in range(options.rounds):
            if round_number % 2:
                base_runs.append(mail.smtplib(base_sink))
            app_runs.append(mail.outbox(app_sink, round_number))
            if not round_number % 2:
                base_runs.append(mail.smtplib(base_sink))
        left = still_queued(harness.database, parked)
    finally:
        received = {APP: app_sink.stop(), BASELINE: base_sink.stop()}
        unpark(harness.database, parked)
    rows = {APP: row(app_runs), BASELINE: row(base_runs)}
    result = Result("mail", "4. Mail (outbox worker to a local SMTP server)", rows)
    result.compare("throughput", APP, BASELINE, GOAL)
    result.checks["received by the SMTP servers"] = {k: v["messages"] for k, v in received.items()}
    delivered = received[APP]["messages"] == rows[APP]["requests"] == per_round * options.rounds
    result.require("every queued message delivered, none left queued", delivered and left == 0)
    sent = received[BASELINE]["messages"] == rows[BASELINE]["requests"]
    result.require("the loop's messages all arrived", sent)
    result.settings["messages_per_round"] = per_round
    if options.profile:
        summary = profile_worker(mail, options.rounds)
        result.profiles[APP] = summary
    return result


def profile_worker(mail: MailRun, round_number: int) -> profiling.Summary:
    output = profiling.profile_path("mail")
    output.unlink(missing_ok=True)
    sink = SmtpSink.start()
    try:
        mail.outbox(sink, round_number, prefix=tuple(profiling.record_command(output)))
    finally:
        sink.stop()
    return profiling.parse(output.read_text(), profiling.MAIL_WORK).summary()
