"""Servers the production-shape tests start as real processes, and a visitor that talks HTTP."""

from __future__ import annotations

import http.cookiejar
import os
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.pages import hidden_inputs


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Process:
    """A command run in its own process group, its output kept in a file."""

    name: str
    command: list[str]
    env: dict[str, str]
    cwd: Path
    log: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        with self.log.open("ab") as output:
            self.popen = subprocess.Popen(  # noqa: S603 - the test's own command
                self.command,
                env=self.env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_output(self, text: str, seconds: float = 30) -> str:
        """The output once it holds `text` (a line written after the answer was sent)."""
        deadline = time.monotonic() + seconds
        while text not in (output := self.output()):
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} never wrote {text!r}:\n{output[-4000:]}")
            time.sleep(0.1)
        return output

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()

    def wait_for_url(self, url: str, seconds: float = 120) -> None:
        """Until `url` answers 200; fails with the process's output if it died or never did."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.popen is not None and self.popen.poll() is not None:
                raise AssertionError(f"{self.name} exited:\n{self.output()[-4000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2, context=UNVERIFIED) as answer:  # noqa: S310 - our own loopback server
                    if answer.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.3)
        raise AssertionError(f"{self.name} never answered {url}:\n{self.output()[-4000:]}")


# The test's own self-signed certificate: verifying it would prove nothing.
UNVERIFIED = ssl.create_default_context()
UNVERIFIED.check_hostname = False
UNVERIFIED.verify_mode = ssl.CERT_NONE


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Visitor:
    """A visitor without a browser: cookies, forms with their hidden fields, no redirects."""

    origin: str
    cookies: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies),
            urllib.request.HTTPSHandler(context=UNVERIFIED),
            _NoRedirect(),
        )

    def open(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.origin + path, data=body)  # noqa: S310
        if data is not None:
            request.add_header("Referer", self.origin + path.split("?", maxsplit=1)[0])
        try:
            with self.opener.open(request, timeout=10) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as answer:
            return answer.code, answer.read().decode(errors="replace")

    def submit(self, path: str, **fields: str) -> tuple[int, str]:
        status, page = self.open(path)
        assert status == 200, (path, status)
        return self.open(path, {**hidden_inputs(page), **fields})
