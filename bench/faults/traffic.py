"""Steady traffic for a fault run: signers POSTing new addresses and readers GETting the
campaign page, each answer kept with its timing so it can be judged against what the fault
was doing at the time.

Plain threads and http.client, a new connection per request: the rate is low (tens per
second), and a fresh connection sees the server as a new visitor would.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from bench.workloads import FORM_TYPE, hidden_fields

TIMEOUT = 35.0  # a little over gunicorn's worker timeout


@dataclass(frozen=True)
class Answer:
    """One request and what came back; status 0 means no HTTP answer at all."""

    kind: str  # "sign" or "read"
    sent: float  # time.monotonic()
    took: float
    status: int
    location: str
    retry_after: str
    body: str
    email: str = ""

    @property
    def done(self) -> float:
        return self.sent + self.took


@dataclass
class Traffic:
    port: int
    sign_path: str
    read_path: str
    signers: int
    sign_rate: float  # POSTs per second, over all signers
    read_rate: float
    email_prefix: str
    min_form_age: float = 3.3  # SIGN_MIN_SECONDS plus a margin
    answers: list[Answer] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        """Start every thread; signers first GET the form and wait out its minimum age."""
        for index in range(self.signers):
            self._spawn(self._sign_loop, index)
        if self.read_rate > 0:
            self._spawn(self._read_loop, 0)
        time.sleep(self.min_form_age + 0.5)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=TIMEOUT + 5)

    def _spawn(self, target: Callable[[int], None], index: int) -> None:
        thread = threading.Thread(target=target, args=(index,), daemon=True)
        thread.start()
        self._threads.append(thread)

    def _request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, dict[str, list[str]], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            names = {name.lower() for name in response.headers}
            found = {name: response.headers.get_all(name) or [] for name in names}
            return response.status, found, response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            return 0, {}, f"{type(error).__name__}: {error}"
        finally:
            connection.close()

    @staticmethod
    def _seen(headers: dict[str, list[str]]) -> tuple[str, str]:
        """The Location and Retry-After headers ("" when absent)."""
        return (headers.get("location") or [""])[0], (headers.get("retry-after") or [""])[0]

    def _keep(self, answer: Answer) -> None:
        with self._lock:
            self.answers.append(answer)

    def _sign_loop(self, index: int) -> None:
        status, headers, page = self._request("GET", self.sign_path, {})
        if status != 200:
            with self._lock:
                self.problems.append(f"signer {index}: GET {self.sign_path} answered {status}")
            return
        cookies = [value.split(";", 1)[0] for value in headers.get("set-cookie", [])]
        fields = hidden_fields(page)
        send_headers = {**FORM_TYPE, "Cookie": "; ".join(cookies)}
        time.sleep(self.min_form_age)
        # Signers take turns, so the POSTs are spread evenly; a late one goes at once.
        interval = self.signers / self.sign_rate
        due = time.monotonic() + interval * index / self.signers
        sent = 0
        while not self._stop.is_set():
            self._stop.wait(max(0.0, due - time.monotonic()))
            if self._stop.is_set():
                break
            due = max(due + interval, time.monotonic())
            sent += 1
            email = f"{self.email_prefix}-u{index}-{sent}@example.org"
            form = {
                **fields,
                "name": f"Fault Signer {index}",
                "email": email,
                "country": "UA",
                "display": "anonymous",
            }
            start = time.monotonic()
            status, headers, body = self._request(
                "POST", self.sign_path, send_headers, urlencode(form).encode()
            )
            took = time.monotonic() - start
            self._keep(Answer("sign", start, took, status, *self._seen(headers), body, email))

    def _read_loop(self, index: int) -> None:
        interval = 1 / self.read_rate
        due = time.monotonic()
        while not self._stop.is_set():
            self._stop.wait(max(0.0, due - time.monotonic()))
            if self._stop.is_set():
                break
            due = max(due + interval, time.monotonic())
            start = time.monotonic()
            status, headers, body = self._request("GET", self.read_path, {})
            took = time.monotonic() - start
            self._keep(Answer("read", start, took, status, *self._seen(headers), body))
