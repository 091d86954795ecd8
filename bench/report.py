"""Results: a table on the terminal and bench/results/<name>.json for the record."""

from __future__ import annotations

import json
import math
import os
import platform
import runpy
import subprocess
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from bench import profiling
from bench.environment import RESULTS, ROOT


@dataclass
class Comparison:
    """One app figure against its baseline, with the goal the issue sets."""

    label: str
    app: str
    baseline: str
    ratio: float
    goal: float
    # The same ratio from CPU per request (app processes + PostgreSQL): what the throughput
    # ratio tends to when the CPU is the limit, and unmoved by other processes' load.
    cpu_ratio: float = math.nan

    @property
    def met(self) -> bool:
        return not math.isnan(self.ratio) and self.ratio >= self.goal


@dataclass
class Result:
    name: str
    title: str
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    comparisons: list[Comparison] = field(default_factory=list)
    requirements: dict[str, bool] = field(default_factory=dict)
    checks: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    profiles: dict[str, profiling.Summary] = field(default_factory=dict)

    def compare(self, label: str, app: str, baseline: str, goal: float, key: str = "rps") -> None:
        app_rate, base_rate = self.rows[app][key], self.rows[baseline][key]
        ratio = app_rate / base_rate if base_rate else math.nan
        app_cost, base_cost = cpu_cost(self.rows[app]), cpu_cost(self.rows[baseline])
        cpu_ratio = base_cost / app_cost if app_cost else math.nan
        self.comparisons.append(Comparison(label, app, baseline, ratio, goal, cpu_ratio))

    def require(self, label: str, passed: bool) -> None:
        """A goal that is a yes or no (nothing lost, no 5xx) rather than a ratio."""
        self.requirements[label] = passed

    @property
    def goals_met(self) -> bool:
        met = [comparison.met for comparison in self.comparisons]
        return all(met) and all(self.requirements.values())


def cpu_cost(row: dict[str, Any]) -> float:
    """CPU ms per request of the server processes and the database (not the load generator)."""
    split = row.get("cpu_ms_per_request", {})
    return float(split.get("server", math.nan)) + float(split.get("database", 0.0))


def machine() -> dict[str, Any]:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH, read-only
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    server = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "gunicorn": {key: server[key] for key in ("workers", "threads", "worker_class")},
        "commit": commit,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }


def _number(value: Any, digits: int = 1) -> str:
    if isinstance(value, float):
        return "-" if math.isnan(value) else f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


COLUMNS = (
    ("target", 24),
    ("req/s", 9),
    ("p50 ms", 8),
    ("p99 ms", 8),
    ("requests", 9),
    ("5xx", 5),
    ("wrong", 6),
    ("cpu ms/req app|db|gen", 22),
    ("others", 6),
)
BUSY_NEIGHBOURS = 0.3  # cores used by other processes above which a result is flagged


def _row(name: str, row: dict[str, Any]) -> list[str]:
    latency = row.get("latency_ms", {})
    cpu = row.get("cpu_ms_per_request", {})
    split = "|".join(_number(cpu.get(part, math.nan), 2) for part in ("server", "database", "load"))
    return [
        name,
        _number(row.get("rps", math.nan)),
        _number(latency.get("p50", math.nan)),
        _number(latency.get("p99", math.nan)),
        _number(row.get("requests", "-")),
        _number(row.get("server_errors", "-")),
        _number(row.get("unexpected", 0) + row.get("failures", 0)),
        split,
        _number(row.get("neighbour_cores", math.nan), 2),
    ]


def render(result: Result) -> str:
    lines = [f"== {result.title} =="]
    lines.append("  ".join(title.rjust(width) for title, width in COLUMNS))
    for name, row in result.rows.items():
        cells = _row(name, row)
        lines.append(
            "  ".join(cell.rjust(width) for cell, (_, width) in zip(cells, COLUMNS, strict=True))
        )
    for comparison in result.comparisons:
        verdict = "met" if comparison.met else "MISSED"
        lines.append(
            f"  {comparison.label}: {comparison.app} / {comparison.baseline} = "
            f"{comparison.ratio:.1%} (goal >= {comparison.goal:.0%}): {verdict};"
            f" from CPU per request: {comparison.cpu_ratio:.1%}"
        )
    for label, passed in result.requirements.items():
        lines.append(f"  {label}: {'met' if passed else 'MISSED'}")
    lines.extend(f"  {name}: {value}" for name, value in result.checks.items())
    busiest = max((row.get("neighbour_cores", 0.0) for row in result.rows.values()), default=0.0)
    if busiest > BUSY_NEIGHBOURS:
        lines.append(
            f"  note: other processes kept up to {busiest:.1f} of the machine's cores busy"
            " meanwhile; rates are lower and noisier than on a quiet machine"
        )
    lines.extend(f"  note: {note}" for note in result.notes)
    for name, profile in result.profiles.items():
        lines.append(profiling.render(name, profile))
    return "\n".join(lines)


def save(result: Result) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    record = asdict(result)
    for comparison, saved in zip(result.comparisons, record["comparisons"], strict=True):
        saved["met"] = comparison.met
    record["goals_met"] = result.goals_met
    record["machine"] = machine()
    path = RESULTS / f"{result.name}.json"
    path.write_text(json.dumps(record, indent=2, default=str) + "\n")
