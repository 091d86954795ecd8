"""`python -m bench` (or `make bench`): the benchmarks of issue 7; see bench/README.md."""

from bench.cli import main

raise SystemExit(main())
