"""The five benchmarks of issue 7, in the order `python -m bench` runs them."""

from __future__ import annotations

from collections.abc import Callable

from bench.benchmarks import confirming, mail, reading, signing, sustained
from bench.harness import Harness
from bench.report import Result

Benchmark = Callable[[Harness], Result]

BENCHMARKS: dict[str, Benchmark] = {
    "signing": signing.run,
    "reading": reading.run,
    "confirming": confirming.run,
    "mail": mail.run,
    "sustained": sustained.run,
}
# The benchmarks that need the two gunicorn servers (mail runs the outbox worker directly).
WEB = frozenset({"signing", "reading", "confirming", "sustained"})
