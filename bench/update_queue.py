"""Queueing a large campaign update: what sending one costs against the bare work it has to do.

    .venv/bin/python -m bench.update_queue                    # 20,000 signers, 3 rounds
    .venv/bin/python -m bench.update_queue --signers 100000 --rounds 1

Seeds a fresh database `bench_updates_<random>` (on BENCH_ADMIN_URL's server, by default
postgresql://postgres@127.0.0.1:5432) with a campaign, a custodian key (its identity kept in
this process's memory only) and N confirmed signers in Ukrainian who asked for updates, each
with details sealed to the key as signing seals them. Then times, in alternating order each
round:

- baseline: the work an update cannot avoid, without the app: the recipients' (id, sealed)
  read by psycopg, each record opened by pyrage and its JSON read, one outbox row per
  recipient written by COPY (PostgreSQL's cheapest way in), one commit;
- app: `petition.signing.updates.send_update` as the console and `flask updates send` call
  it (the record under its idempotency key, in a savepoint; recipients opened and queued
  batch by batch; the audit event), then the commit.

After each side its outbox rows (and the app's update record and audit event) are deleted,
so every round starts from the same tables. The figure is the ratio of the medians, app
over baseline, in time and in CPU (this process and its PostgreSQL backends); both sides
open the same records with the same library, so the ratio is what the app adds around
that. Goal: at most 1.5x. Absolute times are printed for the record only: they differ
between machines, the ratios much less. Not a timed test. The database is dropped at the
end, whatever happened.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import psycopg
import pyrage
from pyrage import x25519
from sqlalchemy import event

from bench.csv_export import backend_cpu_seconds, fresh_database

SIGNERS = 20_000  # the console's default limit, UPDATE_CONSOLE_MAX_RECIPIENTS
RATIO_GOAL = 1.5  # app time / baseline time, at most
SLUG = "bench-updates"
SUBJECT = "Новини кампанії"
BODY = "Пакет передано Офісу Президента України.\n\nДякуємо, що підписали."

READ = """
SELECT id, sealed FROM signature
WHERE campaign_id = %(campaign)s AND status = 'confirmed' AND wants_updates
  AND lang = 'uk' AND sealed IS NOT NULL
ORDER BY id
"""
COPY_OUTBOX = (
    "COPY outbox_message (kind, lang, recipient, signature_id, payload, status, attempts,"
    " next_attempt_at, created_at) FROM STDIN"
)


def seed(app: Any, url: str, signers: int, identity: x25519.Identity) -> int:
    """Migrate; a campaign sealed to `identity`'s recipient, and `signers` consenting
    signers, each with details of their own sealed to it. The campaign's id."""
    from flask_migrate import upgrade  # noqa: PLC0415 - the app's tools, once it exists

    from petition.campaigns.custodians import add_custodian_key, recipients  # noqa: PLC0415
    from petition.extensions import db  # noqa: PLC0415
    from petition.models import Campaign, CampaignStatus, Display  # noqa: PLC0415
    from petition.personal import Details, person_columns  # noqa: PLC0415

    with app.app_context():
        upgrade()
        campaign = Campaign(slug=SLUG, status=CampaignStatus.OPEN)
        db.session.add(campaign)
        db.session.flush()
        add_custodian_key(campaign, str(identity.to_public()), actor=None)
        db.session.commit()
        campaign_id, sealed_to = campaign.id, recipients(campaign)
        db.engine.dispose()
    person = ("sealed", "public_name", "email_hash", "mailbox_hash", "email_domain")
    columns = ", ".join(
        ("campaign_id", *person, "country", "display", "wants_updates", "lang",
         "statement_sha256", "status", "links_sent", "created_at", "confirmed_at")
    )  # fmt: skip
    with (
        app.app_context(),
        psycopg.connect(url) as connection,
        connection.cursor() as cursor,
        cursor.copy(f"COPY signature ({columns}) FROM STDIN") as copy,
    ):
        for number in range(signers):
            details = Details(
                name=f"Олена Петренко {number}",
                email=f"signer{number:06d}@bench.example",
                city="Київ",
            )
            stored = person_columns(details, Display.INITIALS, sealed_to)
            copy.write_row(
                (campaign_id, *(stored[column] for column in person), "UA", "initials",
                 True, "uk", "0" * 64, "confirmed", 1, "2025-01-28T00:00:00Z",
                 "2025-01-28T00:05:00Z")
            )  # fmt: skip
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE signature")
    return campaign_id


def clear_queued(url: str) -> None:
    """Back to the seeded state: no outbox row, no update record, no audit event."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DELETE FROM outbox_message")
        connection.execute("DELETE FROM campaign_update")
        connection.execute("DELETE FROM audit_event")
        connection.execute("VACUUM ANALYZE outbox_message")


def time_baseline(url: str, campaign_id: int, identity: x25519.Identity) -> dict[str, float]:
    payload = json.dumps({"subject": SUBJECT, "body": BODY})
    started, cpu_started = time.perf_counter(), time.process_time()
    queued = 0
    with psycopg.connect(url) as connection:
        rows = connection.execute(READ, {"campaign": campaign_id}).fetchall()
        with connection.cursor() as cursor, cursor.copy(COPY_OUTBOX) as copy:
            now = "now"
            for signature_id, sealed in rows:
                record = json.loads(pyrage.decrypt(sealed, [identity]))
                copy.write_row(
                    ("campaign_update", "uk", record["email"], signature_id, payload,
                     "queued", 0, now, now)
                )  # fmt: skip
                queued += 1
        connection.commit()
        backend = backend_cpu_seconds(connection.info.backend_pid)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu_started + backend,
        "queued": queued,
    }


def time_app(
    app: Any, campaign_id: int, identity: x25519.Identity, backends: list[int]
) -> dict[str, float]:
    """`send_update` and its commit, on fresh connections (their backends' CPU counts)."""
    from petition.extensions import db  # noqa: PLC0415
    from petition.models import Campaign  # noqa: PLC0415
    from petition.signing.updates import new_idempotency_key, send_update  # noqa: PLC0415

    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        backends.clear()
        started, cpu_started = time.perf_counter(), time.process_time()
        campaign = db.session.get(Campaign, campaign_id)
        assert campaign is not None
        update = send_update(
            campaign,
            "uk",
            subject=SUBJECT,
            body=BODY,
            identity=identity,
            idempotency_key=new_idempotency_key(),
            actor=None,
        )
        db.session.commit()
        queued = update.recipients
        seconds = time.perf_counter() - started
        db.session.remove()
        backend = sum(backend_cpu_seconds(pid) for pid in backends)
        cpu = time.process_time() - cpu_started + backend
        db.engine.dispose()
    return {"seconds": seconds, "cpu_seconds": cpu, "queued": queued}


def run(signers: int = SIGNERS, *, rounds: int = 3) -> dict[str, Any]:
    """Seed, measure, drop; the figures as a dict (also what `main` prints)."""
    from petition import create_app  # noqa: PLC0415
    from petition.config import database_url  # noqa: PLC0415
    from petition.extensions import db  # noqa: PLC0415

    identity = x25519.Identity.generate()
    with fresh_database("bench_updates") as url:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": database_url(url, Path()), "SECRET_KEY": "bench-only"}
        )
        seeding = time.perf_counter()
        campaign_id = seed(app, url, signers, identity)
        seeded = time.perf_counter() - seeding
        backends: list[int] = []
        with app.app_context():
            event.listen(
                db.engine, "connect", lambda dbapi, record: backends.append(dbapi.info.backend_pid)
            )
        base: list[dict[str, float]] = []
        ours: list[dict[str, float]] = []
        time_baseline(url, campaign_id, identity)  # warm the cache: both read from memory
        clear_queued(url)
        for round_number in range(rounds):
            order = ("baseline", "app") if round_number % 2 == 0 else ("app", "baseline")
            for side in order:
                if side == "baseline":
                    base.append(time_baseline(url, campaign_id, identity))
                else:
                    ours.append(time_app(app, campaign_id, identity, backends))
                clear_queued(url)
        with app.app_context():
            db.engine.dispose()
    base_seconds = statistics.median(b["seconds"] for b in base)
    app_seconds = statistics.median(a["seconds"] for a in ours)
    base_cpu = statistics.median(b["cpu_seconds"] for b in base)
    app_cpu = statistics.median(a["cpu_seconds"] for a in ours)
    ratio = app_seconds / base_seconds
    return {
        "signers": signers,
        "rounds": rounds,
        "seed_seconds": round(seeded, 2),
        "baseline_seconds": round(base_seconds, 3),
        "app_seconds": round(app_seconds, 3),
        "baseline_queued": base[0]["queued"],
        "app_queued": ours[0]["queued"],
        "ratio": round(ratio, 2),
        "ratio_goal": RATIO_GOAL,
        "ratio_met": ratio <= RATIO_GOAL,
        "cpu_ratio": round(app_cpu / base_cpu, 2),
        "baseline_cpu_seconds": round(base_cpu, 3),
        "app_cpu_seconds": round(app_cpu, 3),
        "all_baseline_seconds": [round(b["seconds"], 3) for b in base],
        "all_app_seconds": [round(a["seconds"], 3) for a in ours],
    }


def report(result: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"Queueing an update to {result['signers']:,} signers "
            f"(median of {result['rounds']} rounds; seeded in {result['seed_seconds']} s)",
            f"  baseline (psycopg + pyrage + COPY)         {result['baseline_seconds']:8.3f} s"
            f"  {result['baseline_queued']:,} rows",
            f"  app (send_update + commit)                 {result['app_seconds']:8.3f} s"
            f"  {result['app_queued']:,} rows",
            f"  time ratio {result['ratio']:.2f}x (goal <= {RATIO_GOAL}x): "
            f"{'met' if result['ratio_met'] else 'MISSED'}; CPU (this process + PostgreSQL) "
            f"{result['cpu_ratio']:.2f}x",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.update_queue", description=__doc__)
    parser.add_argument("--signers", type=int, default=SIGNERS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)
    result = run(args.signers, rounds=args.rounds)
    print(report(result))
    if args.json:
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
