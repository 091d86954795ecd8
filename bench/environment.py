"""The world a benchmark runs in: its own PostgreSQL database and two gunicorn servers."""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
from psycopg import sql

from bench.baseline import CREATE_SCRATCH

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LOGS = RESULTS / "logs"
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SECRET_KEY = "bench-only"  # noqa: S105 - the brief's key for throwaway databases
# Settings that would change what is measured: mail goes to the outbox table only, and
# nothing runs in debug mode. (WEB_CONCURRENCY and GUNICORN_THREADS pass through, to compare
# server settings; both servers get the same.) Rate limits live in Redis, as in production
# (`deploy/`), under a key prefix of the run's own. Every virtual user comes from 127.0.0.1,
# where a real crowd comes from many addresses: the per-client limits on public forms are
# raised out of reach. The check itself still runs on every POST (its cost is measured).
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
OUT_OF_REACH = {
    "RATELIMIT_PUBLIC_BURST": "10000000 per minute",
    "RATELIMIT_PUBLIC_SUSTAINED": "100000000 per hour",
}
STRIPPED = (
    *("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_USERNAME"),
    *("MAIL_PASSWORD", "REDIS_URL", "FLASK_DEBUG"),
)


class HarnessError(Exception):
    """The benchmark could not be run (as opposed to: it ran and the app was slow)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Database:
    url: str
    name: str
    owned: bool

    @classmethod
    def create(cls) -> Database:
        """BENCH_DATABASE_URL when set (kept afterwards), else a new database (dropped)."""
        given = os.environ.get("BENCH_DATABASE_URL")
        if given:
            return cls(given, urlsplit(given).path.lstrip("/"), owned=False)
        admin = os.environ.get("BENCH_ADMIN_URL", ADMIN_URL)
        name = f"bench_{os.getpid()}_{secrets.token_hex(3)}"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return cls(urlunsplit(urlsplit(admin)._replace(path=f"/{name}")), name, owned=True)

    def drop(self) -> None:
        if not self.owned:
            return
        admin = os.environ.get("BENCH_ADMIN_URL", ADMIN_URL)
        with psycopg.connect(admin, autocommit=True) as connection:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            connection.execute(drop.format(sql.Identifier(self.name)))

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(self.url, autocommit=True)


def app_environment(database: Database, port: int, **extra: str) -> dict[str, str]:
    """The environment the app runs in, as an operator would set it."""
    env = {key: value for key, value in os.environ.items() if key not in STRIPPED}
    env.update(
        DATABASE_URL=database.url,
        SECRET_KEY=SECRET_KEY,
        BASE_URL=f"http://127.0.0.1:{port}",
        PORT=str(port),
        HOST="127.0.0.1",
        PYTHONPATH=str(ROOT),
    )
    env.update(OUT_OF_REACH)
    env.update(REDIS_URL=REDIS_URL, RATELIMIT_KEY_PREFIX=f"bench-{database.name}")
    env.update(extra)
    return env


def run_checked(command: list[str], env: dict[str, str], timeout: float = 300) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise HarnessError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def flask_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "petition", *args]


def require_redis() -> None:
    """The app's limits live in Redis; without it (the app lets requests through when its
    limit store fails) a benchmark would quietly measure no limit at all."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as error:
        raise HarnessError(f"Redis at {REDIS_URL} does not answer ({error})") from error


def prepare_database(database: Database) -> None:
    """Migrate, load the demo campaign, and make the baseline's scratch table."""
    require_redis()
    env = app_environment(database, 0)
    run_checked(flask_command("db", "upgrade"), env)
    run_checked(flask_command("demo", "load"), env)
    with database.connect() as connection:
        connection.execute(CREATE_SCRATCH.encode())


@dataclass
class Server:
    """A gunicorn server with the project's gunicorn.conf.py."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @classmethod
    def start(cls, name: str, wsgi: str, database: Database, probe: str) -> Server:
        port = free_port()
        LOGS.mkdir(parents=True, exist_ok=True)
        log = LOGS / f"{name}.log"
        command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), wsgi]
        with log.open("wb") as output:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                command,
                cwd=ROOT,
                env=app_environment(database, port),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = cls(name, port, process, log)
        server.wait_ready(probe)
        return server

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_ready(self, path: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise HarnessError(f"{self.name} exited:\n{self.log_tail()}")
            if self.get(path)[0] == 200:
                return
            time.sleep(0.2)
        raise HarnessError(f"{self.name} not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def get(self, path: str) -> tuple[int, bytes]:
        """One GET on a fresh connection; (0, b"") when nothing answers."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read()
        except OSError:
            return 0, b""
        finally:
            connection.close()

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def signatures_kept(database: Database, emails: list[str]) -> dict[str, int]:
    """Every POST that reached "check your email" must have its row and its queued mail.

    The signature's address is sealed, so the row is found through its queued mail, whose
    recipient waits in the outbox (no worker runs during the benchmark): a signature
    without its mail is lost to the signer all the same."""
    with database.connect() as connection:
        found = connection.execute(
            "SELECT count(DISTINCT s.id), count(DISTINCT o.recipient)"
            " FROM outbox_message o JOIN signature s ON s.id = o.signature_id"
            " WHERE o.recipient = ANY(%s)",
            (emails,),
        ).fetchone()
    rows, with_mail = found if found else (0, 0)
    return {
        "redirected": len(emails),
        "rows_found": rows,
        "lost": len(emails) - rows,
        "mail_missing": rows - with_mail,
    }
