"""Issue 17: queueing a campaign update to as many signers as the console sends to."""

from __future__ import annotations

from bench import update_queue
from bench.harness import Harness
from bench.report import Result


def run(harness: Harness) -> Result:
    figures = update_queue.run(update_queue.SIGNERS, rounds=max(harness.options.rounds, 3))
    result = Result(
        "update_queue",
        f"Queueing an update to {update_queue.SIGNERS:,} signers vs psycopg + pyrage (same run)",
    )
    result.require(f"time <= {update_queue.RATIO_GOAL}x baseline", bool(figures["ratio_met"]))
    result.checks.update(figures)
    result.notes.append(update_queue.report(figures))
    return result
