"""Where the time goes: py-spy samples the app's gunicorn workers (or the mail worker).

py-spy's own idle detection does not work here (it marks threads blocked in epoll or in
psycopg's C wait as active), so it records every thread (`--idle`) and this module sorts
the samples itself. Only samples inside the work (gunicorn's `ThreadWorker.handle`, or
`deliver_due` for mail) count, and each is one of:

- PostgreSQL: inside psycopg's `Connection.wait` (a query costs ~0.07 ms of CPU here, however
  long it waits, so this is waiting for the server);
- socket: blocked reading or writing a socket (the SMTP server's answers, the HTTP client);
- Python: everything else, running or waiting for the GIL.

Shares are of the time that work was in progress (wall time, all threads together). Raw
collapsed stacks go to bench/results/profile-<name>.txt.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.environment import RESULTS, ROOT, HarnessError

SAMPLE_RATE = 250
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*)\)$")
# The first path component that names where a frame belongs, most specific first.
AREAS = (
    ("petition/templates/", "templates (Jinja)"),
    ("/petition/", "petition"),
    ("/bench/", "bench"),
    ("/sqlalchemy/", "SQLAlchemy"),
    ("/psycopg", "psycopg"),
    ("/jinja2/", "Jinja"),
    ("/markupsafe/", "Jinja"),
    ("/markdown/", "Markdown"),
    ("/nh3", "nh3"),
    ("/wtforms/", "WTForms"),
    ("/flask_wtf/", "Flask-WTF"),
    ("/email_validator/", "email-validator"),
    ("/babel/", "Babel"),
    ("/flask_babel/", "Babel"),
    ("/itsdangerous/", "itsdangerous"),
    ("/flask_limiter/", "Flask-Limiter"),
    ("/limits/", "Flask-Limiter"),
    ("/flask_login/", "Flask-Login"),
    ("/flask_sqlalchemy/", "Flask-SQLAlchemy"),
    ("/flask/", "Flask"),
    ("/werkzeug/", "Werkzeug"),
    ("/gunicorn/", "gunicorn"),
    ("/flask_mail", "Flask-Mail"),
    ("/email/", "stdlib email"),
    ("/smtplib", "smtplib"),
)


def area(path: str) -> str:
    for marker, name in AREAS:
        if marker in path:
            return name
    return "stdlib/other"


DATABASE_WAIT = re.compile(r"^(Connection|AsyncConnection)\.wait \(.*/psycopg/")
SOCKET_FILES = ("/socket.py", "/ssl.py", "/selectors.py")
WEB_WORK = "ThreadWorker.handle "
MAIL_WORK = "deliver_due "


@dataclass(frozen=True)
class Summary:
    """Shares (percent) of the time the work was in progress."""

    samples: int
    time_pct: dict[str, float]
    python_by_area_pct: dict[str, float]
    python_top_functions_pct: dict[str, float]


@dataclass
class Profile:
    work: str
    samples: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    inclusive: Counter[str] = field(default_factory=Counter)
    own_area: Counter[str] = field(default_factory=Counter)

    def add(self, frames: list[str], count: int) -> None:
        start = next((i for i, frame in enumerate(frames) if frame.startswith(self.work)), None)
        if start is None:
            return  # an idle thread, gunicorn's master, start-up
        self.samples += count
        inside = [match for frame in frames[start:] if (match := FRAME.match(frame))]
        if any(DATABASE_WAIT.match(frame) for frame in frames[start:]):
            self.kinds["PostgreSQL"] += count
            return
        if inside and inside[-1]["file"].endswith(SOCKET_FILES):
            self.kinds["socket"] += count
            return
        self.kinds["Python"] += count
        if inside:
            self.own_area[area(inside[-1]["file"])] += count
        for name in {f"{m['function']} ({short_path(m['file'])})" for m in inside[1:]}:
            self.inclusive[name] += count

    def share(self, count: int) -> float:
        return round(100.0 * count / self.samples, 1) if self.samples else 0.0

    def summary(self, top: int = 20) -> Summary:
        # Frames that hold nearly all the Python time (Flask's dispatch) say little.
        python = self.kinds["Python"]
        functions = [
            (name, self.share(count))
            for name, count in self.inclusive.most_common()
            if count < 0.9 * python
        ][:top]
        return Summary(
            samples=self.samples,
            time_pct={name: self.share(n) for name, n in self.kinds.most_common()},
            python_by_area_pct={name: self.share(n) for name, n in self.own_area.most_common()},
            python_top_functions_pct=dict(functions),
        )


def short_path(path: str) -> str:
    for marker in ("site-packages/", f"{ROOT}/", "lib/python3.11/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def parse(raw: str, work: str = WEB_WORK) -> Profile:
    profile = Profile(work)
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            profile.add(stack.split(";"), int(count))
    return profile


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(found).exists():
        raise HarnessError("--profile needs py-spy (the dev extra installs it)")
    return found


def record_command(output: Path, pid: int | None = None) -> list[str]:
    command = [py_spy(), "record", "--format", "raw", "--nolineno", "--full-filenames"]
    command += ["--output", str(output)]
    command += ["--rate", str(SAMPLE_RATE), "--nonblocking", "--idle"]
    if pid is None:
        return [*command, "--"]
    return [*command, "--pid", str(pid), "--subprocesses"]


def profile_path(name: str) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    return RESULTS / f"profile-{name}.txt"


def start_recording(name: str, pid: int) -> tuple[subprocess.Popen[bytes], Path]:
    """Sample gunicorn master `pid` and its workers until `finish_recording`."""
    output = profile_path(name)
    output.unlink(missing_ok=True)
    process = subprocess.Popen(  # noqa: S603 - py-spy from our venv
        record_command(output, pid), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    time.sleep(1.0)  # attaching to every worker takes a moment
    return process, output


def finish_recording(process: subprocess.Popen[bytes], output: Path) -> Summary:
    process.send_signal(signal.SIGINT)  # py-spy writes its file when interrupted
    _, errors = process.communicate(timeout=120)
    if not output.exists():
        raise HarnessError(f"py-spy wrote no profile: {errors.decode(errors='replace')[-500:]}")
    return parse(output.read_text()).summary()


def render(title: str, summary: Summary) -> str:
    split = ", ".join(f"{name} {pct}%" for name, pct in summary.time_pct.items())
    areas = list(summary.python_by_area_pct.items())[:10]
    return "\n".join(
        [
            f"  profile of {title} ({summary.samples} samples while working): {split}",
            "    Python time by where it is spent: "
            + ", ".join(f"{name} {pct}%" for name, pct in areas),
            "    Python time under (inclusive, % of working time):",
            *(f"    {pct:5.1f}%  {name}" for name, pct in summary.python_top_functions_pct.items()),
        ]
    )
