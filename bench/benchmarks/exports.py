"""Issue 5: CSV export of 1,000,000 confirmed signatures against PostgreSQL's own COPY."""

from __future__ import annotations

from bench import csv_export
from bench.harness import Harness
from bench.report import Result


def run(harness: Harness) -> Result:
    figures = csv_export.run()
    result = Result("csv_export", "CSV export of 1,000,000 signatures vs COPY (same run)")
    result.require("time <= 2x COPY", bool(figures["ratio_met"]))
    result.require("memory <= 150 MB", bool(figures["memory_met"]))
    result.checks.update(figures)
    result.notes.append(csv_export.report(figures))
    return result
