"""Delivery package benchmark (issue 5): one package for one target of a campaign with
100,000 named signers and 500 organisations, at most 20 s and 400 MB peak memory.

`python -m bench.delivery [--seconds 20] [--out DIR]`, or `run(seconds_budget)` from Python.

1. Creates a database `bench_delivery_<random>` on PostgreSQL (as user postgres at
   127.0.0.1, through psql; `BENCH_PSQL_HOST`/`BENCH_PSQL_USER` override) and drops it at
   the end, whatever happened.
2. A child process migrates it, loads the demo campaign, gives it a custodian key (the
   identity is thrown away: nothing here unseals), and adds signers and organisations.
   Signatures have the columns signing gives them (`person_columns`: details sealed to the
   custodian, the shown name, the address's hashes and domain) and are written by COPY.
   Each distinct name is sealed once and its record reused (see `_seed_signatures`).
3. Another child process builds the package for the Office of the President of Ukraine (a
   party that receives names: Cyrillic country names, a Ukrainian letter, every annex)
   exactly as `flask deliver` does, then reports its own peak RSS
   (`getrusage`): what is measured is the build, in a process of its own, imports included.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIGNERS = 100_000
ORGANISATIONS = 500
SECONDS_GOAL = 20
MEGABYTES_GOAL = 400
SLUG = "people-first"
TARGET = "Office of the President of Ukraine"
DAYS = 120
HOST = os.environ.get("BENCH_PSQL_HOST", "127.0.0.1")
USER = os.environ.get("BENCH_PSQL_USER", "postgres")

# fmt: off
FIRST = (
    "Олена", "Андрій", "Марія", "Тарас", "Оксана", "Дмитро", "Ірина", "Сергій", "Юлія",
    "Богдан", "Анна", "Ігор", "Наталія", "Дмитрий", "Екатерина", "Алексей", "Ольга", "Михаил",
    "Татьяна", "Иван", "Светлана", "Пётр", "Ёлка", "Игнат", "Anna", "Jan", "Maria", "Peter",
    "Sophie", "Lukas", "Emma", "Tomasz", "Agnieszka", "John", "Claire", "Mateusz", "Ingrid",
)
LAST = (
    "Петренко", "Коваленко", "Шевченко", "Бондаренко", "Ткаченко", "Кравченко", "Олійник",
    "Ґудзь", "Їжакевич", "Иванов", "Смирнова", "Кузнецов", "Попова", "Соколов", "Лебедева",
    "Новиков", "Щукина", "Подъячев", "Schmidt", "Kowalski", "Nowak", "Müller", "Dubois",
    "Smith", "Jones", "Andersson", "Novák", "Kazlauskas", "Bērziņš",
)
COUNTRIES = (
    ("UA", 40), ("RU", 12), ("PL", 6), ("DE", 6), ("GB", 4), ("US", 4), ("FR", 3), ("LT", 3),
    ("LV", 2), ("EE", 2), ("GE", 2), ("MD", 2), ("CZ", 2), ("IT", 1), ("ES", 1), ("NL", 1),
    ("SE", 1), ("FI", 1), ("NO", 1), ("IL", 1), ("CA", 1), ("AM", 1), ("KZ", 1), ("BY", 1),
)
# fmt: on


def psql(sql: str) -> None:
    subprocess.run(  # noqa: S603 - Debian's psql with our own statement
        ["/usr/bin/psql", "-h", HOST, "-U", USER, "-d", "postgres", "-v", "ON_ERROR_STOP=1",
         "-q", "-c", sql],
        check=True,
        capture_output=True,
    )  # fmt: skip


def child(*args: str) -> dict[str, Any]:
    """Run a step of this module in a fresh interpreter; its last output line is JSON."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SECRET_KEY": "bench-only"}
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.delivery", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.delivery {args[0]} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(seconds_budget: int = SECONDS_GOAL, out: Path | None = None) -> dict[str, Any]:
    """Seed a fresh database, build one package, and report time and peak memory."""
    name = f"bench_delivery_{secrets.token_hex(4)}"
    url = f"postgresql://{USER}@{HOST}:5432/{name}"
    # After the demo's organisations are approved (now), before anything else happens.
    cutoff = (datetime.now(UTC) + timedelta(minutes=10)).replace(microsecond=0).isoformat()
    psql(f'CREATE DATABASE "{name}"')
    try:
        seeded = child("seed", url, cutoff)
        with tempfile.TemporaryDirectory(prefix="bench-delivery-") as scratch:
            folder = out or Path(scratch)
            started = time.perf_counter()
            built = child("build", url, cutoff, str(folder))
            process_seconds = time.perf_counter() - started
    finally:
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    peak = built["peak_rss_mb"]
    return {
        "name": "delivery",
        "signers": seeded["signers"],
        "organisations": seeded["organisations"],
        "seed_seconds": seeded["seconds"],
        "seed_signers_seconds": seeded["signers_seconds"],
        "build_seconds": built["seconds"],
        "build_cpu_seconds": built["cpu_seconds"],
        "process_seconds": round(process_seconds, 2),
        "peak_rss_mb": peak,
        "build_peak_rss_mb": built["build_peak_rss_mb"],
        "rss_before_build_mb": built["rss_before_mb"],
        "counts": built["counts"],
        "file_bytes": built["file_bytes"],
        "seconds_goal": seconds_budget,
        "megabytes_goal": MEGABYTES_GOAL,
        "met": {
            "time": built["seconds"] <= seconds_budget,
            "memory": peak <= MEGABYTES_GOAL,
        },
    }


# --- the steps, each in its own process --------------------------------------------------


def _app(url: str) -> Any:
    from petition import create_app  # noqa: PLC0415 - the parent never imports the app
    from petition.config import database_url  # noqa: PLC0415

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url(url, ROOT), "SECRET_KEY": "x"})


def seed(url: str, cutoff: datetime) -> dict[str, Any]:
    from flask_migrate import upgrade  # noqa: PLC0415
    from sqlalchemy import text  # noqa: PLC0415

    from petition.campaigns.custodians import add_custodian_key  # noqa: PLC0415
    from petition.demo import load_demo  # noqa: PLC0415
    from petition.extensions import db  # noqa: PLC0415
    from petition.sealing import new_identity, recipient_of  # noqa: PLC0415

    started = time.perf_counter()
    app = _app(url)
    with app.app_context():
        upgrade()
        campaign = load_demo()
        add_custodian_key(campaign, recipient_of(new_identity()), actor=None)
        db.session.commit()
        rng = random.Random(5)
        organisations = _seed_organisations(campaign, rng, cutoff)
        db.session.commit()
        signers_started = time.perf_counter()
        _seed_signatures(campaign, rng, cutoff)
        signers_seconds = time.perf_counter() - signers_started
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return {
        "signers": SIGNERS,
        "organisations": organisations,
        "seconds": round(time.perf_counter() - started, 2),
        "signers_seconds": round(signers_seconds, 2),
    }


def _seed_organisations(campaign: Any, rng: random.Random, cutoff: datetime) -> int:
    from sqlalchemy import func, select  # noqa: PLC0415

    from petition.extensions import db  # noqa: PLC0415
    from petition.models import (  # noqa: PLC0415
        Listing,
        Organisation,
        OrganisationKind,
        OrganisationStatus,
    )

    existing = db.session.scalar(select(func.count()).select_from(Organisation)) or 0
    kinds = list(OrganisationKind)
    decided = cutoff - timedelta(days=DAYS)
    for number in range(ORGANISATIONS - existing):
        country = rng.choice([code for code, _ in COUNTRIES])
        db.session.add(
            Organisation(
                campaign=campaign,
                name=f"Civic Initiative {number:03d} {rng.choice(LAST)}",
                name_original=f"Громадська ініціатива «{rng.choice(LAST)}»" if number % 3 else None,
                country=country,
                kind=rng.choice(kinds),
                listing=Listing.COUNTED if number % 10 == 0 else Listing.PUBLIC,
                status=OrganisationStatus.APPROVED,
                lang="en",
                statement_sha256="0" * 64,
                rep_name="Bench Representative",
                rep_email=f"rep{number}@bench.example",
                rep_email_normalised=f"rep{number}@bench.example",
                confirmed_at=decided,
                reviewed_at=decided + timedelta(hours=number % 48),
            )
        )
    return ORGANISATIONS


def _seed_signatures(campaign: Any, rng: random.Random, cutoff: datetime) -> None:
    """100,000 confirmed signers with their own address hashes. Sealing each one would add
    some 20 s to the setup and nothing to the figures (a build never reads a sealed record),
    so each of the ~1,000 distinct names is sealed once, with a stand-in address, and its
    record shared: the rows hold what signing writes, at the size signing writes it."""
    from petition.campaigns.custodians import recipients  # noqa: PLC0415
    from petition.extensions import db  # noqa: PLC0415
    from petition.models import Display  # noqa: PLC0415
    from petition.personal import Details, email_hash, mailbox_hash, person_columns  # noqa: PLC0415

    sealed_to = recipients(campaign)
    sha256 = campaign.text("en").sha256
    codes = [code for code, _ in COUNTRIES]
    weights = [weight for _, weight in COUNTRIES]
    person = ("sealed", "public_name", "email_hash", "mailbox_hash", "email_domain")
    columns = ", ".join(
        ("campaign_id", *person, "country", "display", "wants_updates", "lang",
         "statement_sha256", "status", "links_sent", "created_at", "confirmed_at")
    )  # fmt: skip
    by_name: dict[str, dict[str, Any]] = {}
    raw = db.engine.raw_connection()
    try:
        connection = raw.driver_connection
        with (
            connection.cursor() as cursor,
            cursor.copy(  # type: ignore[union-attr]
                f"COPY signature ({columns}) FROM STDIN"
            ) as copy,
        ):
            for number in range(SIGNERS):
                confirmed = cutoff - timedelta(seconds=1 + rng.randrange(DAYS * 86_400))
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                if name not in by_name:
                    stand_in = Details(name=name, email="signer00000@bench.example")
                    by_name[name] = person_columns(stand_in, Display.FULL, sealed_to)
                email = f"signer{number:05d}@bench.example"
                stored = {
                    **by_name[name],
                    "email_hash": email_hash(email),
                    "mailbox_hash": mailbox_hash(email),
                }
                copy.write_row(
                    (campaign.id, *(stored[column] for column in person),
                     rng.choices(codes, weights)[0], "full", False, "uk", sha256, "confirmed", 1,
                     confirmed, confirmed)
                )  # fmt: skip
        raw.commit()
    finally:
        raw.close()


def proc_status(field: str) -> float:
    """A /proc/self/status memory figure (VmRSS, VmHWM) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def reset_peak() -> None:
    """Start VmHWM afresh (Linux ≥ 4.0): the app's start-up peak is not the build's.

    (getrusage's ru_maxrss follows the reset too, so read it before.)
    """
    Path("/proc/self/clear_refs").write_text("5")


def build(url: str, cutoff: datetime, out: str) -> dict[str, Any]:
    from sqlalchemy import select  # noqa: PLC0415

    from petition.delivery.package import build_package, find_campaign  # noqa: PLC0415
    from petition.extensions import db  # noqa: PLC0415
    from petition.models import Target  # noqa: PLC0415

    app = _app(url)
    with app.app_context():
        campaign = find_campaign(SLUG)
        target = db.session.scalar(select(Target).where(Target.name == TARGET))
        start_up_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        reset_peak()
        before = proc_status("VmRSS")
        cpu = time.process_time()
        started = time.perf_counter()
        package = build_package(campaign, target, cutoff=cutoff, out_dir=Path(out))
        db.session.commit()
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        build_peak = proc_status("VmHWM")
        folder = Path(package.folder or "")
        counts = dict(package.counts)
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "rss_before_mb": round(before, 1),
        "build_peak_rss_mb": round(build_peak, 1),
        "peak_rss_mb": round(max(start_up_peak, build_peak), 1),
        "counts": counts,
        "file_bytes": {path.name: path.stat().st_size for path in sorted(folder.iterdir())},
    }


def render(result: dict[str, Any]) -> str:
    verdict = {True: "met", False: "MISSED"}
    seconds, megabytes = result["seconds_goal"], result["megabytes_goal"]
    files = ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in result["file_bytes"].items())
    return "\n".join(
        [
            f"== delivery: one package, {result['signers']:,} named signers, "
            f"{result['organisations']} organisations ==",
            f"  build wall      {result['build_seconds']:6.2f} s   (goal <= {seconds} s)  "
            + verdict[result["met"]["time"]],
            f"  build CPU       {result['build_cpu_seconds']:6.2f} s   (this process only)",
            f"  peak RSS        {result['peak_rss_mb']:6.1f} MB  (goal <= {megabytes} MB, "
            f"whole process)  {verdict[result['met']['memory']]}",
            f"  build peak RSS  {result['build_peak_rss_mb']:6.1f} MB  "
            f"(from {result['rss_before_build_mb']:.1f} MB before the build)",
            f"  whole process   {result['process_seconds']:6.2f} s   (start-up included)",
            f"  seeding         {result['seed_seconds']:6.2f} s   "
            f"({result['seed_signers_seconds']:.2f} s sealing and copying the signers)",
            f"  files: {files}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.delivery", description=__doc__)
    parser.add_argument("step", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=int, default=SECONDS_GOAL, help="time goal")
    parser.add_argument("--out", type=Path, help="keep the package in this folder")
    args = parser.parse_args(argv)
    if args.step[:1] == ["seed"]:
        print(json.dumps(seed(args.step[1], datetime.fromisoformat(args.step[2]))))
    elif args.step[:1] == ["build"]:
        step = args.step
        print(json.dumps(build(step[1], datetime.fromisoformat(step[2]), step[3])))
    else:
        result = run(args.seconds, args.out)
        print(render(result))
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
