"""What the suite needs besides its Python packages. A missing one fails the tests that need
it with what to install or start, never a skip and never a bare traceback."""

from __future__ import annotations

import os
import shutil

import pytest
import redis

# The Debian package that puts each tool on the PATH (`.ci/run` installs them all).
PACKAGES = {
    "age": "age",
    "age-keygen": "age",
    "chromium": "chromium",
    "nginx": "nginx-light",
    "openssl": "openssl",
    "pdffonts": "poppler-utils",
    "pdftoppm": "poppler-utils",
    "pdftotext": "poppler-utils",
    "pg_dump": "postgresql-client",
    "pg_restore": "postgresql-client",
}

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def tool(name: str) -> str:
    """The path of a command-line tool the test needs; fails the test if it is missing."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin")
    if found is None:
        package = PACKAGES[name]
        pytest.fail(
            f"`{name}` is not installed: this test needs Debian's {package} "
            f"(apt-get install {package}; .ci/run installs it).",
            pytrace=False,
        )
    return found


def reachable_redis() -> str:
    """The suite's Redis URL (`TEST_REDIS_URL`, default database 15 on 127.0.0.1), once it
    answers; else the test fails saying how to start one."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.fail(
            f"Redis does not answer at {REDIS_URL} ({error}). Start one with `redis-server "
            '--daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no` '
            "(Debian: apt-get install redis-server), or set TEST_REDIS_URL.",
            pytrace=False,
        )
    return REDIS_URL
