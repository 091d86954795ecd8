"""5. Sustained: signing at a fixed rate for a while; no 5xx and no lost signature.

Open loop: requests leave on a fixed schedule whatever the server does, and latency counts
from the moment each was due. `--rate` and `--seconds` pick the load; `--full` is the
issue's 300 requests per second for 5 minutes.
"""

from __future__ import annotations

from bench.benchmarks.signing import lost_none
from bench.harness import Harness
from bench.report import Result

APP = "app POST sign (open loop)"
HELD = 0.98  # share of the planned requests answered within the run for the rate to count as held


def run(harness: Harness) -> Result:
    app, _ = harness.servers()
    options = harness.options
    emails = harness.scratch_file("sustained-emails.txt")
    planned = int(options.rate * options.sustained_seconds)
    users = options.sustained_concurrency
    sign = harness.sign_workload("sustained", planned + users, users)
    spec = {
        "mode": "open",
        "targets": [harness.target(APP, app, sign)],
        "concurrency": options.sustained_concurrency,
        "seconds": options.sustained_seconds,
        "rate": options.rate,
        "database": harness.database.name,
        "labels_file": str(emails),
    }
    rows = harness.load(spec)
    row = rows[APP]
    title = f"5. Sustained signing at {options.rate:g}/s for {options.sustained_seconds:g} s"
    result = Result("sustained", title, rows)
    result.settings.update(rate=options.rate, seconds=options.sustained_seconds, planned=planned)
    lost = harness.lost_signatures(emails)
    result.checks["signatures"] = lost
    answered_ok = row["all_requests"] - row["unexpected"]
    result.checks["planned / answered 302"] = f"{planned} / {answered_ok}"
    result.checks["achieved rate"] = round(row["rps"], 1)
    result.require(f"rate held ({HELD:.0%} answered in time)", row["rps"] >= HELD * options.rate)
    result.require("no 5xx", row["server_errors"] == 0)
    result.require("nothing lost (every redirect has its row and its mail)", lost_none(lost))
    if options.profile:
        forms = harness.closed_forms(rounds=1, seconds=harness.profile_seconds)
        again = harness.sign_workload("sustained-profile", forms)
        summary = harness.profile("sustained", harness.target(APP, app, again))
        result.profiles[APP] = summary
    return result
