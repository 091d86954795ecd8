"""The load generator, a process of its own: `python -m bench.load < spec.json > result.json`.

Targets only 127.0.0.1, with a bounded number of connections, for a bounded time. Two modes:

- closed: `concurrency` users per target send back to back for `warmup + seconds`, in
  `rounds` rounds; targets take turns (A B, then B A, ...) so that a neighbour's load on this
  shared machine falls on both sides of a comparison.
- open: one target at a fixed `rate` for `seconds`; latency counts from the moment each
  request was due, so a server that falls behind shows it (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import resource
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import cpu
from bench.client import Connection, ProtocolError, Response
from bench.workloads import Outgoing, VirtualUser, Workload, build_workload

REQUEST_TIMEOUT = 35.0  # a little over gunicorn's worker timeout
GRACE = 30.0  # how long past its planned end a run may take before it is cut off
FAILURES = (OSError, EOFError, asyncio.IncompleteReadError, ProtocolError, TimeoutError)


@dataclass
class Target:
    name: str
    port: int
    workload: Workload
    master_pid: int | None
    users: list[VirtualUser] = field(default_factory=list)


@dataclass
class Spec:
    mode: str
    targets: list[Target]
    concurrency: int
    seconds: float
    warmup: float
    rounds: int
    rate: float
    database: str | None
    labels_file: str | None
    ready_file: str | None

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Spec:
        targets = [
            Target(t["name"], t["port"], build_workload(t["workload"]), t.get("master_pid"))
            for t in raw["targets"]
        ]
        return cls(
            mode=raw["mode"],
            targets=targets,
            concurrency=raw["concurrency"],
            seconds=raw["seconds"],
            warmup=raw.get("warmup", 1.0),
            rounds=raw.get("rounds", 1),
            rate=raw.get("rate", 0.0),
            database=raw.get("database"),
            labels_file=raw.get("labels_file"),
            ready_file=raw.get("ready_file"),
        )


@dataclass
class Tally:
    """Everything one target's runs observed."""

    measured: int = 0
    measured_seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    unexpected: int = 0
    failures: int = 0
    failure_samples: list[str] = field(default_factory=list)
    exhausted: bool = False
    not_sent: int = 0
    round_rates: list[float] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    total: int = 0
    cpu_server: float = 0.0
    cpu_database: float = 0.0
    cpu_load: float = 0.0
    cpu_machine: float = 0.0
    wall: float = 0.0
    ended_at: float = 0.0  # wall-clock time of the end of this target's last run

    def fail(self, error: BaseException) -> None:
        self.failures += 1
        if len(self.failure_samples) < 5:
            self.failure_samples.append(f"{type(error).__name__}: {error}"[:200])

    def answer(self, outgoing: Outgoing, response: Response, ok: bool, keep_label: bool) -> None:
        self.total += 1
        self.statuses[response.status] += 1
        if not ok:
            self.unexpected += 1
            if len(self.failure_samples) < 5:
                detail = f"{outgoing.method} {outgoing.path[:40]} -> {response.status}"
                self.failure_samples.append(f"{detail} {response.location}"[:200])
        elif keep_label and outgoing.label:
            self.labels.append(outgoing.label)


def percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def summarise(tally: Tally) -> dict[str, Any]:
    ordered = sorted(tally.latencies)
    per_request = 1000.0 / tally.total if tally.total else math.nan
    ours = tally.cpu_server + tally.cpu_database + tally.cpu_load
    return {
        "requests": tally.measured,
        "seconds": round(tally.measured_seconds, 3),
        "rps": tally.measured / tally.measured_seconds if tally.measured_seconds else 0.0,
        "round_rps": [round(rate, 1) for rate in tally.round_rates],
        "latency_ms": {
            "p50": percentile(ordered, 0.50) * 1000,
            "p90": percentile(ordered, 0.90) * 1000,
            "p99": percentile(ordered, 0.99) * 1000,
            "max": (ordered[-1] if ordered else math.nan) * 1000,
        },
        "all_requests": tally.total,
        "statuses": {str(code): n for code, n in sorted(tally.statuses.items())},
        "server_errors": sum(n for code, n in tally.statuses.items() if code >= 500),
        "unexpected": tally.unexpected,
        "failures": tally.failures,
        "samples": tally.failure_samples,
        "exhausted": tally.exhausted,
        "not_sent": tally.not_sent,
        "ended_at": tally.ended_at,
        "cpu_ms_per_request": {
            "server": tally.cpu_server * per_request,
            "database": tally.cpu_database * per_request,
            "load": tally.cpu_load * per_request,
        },
        # Cores kept busy by everything else on the machine meanwhile (other people's tests).
        "neighbour_cores": max(0.0, tally.cpu_machine - ours) / tally.wall if tally.wall else 0.0,
    }


Snapshot = tuple[float, dict[int, float], float, float, float]


def snapshot(target: Target, database: str | None) -> Snapshot:
    """CPU so far of the target's gunicorn tree, the database's backends, this process and
    the whole machine, and the time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    server = cpu.tree_cpu(target.master_pid) if target.master_pid else 0.0
    backends = cpu.database_cpu(database) if database else {}
    own = usage.ru_utime + usage.ru_stime
    return server, backends, own, cpu.machine_busy(), time.monotonic()


@contextmanager
def cpu_charged_to(tally: Tally, target: Target, database: str | None) -> Iterator[None]:
    before = snapshot(target, database)
    yield
    after = snapshot(target, database)
    tally.cpu_server += after[0] - before[0]
    tally.cpu_database += cpu.spent(before[1], after[1])
    tally.cpu_load += after[2] - before[2]
    tally.cpu_machine += after[3] - before[3]
    tally.wall += after[4] - before[4]
    tally.ended_at = time.time()


async def send(user: VirtualUser, outgoing: Outgoing) -> Response:
    request = user.connection.request(
        outgoing.method, outgoing.path, headers=outgoing.headers, body=outgoing.body
    )
    return await asyncio.wait_for(request, REQUEST_TIMEOUT)


async def prepare(spec: Spec) -> None:
    """Make each target's users and let them fetch their forms; wait out the forms' age."""
    for target in spec.targets:
        target.users = [
            VirtualUser(index, target.port, Connection(target.port))
            for index in range(spec.concurrency)
        ]
        await asyncio.gather(*(target.workload.prepare(user) for user in target.users))
        for user in target.users:
            await user.connection.close()
    wait = max(target.workload.ready_after for target in spec.targets)
    await asyncio.sleep(wait)


async def closed_run(target: Target, tally: Tally, seconds: float, warmup: float) -> None:
    loop = asyncio.get_running_loop()
    start = loop.time()
    measure_from, stop_at = start + warmup, start + warmup + seconds
    last_done = measure_from
    measured_before = tally.measured

    async def drive(user: VirtualUser) -> None:
        nonlocal last_done
        while loop.time() < stop_at:
            outgoing = target.workload.next_request(user)
            if outgoing is None:
                tally.exhausted = True
                return
            sent = loop.time()
            try:
                response = await send(user, outgoing)
            except FAILURES as error:
                tally.fail(error)
                await user.connection.close()
                continue
            done = loop.time()
            ok = target.workload.accepted(outgoing, response)
            tally.answer(outgoing, response, ok, target.workload.records_labels)
            if measure_from <= done <= stop_at:
                tally.measured += 1
                last_done = max(last_done, done)
                if sent >= measure_from:
                    tally.latencies.append(done - sent)

    try:
        users = asyncio.gather(*(drive(user) for user in target.users))
        await asyncio.wait_for(users, warmup + seconds + GRACE)
    finally:
        for user in target.users:
            await user.connection.close()
    window = (last_done if tally.exhausted else stop_at) - measure_from
    tally.measured_seconds += window
    if window > 0:
        tally.round_rates.append((tally.measured - measured_before) / window)


async def open_run(target: Target, tally: Tally, rate: float, seconds: float) -> None:
    loop = asyncio.get_running_loop()
    planned = int(rate * seconds)
    start = loop.time() + 0.05
    deadline = start + seconds + GRACE
    turns = itertools.count()
    last_done = start

    async def drive(user: VirtualUser) -> None:
        nonlocal last_done
        while (index := next(turns)) < planned:
            due = start + index / rate
            await asyncio.sleep(max(0.0, due - loop.time()))
            if loop.time() > deadline:
                tally.not_sent += 1
                continue
            outgoing = target.workload.next_request(user)
            if outgoing is None:
                tally.exhausted = True
                return
            try:
                response = await send(user, outgoing)
            except FAILURES as error:
                tally.fail(error)
                await user.connection.close()
                continue
            done = loop.time()
            ok = target.workload.accepted(outgoing, response)
            tally.answer(outgoing, response, ok, target.workload.records_labels)
            tally.measured += 1
            tally.latencies.append(done - due)
            last_done = max(last_done, done)

    try:
        await asyncio.gather(*(drive(u) for u in target.users))
    finally:
        for user in target.users:
            await user.connection.close()
    tally.measured_seconds = max(last_done - start, seconds)
    tally.round_rates.append(tally.measured / tally.measured_seconds)


async def run(spec: Spec) -> dict[str, Any]:
    await prepare(spec)
    if spec.ready_file:
        Path(spec.ready_file).touch()  # the harness may start sampling the servers now
    tallies = {target.name: Tally() for target in spec.targets}
    if spec.mode == "open":
        target = spec.targets[0]
        with cpu_charged_to(tallies[target.name], target, spec.database):
            await open_run(target, tallies[target.name], spec.rate, spec.seconds)
    else:
        for round_number in range(spec.rounds):
            order = spec.targets if round_number % 2 == 0 else spec.targets[::-1]
            for target in order:
                tally = tallies[target.name]
                with cpu_charged_to(tally, target, spec.database):
                    await closed_run(target, tally, spec.seconds, spec.warmup)
    if spec.labels_file:
        labels = [label for tally in tallies.values() for label in tally.labels]
        Path(spec.labels_file).write_text("\n".join(labels) + "\n")
    return {name: summarise(tally) for name, tally in tallies.items()}


def main() -> int:
    spec = Spec.parse(json.load(sys.stdin))
    json.dump(asyncio.run(run(spec)), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
