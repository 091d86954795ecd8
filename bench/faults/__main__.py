"""`python -m bench.faults`: run the fault tests; exit 1 if a check failed, 2 if the harness
itself could not run; see bench/README.md."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable

from bench.environment import HarnessError
from bench.faults import postgres_restart

FAULTS: dict[str, Callable[[argparse.Namespace], bool]] = {
    "postgres-restart": lambda args: postgres_restart.run(
        postgres_restart.Options(sign_rate=args.rate, read_rate=args.read_rate, down=args.down)
    ),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__)
    parser.add_argument("--only", help=f"comma-separated, from: {', '.join(FAULTS)}")
    parser.add_argument("--rate", type=float, default=30.0, help="signing POSTs per second")
    parser.add_argument("--read-rate", type=float, default=10.0, help="page GETs per second")
    parser.add_argument("--down", type=float, default=3.0, help="seconds the database is down")
    args = parser.parse_args(argv)
    only = [name.strip() for name in (args.only or ",".join(FAULTS)).split(",") if name.strip()]
    unknown = [name for name in only if name not in FAULTS]
    if unknown:
        parser.error(f"unknown fault(s): {', '.join(unknown)}")
    failed = []
    for name in only:
        try:
            passed = FAULTS[name](args)
        except HarnessError as error:
            print(f"{name}: the harness failed: {error}", file=sys.stderr)
            return 2
        except Exception:  # any other failure of the harness: report it, exit 2
            traceback.print_exc()
            return 2
        if not passed:
            failed.append(name)
    print(f"\n{'FAILED: ' + ', '.join(failed) if failed else 'all faults handled'}")
    return 1 if failed else 0


raise SystemExit(main())
