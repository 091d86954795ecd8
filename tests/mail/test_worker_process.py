"""A real worker process, killed with SIGKILL in the middle of a batch, loses no mail."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from petition.mail.sending import deliver_due
from petition.models import OutboxStatus
from tests.factories import make_campaign
from tests.mail.test_outbox import make_due_now, outbox, queue_signatures
from tests.mail.test_poison_messages import queue_poison

ROOT = Path(__file__).resolve().parents[2]


def worker_environment(mailbox, database_uri: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_uri,
        "SECRET_KEY": "worker-process-test",
        "BASE_URL": "http://localhost",
        "MAIL_SERVER": mailbox.host,
        "MAIL_PORT": str(mailbox.port),
    }


WORKER = [sys.executable, "-m", "flask", "--app", "petition", "outbox", "run"]


def test_worker_killed_mid_batch_loses_nothing(app, mailbox, database_uri):
    campaign = make_campaign()
    queue_signatures(campaign, 6)
    worker = subprocess.Popen(  # noqa: S603 - the fixed command WORKER
        [*WORKER, "--poll", "0.2"],
        env=worker_environment(mailbox, database_uri),
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


def test_poison_messages_do_not_stop_the_worker_process(app, mailbox, database_uri):
    campaign = make_campaign()
    poison = queue_poison(campaign)
    queue_signatures(campaign, 2)
    worker = subprocess.run(  # noqa: S603 - the fixed command WORKER
        [*WORKER, "--once"],
        env=worker_environment(mailbox, database_uri),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert worker.returncode == 0, worker.stderr
    assert f"{len(poison) + 2} message(s) handled." in worker.stdout
    assert sorted(str(m["To"]) for m in mailbox.messages) == [
        "signer0@example.org",
        "signer1@example.org",
    ]
    assert {m.status for m in outbox() if m.id in poison} == {OutboxStatus.FAILED}
