"""The production access log keeps no address, no agent and no link secret."""

from __future__ import annotations

import runpy
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config

from petition.access_log import RedactingLogger

ROOT = Path(__file__).resolve().parent.parent


def test_access_log_line_holds_no_address_agent_or_token():
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config = Config()
    config.set("access_log_format", settings["access_log_format"])
    logger = RedactingLogger(config)
    token = "s3cr3t-Token_value"
    environ = {
        "REMOTE_ADDR": "203.0.113.50",
        "HTTP_USER_AGENT": "Agent/1.0",
        "HTTP_REFERER": "https://elsewhere.example/",
        "RAW_URI": f"/uk/confirm/{token}?utm=1",
        "PATH_INFO": f"/uk/confirm/{token}",
        "QUERY_STRING": "utm=1",
        "REQUEST_METHOD": "POST",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    response = SimpleNamespace(status="302 FOUND", response_length=10, headers=[], sent=10)
    request = SimpleNamespace(headers=[], method="POST", path=f"/uk/confirm/{token}")
    atoms = logger.atoms(response, request, environ, SimpleNamespace(seconds=0, microseconds=1500))
    line = settings["access_log_format"] % atoms
    assert "/uk/confirm/…" in line
    for secret in (token, "203.0.113.50", "Agent/1.0", "elsewhere", "utm"):
        assert secret not in line
