"""Duplicate submissions racing each other make one record."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from petition.extensions import db
from petition.models import LinkToken, OutboxMessage, Signature, SignatureStatus
from tests.factories import make_campaign
from tests.pages import hidden_inputs, link_in, path_of, send_mail, sign

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


CONFIRMERS = 20


def test_racing_confirmations_through_every_link_confirm_once(app, mailbox):
    """A signer with several links (one per attempt) presses confirm in many tabs at once."""
    make_campaign()
    signer = app.test_client()
    for _ in range(app.config["CONFIRM_LINKS_PER_SIGNATURE"]):
        sign(signer, email="many.tabs@example.org")
    send_mail()
    links = [path_of(link_in(mailbox.text_of(m))) for m in mailbox.to("many.tabs@example.org")]
    clients = [app.test_client() for _ in range(CONFIRMERS)]
    forms = [
        hidden_inputs(c.get(links[i % len(links)]).get_data(as_text=True))
        for i, c in enumerate(clients)
    ]
    start = threading.Barrier(CONFIRMERS)
    statuses: list[int] = []
    lock = threading.Lock()

    def confirm(index: int) -> None:
        start.wait()
        response = clients[index].post(links[index % len(links)], data=forms[index])
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(CONFIRMERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert statuses == [302] * CONFIRMERS  # every tab is thanked
    db.session.expire_all()
    [signature] = db.session.scalars(select(Signature))
    assert signature.status is SignatureStatus.CONFIRMED
    used = select(func.count()).where(LinkToken.used_at.is_not(None))
    assert db.session.scalar(used) == 1  # confirmed by exactly one of them
