"""Production server settings: `gunicorn -c gunicorn.conf.py wsgi:app`."""

import multiprocessing
import os
from pathlib import Path

from prometheus_client import multiprocess

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Measured with `make bench` on 2 cores, PostgreSQL on the same host (signing POSTs per
# second, closed loop): 3 workers x 4 threads 596, 5 x 4 665, 5 x 2 604, 8 x 2 625 (an
# earlier round, at 5 ms of CPU a request: 2 x 4 168, 3 x 4 240, 5 x 4 335, 8 x 1 282).
# A request is mostly Python (about 2.3 ms of CPU) with waits on PostgreSQL and Redis in
# between: one process per core is not enough to keep the cores busy, a few threads per
# process fill the waits, and more processes than 2 x cores + 1 only add switching.
# gthread, not an async worker: the database driver and SMTP client block.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
# Signers may be at risk: the access log records no client address, no query string,
# no referrer and no user agent; %(U)s is the path with link tokens blanked out.
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
logger_class = "petition.access_log.RedactingLogger"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# With PROMETHEUS_MULTIPROC_DIR set, every worker keeps its metrics in files there and a
# scrape of /metrics adds them up (petition/metrics.py, deploy/README.md: Monitoring).
metrics_folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def on_starting(server):
    """Start from zero: the files of an earlier run's workers would count twice."""
    if metrics_folder:
        Path(metrics_folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(metrics_folder).glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    """A dead worker's live gauges no longer count (its counters stay in the totals)."""
    if metrics_folder:
        multiprocess.mark_process_dead(worker.pid)
