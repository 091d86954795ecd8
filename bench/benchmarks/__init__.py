"""The benchmarks of issues 7, 5 and 17, in the order `python -m bench` runs them."""

from __future__ import annotations

from collections.abc import Callable

from bench.benchmarks import (
    confirming,
    exports,
    mail,
    package,
    reading,
    signing,
    sustained,
    updates,
)
from bench.harness import Harness
from bench.report import Result

Benchmark = Callable[[Harness], Result]

BENCHMARKS: dict[str, Benchmark] = {
    "signing": signing.run,
    "reading": reading.run,
    "confirming": confirming.run,
    "mail": mail.run,
    "sustained": sustained.run,
    "csv_export": exports.run,
    "package": package.run,
    "update_queue": updates.run,
}
# The benchmarks that need the two gunicorn servers (mail runs the outbox worker directly).
WEB = frozenset({"signing", "reading", "confirming", "sustained"})
