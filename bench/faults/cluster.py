"""A private PostgreSQL cluster in a temporary directory, so a fault can stop and restart it
without touching the shared server."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from bench.environment import Database, HarnessError, free_port

BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DATABASE_NAME = "petition"


def _as_cluster_owner(command: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as `postgres` then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@dataclass
class PrivateCluster:
    folder: Path
    port: int

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "postgres.log"

    @classmethod
    def create(cls) -> PrivateCluster:
        """initdb in a new temporary directory and start on a free port of 127.0.0.1."""
        folder = Path(tempfile.mkdtemp(prefix="petition-fault-"))
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        cluster = cls(folder, free_port())
        try:
            cluster._pg(
                "initdb", "-D", str(cluster.data), "-U", "postgres", "--auth=trust",
                "--encoding=UTF8", "--locale=C", "--no-sync",
            )  # fmt: skip
            cluster.start()
        except BaseException:
            cluster.remove()
            raise
        return cluster

    def _pg(self, program: str, *args: str, timeout: float = 120) -> None:
        command = _as_cluster_owner([str(BIN / program), *args])
        done = subprocess.run(  # noqa: S603 - PostgreSQL's own programs, our arguments
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
        if done.returncode != 0:
            raise HarnessError(f"{program} {' '.join(args[:2])} failed:\n{done.stderr[-1500:]}")

    def _pg_ctl(self, action: str, *args: str) -> None:
        self._pg("pg_ctl", action, "-D", str(self.data), "-w", "-t", "60", *args)

    @property
    def _options(self) -> str:
        return f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"

    def start(self) -> None:
        self._pg_ctl("start", "-l", str(self.log), "-o", self._options)

    def stop(self) -> None:
        self._pg_ctl("stop", "-m", "fast")

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast", "-l", str(self.log), "-o", self._options)

    def create_database(self) -> Database:
        admin = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))
        url = f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE_NAME}"
        # Not "owned": the whole cluster goes, not just the database.
        return Database(url, DATABASE_NAME, owned=False)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def remove(self) -> None:
        """Stop the server (whatever state it is in) and delete the directory."""
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():
            try:
                self._pg("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
            except (HarnessError, subprocess.TimeoutExpired):
                self._kill_postmaster(pid_file)
        shutil.rmtree(self.folder, ignore_errors=True)

    @staticmethod
    def _kill_postmaster(pid_file: Path) -> None:
        try:
            pid = int(pid_file.read_text().split("\n", 1)[0])
            os.kill(pid, signal.SIGQUIT)  # the postmaster we started; immediate shutdown
        except (OSError, ValueError):
            pass
