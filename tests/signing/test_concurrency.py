"""Duplicate submissions racing each other make one record."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from petition.extensions import db
from petition.models import OutboxMessage, Signature
from tests.factories import make_campaign
from tests.pages import hidden_inputs

SUBMITTERS = 100


def test_concurrent_identical_submissions_make_one_signature(app):
    make_campaign()
    clients = [app.test_client() for _ in range(SUBMITTERS)]
    forms = [
        {
            **hidden_inputs(c.get("/en/free-them/sign").get_data(as_text=True)),
            "name": "Same Person",
            "email": "same.person@example.org",
            "country": "MD",
            "display": "initials",
        }
        for c in clients
    ]
    start = threading.Barrier(SUBMITTERS)
    statuses: list[int] = []
    lock = threading.Lock()

    def submit(index: int) -> None:
        start.wait()
        # From many addresses, as a replayed form would come: no rate limit steps in.
        address = f"10.{index // 250}.{index % 250}.1"
        response = clients[index].post(
            "/en/free-them/sign", data=forms[index], environ_base={"REMOTE_ADDR": address}
        )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(SUBMITTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert statuses == [302] * SUBMITTERS
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 1
    mails = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert 1 <= mails <= app.config["CONFIRM_LINKS_PER_SIGNATURE"]
