"""2. Reading: the campaign page and the public API against a one-line template."""

from __future__ import annotations

from bench.harness import SLUG, Harness
from bench.report import Result

GOAL = 0.7
BASELINE = "baseline GET /hello"
PAGE = "app GET campaign page"
API = "app GET API campaign"
PATHS = {PAGE: f"/en/{SLUG}/", API: f"/api/v1/campaigns/{SLUG}"}


def run(harness: Harness) -> Result:
    app, baseline = harness.servers()
    targets = [
        harness.target(BASELINE, baseline, {"kind": "get", "paths": ["/hello"]}),
        *(
            harness.target(name, app, {"kind": "get", "paths": [path]})
            for name, path in PATHS.items()
        ),
    ]
    rows = harness.load(harness.closed_spec(targets))
    result = Result("reading", "2. Reading (campaign page, API) against a one-line template", rows)
    result.compare("campaign page", PAGE, BASELINE, GOAL)
    result.compare("API", API, BASELINE, GOAL)
    result.require("no 5xx", all(rows[name]["server_errors"] == 0 for name in PATHS))
    if harness.options.profile:
        for name, path in PATHS.items():
            key = "reading-page" if name == PAGE else "reading-api"
            summary = harness.profile(
                key, harness.target(name, app, {"kind": "get", "paths": [path]})
            )
            result.profiles[name] = summary
    return result
