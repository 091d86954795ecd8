"""CSV export of N confirmed signatures against PostgreSQL's own `COPY … TO STDOUT WITH CSV`.

    .venv/bin/python -m bench.csv_export                # 1,000,000 rows, 3 rounds
    .venv/bin/python -m bench.csv_export --rows 100000 --rounds 1 --no-rows-path --profile

Seeds a fresh database `bench_csv_<random>` (on BENCH_ADMIN_URL's server, by default
postgresql://postgres@127.0.0.1:5432) with N confirmed signatures made by generate_series,
then times, in alternating order each round:

- baseline: `COPY (SELECT <the export's columns> FROM signature WHERE <its filters>
  ORDER BY id) TO STDOUT WITH CSV`, read to the end by psycopg;
- app: what `POST /staff/exports/download` does for a CSV (`start_export`: count, audit
  event, commit; then every chunk of `Export.stream()`), consumed in this process;
- rows (information only): the portable row-by-row writer (`Export.csv_rows_chunks`,
  used on SQLite), over the same rows.

Goals (issue 5): app time at most 2x the baseline's; the app's peak memory growth (RSS,
sampled every 5 ms) at most 150 MB. The figures are medians over the rounds. The database is
dropped at the end, whatever happened. Not a timed test: it prints figures and ratios.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import os
import pstats
import secrets
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from sqlalchemy import event

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
TIME_GOAL = 2.0  # app time / COPY time, at most
MEMORY_GOAL_MB = 150.0
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

SEED = """
INSERT INTO signature (campaign_id, name, email, email_normalised, country, city, display,
    wants_updates, lang, statement_sha256, status, links_sent, created_at, confirmed_at)
SELECT %(campaign)s,
    CASE WHEN n %% 997 = 0 THEN '=HYPERLINK("http://x","y")'
         ELSE (ARRAY['Олена', 'Pavel', 'Марія', 'Oleksandr', 'Пётр'])[1 + n %% 5]
              || ' ' || (ARRAY['Петренко', 'Smith', 'Коваль', 'Ivanov', 'Ёлкин'])[1 + n %% 7 %% 5]
              || ' ' || n
    END,
    'signer' || n || '@example.org', 'signer' || n || '@example.org',
    (ARRAY['UA', 'PL', 'DE', 'GB', 'US', 'FR', 'LT'])[1 + n %% 7],
    CASE WHEN n %% 3 = 0 THEN 'Київ' WHEN n %% 3 = 1 THEN 'Lviv' END,
    (ARRAY['full', 'full', 'initials', 'anonymous'])[1 + n %% 4],
    false, (ARRAY['uk', 'ru', 'en'])[1 + n %% 3], repeat('0', 64), 'confirmed', 1,
    timestamptz '2025-01-28 00:00:00+00' + n * interval '2 seconds',
    timestamptz '2025-01-28 00:05:00+00' + n * interval '2 seconds'
FROM generate_series(1, %(rows)s) AS n
"""


def admin_url() -> str:
    return os.environ.get("BENCH_ADMIN_URL", ADMIN_URL)


@contextmanager
def fresh_database(prefix: str = "bench_csv") -> Iterator[str]:
    """A new, empty database (dropped afterwards, whatever happened); yields its URL."""
    admin = admin_url()
    name = f"{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(admin)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            connection.execute(drop.format(sql.Identifier(name)))


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_BYTES


class PeakRss:
    """The highest RSS of this process while the block runs, sampled every 5 ms."""

    def __init__(self) -> None:
        self.start = self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, rss_bytes())

    def __enter__(self) -> PeakRss:
        self.start = self.peak = rss_bytes()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) / 2**20


def seed(app: Any, url: str, rows: int) -> tuple[int, int]:
    """Migrate, add a campaign, an exporter and `rows` confirmed signatures; their ids."""
    from flask_migrate import upgrade  # noqa: PLC0415 - the app's tools, once it exists

    from petition.extensions import db  # noqa: PLC0415
    from petition.models import Campaign, CampaignStatus, Role  # noqa: PLC0415
    from petition.staff.auth import add_staff  # noqa: PLC0415

    with app.app_context():
        upgrade()
        campaign = Campaign(slug="bench-csv", status=CampaignStatus.OPEN)
        db.session.add(campaign)
        exporter = add_staff("exporter@bench.example.org", Role.EXPORTER).user
        db.session.commit()
        ids = campaign.id, exporter.id
        db.engine.dispose()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(SEED, {"campaign": ids[0], "rows": rows})
        connection.execute("VACUUM ANALYZE signature")
    return ids


BASELINE_COLUMNS = (
    # The export's columns as stored; country_name is the one PostgreSQL does not hold, so the
    # country code stands in for it. No formatting, no formula guard, no anonymity rule:
    # PostgreSQL's cheapest CSV of the same rows.
    "id, name, country, country, city, display, status, lang, created_at, confirmed_at"
)


def baseline_statement(campaign_id: int) -> str:
    from petition.exports import ExportKind, columns_for  # noqa: PLC0415

    exported = columns_for(ExportKind.SIGNATURES, include_emails=False)
    assert len(exported) == len(BASELINE_COLUMNS.split(",")), "the export's columns changed"
    query = f"SELECT {BASELINE_COLUMNS} FROM signature WHERE campaign_id = {int(campaign_id)}"  # noqa: S608 - a constant and an int
    return f"COPY ({query} AND status = 'confirmed' ORDER BY id) TO STDOUT WITH CSV"


def backend_cpu_seconds(pid: int) -> float:
    """CPU time a PostgreSQL backend has used so far (it runs on this machine)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def time_baseline(url: str, statement: str) -> dict[str, float]:
    with PeakRss() as memory:
        started, cpu_started = time.perf_counter(), time.process_time()
        with psycopg.connect(url) as connection:
            size = 0
            with connection.cursor().copy(statement) as copy:
                for data in copy:
                    size += len(data)
            backend = backend_cpu_seconds(connection.info.backend_pid)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started + backend
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "bytes": size,
        "rss_growth_mb": memory.growth_mb,
    }


def time_app(
    app: Any,
    campaign_id: int,
    actor_id: int,
    *,
    rows_path: bool,
    backends: list[int],
    profile: bool = False,
) -> dict[str, float]:
    """The export as the route makes it, on fresh connections (their backends' CPU counts)."""
    from petition.exports import (  # noqa: PLC0415
        ExportFilter,
        ExportKind,
        ExportRequest,
        start_export,
    )
    from petition.extensions import db  # noqa: PLC0415
    from petition.models import SignatureStatus, StaffUser  # noqa: PLC0415

    wanted = ExportRequest(
        ExportFilter(ExportKind.SIGNATURES, campaign_id, SignatureStatus.CONFIRMED)
    )
    profiler = cProfile.Profile() if profile else None
    with app.app_context():
        actor = db.session.get(StaffUser, actor_id)
        assert actor is not None
        db.session.expunge(actor)
        db.session.remove()
        db.engine.dispose()
        backends.clear()
        with PeakRss() as memory:
            started, cpu_started = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            export = start_export(wanted, actor=actor, lang="en")
            chunks: Callable[[], Iterator[bytes]] = (
                export.csv_rows_chunks if rows_path else export.stream
            )
            size = 0
            try:
                for chunk in chunks():
                    size += len(chunk)
            finally:
                export.close()
            if profiler:
                profiler.disable()
            seconds = time.perf_counter() - started
            db.session.remove()
            backend = sum(backend_cpu_seconds(pid) for pid in backends)
            cpu = time.process_time() - cpu_started + backend
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print(out.getvalue())
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "bytes": size,
        "rows": export.row_count,
        "rss_growth_mb": memory.growth_mb,
    }


def run(
    rows: int = 1_000_000, *, rounds: int = 3, rows_path: bool = True, profile: bool = False
) -> dict[str, Any]:
    """Seed, measure, drop; the figures as a dict (also what `__main__` prints)."""
    from petition import create_app  # noqa: PLC0415
    from petition.config import database_url  # noqa: PLC0415

    with fresh_database() as url:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": database_url(url, Path()), "SECRET_KEY": "bench-only"}
        )
        seeding = time.perf_counter()
        campaign_id, actor_id = seed(app, url, rows)
        seeded = time.perf_counter() - seeding
        statement = baseline_statement(campaign_id)
        backends: list[int] = []
        with app.app_context():
            from petition.extensions import db  # noqa: PLC0415

            event.listen(
                db.engine, "connect", lambda dbapi, record: backends.append(dbapi.info.backend_pid)
            )
        base: list[dict[str, float]] = []
        ours: list[dict[str, float]] = []
        by_rows: list[dict[str, float]] = []
        time_baseline(url, statement)  # warm the cache: both sides read from memory
        for round_number in range(rounds):
            order = ("baseline", "app") if round_number % 2 == 0 else ("app", "baseline")
            for side in order:
                if side == "baseline":
                    base.append(time_baseline(url, statement))
                else:
                    ours.append(
                        time_app(app, campaign_id, actor_id, rows_path=False, backends=backends)
                    )
        if rows_path:
            by_rows.append(time_app(app, campaign_id, actor_id, rows_path=True, backends=backends))
        if profile:
            time_app(app, campaign_id, actor_id, rows_path=False, backends=backends, profile=True)
        with app.app_context():
            db.engine.dispose()

    base_seconds = statistics.median(b["seconds"] for b in base)
    app_seconds = statistics.median(a["seconds"] for a in ours)
    app_memory = max(a["rss_growth_mb"] for a in ours)
    ratio = app_seconds / base_seconds
    cpu_ratio = statistics.median(a["cpu_seconds"] for a in ours) / statistics.median(
        b["cpu_seconds"] for b in base
    )
    result: dict[str, Any] = {
        "rows": rows,
        "rounds": rounds,
        "seed_seconds": round(seeded, 2),
        "baseline_copy_seconds": round(base_seconds, 3),
        "baseline_bytes": base[0]["bytes"],
        "app_seconds": round(app_seconds, 3),
        "app_bytes": ours[0]["bytes"],
        "app_rows": ours[0]["rows"],
        "ratio": round(ratio, 2),
        "ratio_goal": TIME_GOAL,
        "ratio_met": ratio <= TIME_GOAL,
        # Client and PostgreSQL CPU: the same comparison, unmoved by other processes' load.
        "cpu_ratio": round(cpu_ratio, 2),
        "baseline_cpu_seconds": round(statistics.median(b["cpu_seconds"] for b in base), 3),
        "app_cpu_seconds": round(statistics.median(a["cpu_seconds"] for a in ours), 3),
        "app_peak_rss_growth_mb": round(app_memory, 1),
        "memory_goal_mb": MEMORY_GOAL_MB,
        "memory_met": app_memory <= MEMORY_GOAL_MB,
        "all_baseline_seconds": [round(b["seconds"], 3) for b in base],
        "all_app_seconds": [round(a["seconds"], 3) for a in ours],
    }
    if by_rows:
        result |= {
            "rows_path_seconds": round(by_rows[0]["seconds"], 3),
            "rows_path_ratio": round(by_rows[0]["seconds"] / base_seconds, 2),
            "rows_path_peak_rss_growth_mb": round(by_rows[0]["rss_growth_mb"], 1),
            "rows_path_bytes": by_rows[0]["bytes"],
        }
    return result


def report(result: dict[str, Any]) -> str:
    lines = [
        f"CSV export of {result['rows']:,} confirmed signatures "
        f"(median of {result['rounds']} rounds; seeded in {result['seed_seconds']} s)",
        f"  PostgreSQL COPY … TO STDOUT WITH CSV  {result['baseline_copy_seconds']:8.3f} s"
        f"  {result['baseline_bytes'] / 2**20:7.1f} MiB",
        f"  app export (what the route streams)  {result['app_seconds']:8.3f} s"
        f"  {result['app_bytes'] / 2**20:7.1f} MiB"
        f"  peak RSS +{result['app_peak_rss_growth_mb']} MB",
        f"  time ratio {result['ratio']:.2f}x (goal <= {TIME_GOAL:.0f}x): "
        f"{'met' if result['ratio_met'] else 'MISSED'}; CPU (this process + PostgreSQL) "
        f"{result['app_cpu_seconds']:.2f} s vs {result['baseline_cpu_seconds']:.2f} s = "
        f"{result['cpu_ratio']:.2f}x",
        f"  memory +{result['app_peak_rss_growth_mb']} MB (goal <= {MEMORY_GOAL_MB:.0f} MB): "
        f"{'met' if result['memory_met'] else 'MISSED'}",
    ]
    if "rows_path_seconds" in result:
        lines.append(
            f"  row-by-row writer (SQLite's way, information only) "
            f"{result['rows_path_seconds']:.3f} s = {result['rows_path_ratio']:.2f}x, "
            f"peak RSS +{result['rows_path_peak_rss_growth_mb']} MB"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.csv_export", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-rows-path", action="store_true", help="skip the row-by-row run")
    parser.add_argument("--profile", action="store_true", help="cProfile one more app run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)
    result = run(
        args.rows, rounds=args.rounds, rows_path=not args.no_rows_path, profile=args.profile
    )
    print(report(result))
    if args.json:
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
