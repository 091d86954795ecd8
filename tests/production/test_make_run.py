"""`make run` serves the whole product and logs like production: no address, no token."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

from tests.production.processes import Process, Visitor, free_port

ROOT = Path(__file__).resolve().parents[2]
REQUEST_LINE = re.compile(r'"(GET|POST|HEAD) [^"]*"')


def wait_for_mail(folder: Path, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = sorted(folder.glob("*.eml"))
        if found:
            return found[0].read_text()
        time.sleep(0.2)
    raise AssertionError(f"no mail saved in {folder}")


def first_staff_link(env: dict[str, str], origin: str) -> str:
    """`make staff`, in another terminal (no PORT set there), as the README says: its link
    points where `make run` serves."""
    elsewhere = {key: value for key, value in env.items() if key != "PORT"}
    command = ["make", "staff", "EMAIL=first-admin@example.org", "ROLE=admin"]
    made = subprocess.run(  # noqa: S603 - our own Makefile, fixed arguments
        command, env=elsewhere, cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert made.returncode == 0, made.stderr
    [link] = re.findall(r"https?://\S+/password/\S+", made.stdout)
    assert link.startswith(origin + "/"), made.stdout
    return link


def test_make_run_serves_signing_and_mail_and_logs_no_address_or_token(tmp_path):
    port = free_port()
    instance = tmp_path / "instance"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MAIL_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "BASE_URL"))
    }
    env |= {"PORT": str(port), "INSTANCE_PATH": str(instance), "SIGN_MIN_SECONDS": "0"}
    site = Process("make run", ["make", "run"], env, ROOT, tmp_path / "run.log").start()
    try:
        origin = f"http://127.0.0.1:{port}"
        site.wait_for_url(origin + "/healthz")
        visitor = Visitor(origin)
        status, _ = visitor.submit(
            "/uk/people-first/sign?utm_source=canary-query",
            name="Олена Тест",
            email="olena@example.org",
            country="UA",
            display="anonymous",
        )
        assert status == 302
        mail = wait_for_mail(instance / "mail")
        token = re.search(r"/confirm/([\w-]{20,})", mail).group(1)
        assert visitor.open(f"/uk/confirm/{token}")[0] == 200
        link = first_staff_link(env, origin)
        assert visitor.open(link.removeprefix(origin))[0] == 200
    finally:
        site.stop()
    requests = [line for line in site.output().splitlines() if REQUEST_LINE.search(line)]
    assert any("/uk/confirm/…" in line for line in requests), site.output()[-3000:]
    for line in requests:
        assert token not in line
        assert "canary-query" not in line
        assert "127.0.0.1 " not in line
