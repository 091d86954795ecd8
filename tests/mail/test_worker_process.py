"""A real worker process, killed with SIGKILL in the middle of a batch, loses no mail."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from petition.mail.worker import deliver_due
from tests.factories import make_campaign
from tests.mail.test_outbox import make_due_now, outbox, queue_signatures

ROOT = Path(__file__).resolve().parents[2]


def test_worker_killed_mid_batch_loses_nothing(app, mailbox, database_uri):
    campaign = make_campaign()
    queue_signatures(campaign, 6)
    env = {
        **os.environ,
        "DATABASE_URL": database_uri,
        "SECRET_KEY": "worker-process-test",
        "BASE_URL": "http://localhost",
        "MAIL_SERVER": mailbox.host,
        "MAIL_PORT": str(mailbox.port),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "petition", "outbox", "run", "--poll", "0.2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    arrived = []

    def kill_during_the_third() -> None:
        arrived.append(1)
        if len(arrived) == 3:
            os.kill(worker.pid, signal.SIGKILL)  # while the third message is in flight

    mailbox.during_delivery = kill_during_the_third
    assert worker.wait(timeout=60) == -signal.SIGKILL
    mailbox.during_delivery = None

    make_due_now()  # the dead worker's lease has run out
    deliver_due()  # a new worker takes over
    received = Counter(str(m["To"]) for m in mailbox.messages)
    assert set(received) == {f"signer{n}@example.org" for n in range(6)}
    assert sum(received.values()) <= 7  # only the in-flight message may arrive twice
    assert all(message.recipient is None for message in outbox())
