"""Issue 5: a delivery package for 100,000 named signers and 500 organisations."""

from __future__ import annotations

from bench import delivery
from bench.harness import Harness
from bench.report import Result


def run(harness: Harness) -> Result:
    figures = delivery.run(delivery.SECONDS_GOAL)
    result = Result("package", "Delivery package: 100,000 named signers, 500 organisations")
    result.require("time <= 20 s", bool(figures["met"]["time"]))
    result.require("memory <= 400 MB", bool(figures["met"]["memory"]))
    result.checks.update(figures)
    result.notes.append(delivery.render(figures))
    return result
