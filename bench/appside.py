"""Steps that run inside the app, against the benchmark's database, in a process of their own.

`python -m bench.appside COMMAND ...` with the app's environment (see environment.py):

- `tokens N FILE`: N pending signatures, each with a confirmation token; raw tokens to FILE.
- `queue-mail N PREFIX`: N signing requests through the signing service, so N queued mails.
- `deliver`: time `petition.mail.sending.deliver_due()`; prints JSON.
- `sample-mail FILE PREFIX`: the bytes of one confirmation mail, as the worker builds it.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from petition import create_app
from petition.campaigns.custodians import recipients
from petition.campaigns.services import get_public
from petition.campaigns.signable import signable
from petition.extensions import db
from petition.models import Campaign, Display, OutboxMessage, Signature, TokenPurpose
from petition.personal import Details, person_columns
from petition.signing.services import SignatureRequest, request_signature
from petition.tokens import issue_token

SLUG = "people-first"
BATCH = 500


def campaign() -> Campaign:
    return get_public(SLUG)


def pending_signature(found: Campaign, email: str) -> Signature:
    details = Details(name="Bench Confirmer", email=email)
    return Signature(
        campaign=found,
        **person_columns(details, Display.ANONYMOUS, recipients(found)),
        country="UA",
        display=Display.ANONYMOUS,
        lang="en",
        statement_sha256=found.text("en").sha256,
        links_sent=1,
    )


def make_tokens(count: int, prefix: str) -> list[str]:
    found = campaign()
    hours = 72
    tokens = []
    for index in range(count):
        signature = pending_signature(found, f"{prefix}-{index}@example.org")
        db.session.add(signature)
        tokens.append(issue_token(TokenPurpose.CONFIRM_SIGNATURE, signature, hours=hours))
        if len(tokens) % BATCH == 0:
            db.session.commit()
    db.session.commit()
    return tokens


def queue_mail(count: int, prefix: str) -> None:
    sha256 = campaign().text("en").sha256
    kept = signable(SLUG, sha256, "en")
    for index in range(count):
        wish = SignatureRequest(
            name="Bench Mail",
            email=f"{prefix}-{index}@example.org",
            country="UA",
            city=None,
            display=Display.ANONYMOUS,
            wants_updates=False,
            lang="en",
            statement_sha256=sha256,
        )
        request_signature(kept, wish, client_hash=None)
        if (index + 1) % BATCH == 0:
            db.session.commit()
    db.session.commit()


def deliver() -> dict[str, float]:
    from petition.mail.sending import deliver_due  # noqa: PLC0415 - the one thing timed here

    usage = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    handled = deliver_due()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    return {"handled": handled, "seconds": seconds, "cpu_seconds": cpu}


def sample_mail(prefix: str) -> bytes:
    """One real confirmation mail, built by the worker's own builder; nothing is kept."""
    from petition.mail.messages import BUILDERS  # noqa: PLC0415
    from petition.mail.transport import build_message  # noqa: PLC0415

    queue_mail(1, prefix)
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == f"{prefix}-0@example.org")
    ).first()
    if message is None or message.signature is None:
        raise SystemExit("the sample mail was not queued")
    raw = bytes(build_message(BUILDERS[message.kind](message)).as_bytes())
    db.session.rollback()  # the token the builder issued
    db.session.delete(db.session.get(Signature, message.signature_id))  # and its outbox row
    db.session.commit()
    return raw


def run(app: Flask, command: str, args: list[str]) -> None:
    with app.app_context():
        if command == "tokens":
            Path(args[1]).write_text(json.dumps(make_tokens(int(args[0]), args[2])))
        elif command == "queue-mail":
            queue_mail(int(args[0]), args[1])
        elif command == "deliver":
            print(json.dumps(deliver()))
        elif command == "sample-mail":
            Path(args[0]).write_bytes(sample_mail(args[1]))
        else:
            raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    run(create_app(), sys.argv[1], sys.argv[2:])
