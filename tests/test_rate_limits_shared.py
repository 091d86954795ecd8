"""Limits hold across gunicorn workers when they share Redis."""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis

from tests.pages import hidden_inputs

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path, redis_url):
    """The production server (gunicorn, two worker processes) on a migrated SQLite file."""
    prefix = f"test-{secrets.token_hex(4)}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.db'}",
        "SECRET_KEY": "shared-limits-test",
        "REDIS_URL": redis_url,
        "RATELIMIT_KEY_PREFIX": prefix,
        "RATELIMIT_PUBLIC_BURST": "5 per minute",
        "SIGN_MIN_SECONDS": "0",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "1",
        "PORT": str(free_port()),
    }
    flask = [sys.executable, "-m", "flask", "--app", "petition"]
    for args in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run(  # noqa: S603 - our own commands, fixed arguments
            [*flask, *args], env=env, cwd=ROOT, check=True, capture_output=True
        )
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port = int(env["PORT"])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield port
    process.terminate()
    process.wait(timeout=10)
    store = redis.Redis.from_url(redis_url)
    keys = list(store.scan_iter(f"*{prefix}*"))
    assert keys, "the limits were not kept in Redis"
    store.delete(*keys)


def request(port: int, method: str, path: str, body: str = "", cookie: str = ""):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.getheader("Set-Cookie") or "", response.read().decode()


def test_the_burst_limit_is_shared_by_every_worker(server):
    statuses = []
    for number in range(8):
        # A new connection each time, so the requests spread over both workers.
        _, cookie, page = request(server, "GET", "/en/people-first/sign")
        form = {
            **hidden_inputs(page),
            "name": f"Shared {number}",
            "email": f"shared{number}@example.org",
            "country": "UA",
            "display": "anonymous",
        }
        status, _, _ = request(
            server, "POST", "/en/people-first/sign", urlencode(form), cookie.split(";")[0]
        )
        statuses.append(status)
    assert statuses == [302] * 5 + [429] * 3
