"""CPU seconds spent by a gunicorn process tree and by one database's PostgreSQL backends.

Read from /proc, so the split "Python in the web workers / PostgreSQL / load generator" per
request comes without instrumenting the app. Workers that gunicorn recycles mid-run
(`max_requests`) take their last seconds with them, so the figures are slight under-counts.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, user + system CPU seconds) of a live process."""
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = raw.rsplit(")", 1)[1].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


def _pids() -> list[int]:
    return [int(entry.name) for entry in PROC.iterdir() if entry.name.isdigit()]


def tree_cpu(root: int) -> dict[int, float]:
    """CPU seconds of `root` and its direct children (gunicorn's master and workers)."""
    found = {}
    for pid in _pids():
        stat = _stat(pid)
        if stat and (pid == root or stat[0] == root):
            found[pid] = stat[1]
    return found


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
    """CPU seconds between two snapshots; processes born in between count from zero."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def machine_busy() -> float:
    """CPU seconds the whole machine has spent not idle since boot (all cores)."""
    fields = (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]
    # user, nice, system, idle, iowait, irq, softirq, steal: all but idle and iowait count.
    busy = [int(value) for index, value in enumerate(fields[:8]) if index not in (3, 4)]
    return sum(busy) / TICKS
