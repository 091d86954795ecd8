"""The mail baseline: one SMTP connection, the same message bytes to N recipients.

`python -m bench.smtp_loop PORT COUNT MESSAGE_FILE` prints JSON: sent, seconds.
"""

from __future__ import annotations

import json
import resource
import smtplib
import sys
import time
from pathlib import Path

SENDER = "no-reply@localhost"


def send_all(port: int, count: int, message: bytes) -> dict[str, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for index in range(count):
            smtp.sendmail(SENDER, [f"bench-loop-{index}@example.org"], message)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    return {"handled": count, "seconds": seconds, "cpu_seconds": cpu}


if __name__ == "__main__":
    port, count, path = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    print(json.dumps(send_all(port, count, path.read_bytes())))
