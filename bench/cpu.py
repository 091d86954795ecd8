"""CPU seconds spent by a gunicorn process tree and by one database's PostgreSQL backends.

Read from /proc, so the split "Python in the web workers / PostgreSQL / load generator" per
request comes without instrumenting the app. Workers that gunicorn recycles mid-run
(`max_requests`, every ~5,000 requests) are counted through the master, which reaps them:
their CPU moves into its "children" time.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float, float] | None:
    """(parent pid, own CPU seconds, CPU seconds of its reaped children) of a live process."""
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = raw.rsplit(")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) / TICKS
    return int(fields[1]), own, (int(fields[13]) + int(fields[14])) / TICKS


def _pids() -> list[int]:
    return [int(entry.name) for entry in PROC.iterdir() if entry.name.isdigit()]


def tree_cpu(root: int) -> float:
    """CPU seconds of `root` (gunicorn's master), its live children (the workers) and the
    children it has reaped: a total that only grows, whatever workers come and go."""
    total = 0.0
    for pid in _pids():
        stat = _stat(pid)
        if stat and pid == root:
            total += stat[1] + stat[2]
        elif stat and stat[0] == root:
            total += stat[1]
    return total


def database_cpu(database: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend connected to `database`."""
    found = {}
    marker = f" {database} "
    for pid in _pids():
        try:
            title = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, UnicodeDecodeError):
            continue
        if title.startswith("postgres: ") and marker in title:
            stat = _stat(pid)
            if stat:
                found[pid] = stat[1]
    return found


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two snapshots of backends; those born in between count from zero
    (the pools keep their connections, so none is expected to end)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def machine_busy() -> float:
    """CPU seconds the whole machine has spent not idle since boot (all cores)."""
    fields = (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]
    # user, nice, system, idle, iowait, irq, softirq, steal: all but idle and iowait count.
    busy = [int(value) for index, value in enumerate(fields[:8]) if index not in (3, 4)]
    return sum(busy) / TICKS
