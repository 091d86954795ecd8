"""`python -m bench`: make the world, run the benchmarks, print and save, clean up."""

from __future__ import annotations

import argparse
import secrets
import sys
import time
import traceback
from dataclasses import asdict

from bench.benchmarks import BENCHMARKS, WEB
from bench.environment import RESULTS, Database, HarnessError, Server, prepare_database
from bench.harness import Harness, Options
from bench.report import Result, render, save

DEFAULT_SECONDS = 10.0  # measured seconds per target, over all rounds
FULL_SECONDS = 30.0
DEFAULT_RATE, FULL_RATE = 100.0, 300.0
DEFAULT_SUSTAINED, FULL_SUSTAINED = 20.0, 300.0


def parse_options(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", help=f"comma-separated, from: {', '.join(BENCHMARKS)}")
    parser.add_argument("--seconds", type=float, help="measured seconds per target (and sustained)")
    parser.add_argument("--full", action="store_true", help="long runs: 300/s for 5 min sustained")
    parser.add_argument("--rate", type=float, help="sustained requests per second")
    parser.add_argument("--rounds", type=int, help="interleaved rounds per comparison")
    parser.add_argument("--concurrency", type=int, default=16, help="connections per target")
    parser.add_argument("--profile", action="store_true", help="sample the app with py-spy")
    args = parser.parse_args(argv)
    only = tuple(name.strip() for name in (args.only or ",".join(BENCHMARKS)).split(",") if name)
    unknown = [name for name in only if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    seconds = args.seconds or (FULL_SECONDS if args.full else DEFAULT_SECONDS)
    sustained = args.seconds or (FULL_SUSTAINED if args.full else DEFAULT_SUSTAINED)
    return Options(
        only=only,
        seconds=seconds,
        sustained_seconds=sustained,
        rate=args.rate or (FULL_RATE if args.full else DEFAULT_RATE),
        rounds=args.rounds or (3 if args.full else 2),
        warmup=1.0,
        concurrency=args.concurrency,
        sustained_concurrency=64,
        profile=args.profile,
    )


def start_servers(harness: Harness) -> None:
    harness.app = Server.start("app", "wsgi:app", harness.database, "/readyz")
    harness.baseline = Server.start(
        "baseline", "bench.baseline:create_baseline()", harness.database, "/hello"
    )


def stop_servers(harness: Harness) -> None:
    for server in (harness.app, harness.baseline):
        if server is not None:
            server.stop()


def report_dead_servers(harness: Harness) -> None:
    """A server that exited is the likeliest cause of a failure: say so, with its log."""
    for server in (harness.app, harness.baseline):
        if server is not None and server.process.poll() is not None:
            print(f"!! the {server.name} server has exited:\n{server.log_tail()}", file=sys.stderr)


def run_benchmarks(harness: Harness) -> tuple[list[Result], list[str]]:
    results, failures = [], []
    for name in harness.options.only:
        print(f"-- {name} ...", flush=True)
        started = time.monotonic()
        try:
            result = BENCHMARKS[name](harness)
        except Exception as error:  # any failure here is the harness's, not the app's figure
            failures.append(name)
            print(f"!! {name}: the harness failed: {error}", file=sys.stderr)
            traceback.print_exc()
            report_dead_servers(harness)
            continue
        result.settings.setdefault("seconds_taken", round(time.monotonic() - started, 1))
        result.settings.setdefault("options", asdict(harness.options))
        save(result)
        results.append(result)
        print(render(result), flush=True)
    return results, failures


def summary(results: list[Result]) -> str:
    lines = ["== Summary =="]
    for result in results:
        for comparison in result.comparisons:
            verdict = "met" if comparison.met else "MISSED"
            figures = f"{comparison.ratio:7.1%}  (goal >= {comparison.goal:.0%})"
            figures += f"  [cpu {comparison.cpu_ratio:6.1%}]"
            lines.append(f"  {result.name:11} {comparison.label:14} {figures}  {verdict}")
        for label, passed in result.requirements.items():
            lines.append(f"  {result.name:11} {label}: {'met' if passed else 'MISSED'}")
    lines.append(f"  results: {RESULTS}/<name>.json")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    database = Database.create()
    harness = Harness(options, database, run_id=f"r{secrets.token_hex(3)}")
    failures: list[str] = []
    try:
        prepare_database(database)
        if WEB.intersection(options.only):
            start_servers(harness)
        results, failures = run_benchmarks(harness)
        print(summary(results))
    except HarnessError as error:
        print(f"!! the harness failed: {error}", file=sys.stderr)
        return 1
    finally:
        stop_servers(harness)
        harness.remove_scratch()
        database.drop()
    return 1 if failures else 0
