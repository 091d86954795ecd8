"""3. Confirming: confirm POSTs against the same one-INSERT form post.

Set-up makes pending signatures and their tokens through the app's own models and
`petition.tokens.issue_token`, so each POST confirms a different, real signature.
"""

from __future__ import annotations

import json
import math

from bench.harness import Harness
from bench.report import Result

GOAL = 0.5
APP = "app POST confirm"
BASELINE = "baseline POST /insert"
# More tokens than this machine can confirm per second: a run should never run dry (if it
# does, the rate is taken over the time until the last token and the table says so).
TOKENS_PER_SECOND = 1200
COUNTS_TTL = 10.0


def make_tokens(harness: Harness, count: int, name: str) -> list[str]:
    path = harness.scratch_file(f"{name}-tokens.json")
    harness.appside("tokens", str(count), str(path), f"{harness.run_id}-{name}")
    tokens: list[str] = json.loads(path.read_text())
    path.unlink()
    return tokens


def token_budget(harness: Harness) -> int:
    options = harness.options
    seconds = options.rounds * (options.warmup + options.round_seconds)
    return math.ceil(TOKENS_PER_SECOND * seconds) + options.concurrency


def run(harness: Harness) -> Result:
    app, baseline = harness.servers()
    tokens = make_tokens(harness, token_budget(harness), "confirm")
    confirmed_before = harness.confirmed_in_database()
    targets = [
        harness.target(BASELINE, baseline, {"kind": "insert"}),
        harness.target(APP, app, {"kind": "confirm", "lang": "en", "tokens": tokens}),
    ]
    if harness.options.rounds % 2 == 0:
        targets.reverse()  # the app runs last, so the counts check starts right after it
    rows = harness.load(harness.closed_spec(targets))
    result = Result("confirming", "3. Confirming (token look-up, lock, update, redirect)", rows)
    result.compare("throughput", APP, BASELINE, GOAL)
    accepted = rows[APP]["statuses"].get("302", 0)
    recorded = harness.confirmed_in_database() - confirmed_before
    result.checks["confirmations"] = {"redirected": accepted, "recorded": recorded}
    result.require("every redirected confirmation recorded", recorded == accepted)
    result.require("no 5xx", rows[APP]["server_errors"] == 0)
    if rows[APP]["exhausted"]:
        result.notes.append("the tokens ran out: the rate is over the time until the last one")
    stale = harness.counts_staleness(since=rows[APP]["ended_at"])
    label = "seconds from the last confirmation until every worker's count is right"
    result.checks[label] = None if stale is None else round(stale, 1)
    counts_right = stale is not None and stale <= COUNTS_TTL
    result.require(f"public counts right within {COUNTS_TTL:.0f} s", counts_right)
    if harness.options.profile:
        more = make_tokens(harness, token_budget(harness), "confirm-profile")
        target = harness.target(APP, app, {"kind": "confirm", "lang": "en", "tokens": more})
        summary = harness.profile("confirming", target)
        result.profiles[APP] = summary
    return result
