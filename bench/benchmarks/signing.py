"""1. Signing: full signing POSTs against a form post that does one INSERT and a commit."""

from __future__ import annotations

from bench.harness import Harness
from bench.report import Result

GOAL = 0.5
APP = "app POST sign"
BASELINE = "baseline POST /insert"


def run(harness: Harness) -> Result:
    app, baseline = harness.servers()
    emails = harness.scratch_file("signing-emails.txt")
    sign = harness.sign_workload("sign", harness.closed_forms())
    targets = [
        harness.target(BASELINE, baseline, {"kind": "insert"}),
        harness.target(APP, app, sign),
    ]
    rows = harness.load(harness.closed_spec(targets, labels_file=str(emails)))
    result = Result("signing", "1. Signing (CSRF, validation, insert, outbox row, redirect)", rows)
    result.compare("throughput", APP, BASELINE, GOAL)
    lost = harness.lost_signatures(emails)
    result.checks["signatures"] = lost
    result.require("nothing lost (every redirect has its row and its mail)", lost_none(lost))
    result.require("no 5xx", rows[APP]["server_errors"] == 0)
    if harness.options.profile:
        forms = harness.closed_forms(rounds=1, seconds=harness.profile_seconds)
        profile_sign = harness.sign_workload("sign-profile", forms)
        summary = harness.profile("signing", harness.target(APP, app, profile_sign))
        result.profiles[APP] = summary
    return result


def lost_none(counts: dict[str, int]) -> bool:
    return counts["lost"] == 0 and counts["mail_missing"] == 0
