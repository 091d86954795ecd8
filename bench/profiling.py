"""Where the time goes: py-spy samples the app's gunicorn workers (or the mail worker).

Only on-CPU samples are kept (py-spy leaves out threads waiting on a socket or a lock), so a
profile answers "what burns the two cores", and the per-request CPU split in the tables
answers "how much is PostgreSQL". Raw collapsed stacks go to bench/results/profile-*.txt.
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

from bench.environment import RESULTS, HarnessError

SAMPLE_RATE = 250
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*)\)$")
# The first path component that names where a frame belongs, most specific first.
AREAS = (
    ("templates/", "templates (Jinja)"),
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


@dataclass
class Profile:
    samples: int = 0
    inclusive: Counter[str] = field(default_factory=Counter)
    own_area: Counter[str] = field(default_factory=Counter)
    inclusive_area: Counter[str] = field(default_factory=Counter)

    def add(self, frames: list[str], count: int) -> None:
        self.samples += count
        parsed = [match for frame in frames if (match := FRAME.match(frame))]
        if not parsed:
            return
        self.own_area[area(parsed[-1]["file"])] += count
        names = {f"{m['function']} ({short_path(m['file'])})" for m in parsed}
        for name in names:
            self.inclusive[name] += count
        for name in {area(m["file"]) for m in parsed}:
            self.inclusive_area[name] += count

    def summary(self, top: int = 18) -> dict[str, object]:
        def share(count: int) -> float:
            return round(100.0 * count / self.samples, 1) if self.samples else 0.0

        # Frames under which nearly everything runs (gunicorn's loop, Flask's dispatch) say
        # nothing; the interesting ones are below them.
        functions = [
            (name, share(count))
            for name, count in self.inclusive.most_common()
            if share(count) < 90.0
        ][:top]
        return {
            "samples": self.samples,
            "self_by_area_pct": {name: share(n) for name, n in self.own_area.most_common()},
            "inclusive_by_area_pct": {
                name: share(n) for name, n in self.inclusive_area.most_common()
            },
            "top_functions_inclusive_pct": dict(functions),
        }


def short_path(path: str) -> str:
    for marker in ("site-packages/", "/work/main/", "lib/python3.11/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def parse(raw: str) -> Profile:
    profile = Profile()
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
    command += ["--rate", str(SAMPLE_RATE), "--nonblocking"]
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


def finish_recording(process: subprocess.Popen[bytes], output: Path) -> dict[str, object]:
    process.send_signal(signal.SIGINT)  # py-spy writes its file when interrupted
    _, errors = process.communicate(timeout=120)
    if not output.exists():
        raise HarnessError(f"py-spy wrote no profile: {errors.decode(errors='replace')[-500:]}")
    return parse(output.read_text()).summary()


def render(title: str, summary: dict[str, object]) -> str:
    lines = [f"  profile ({title}): {summary['samples']} samples on CPU"]
    for key, heading in (
        ("inclusive_by_area_pct", "time under"),
        ("self_by_area_pct", "time in"),
    ):
        shares = summary[key]
        assert isinstance(shares, dict)
        text = ", ".join(f"{name} {pct}%" for name, pct in list(shares.items())[:9])
        lines.append(f"    {heading}: {text}")
    functions = summary["top_functions_inclusive_pct"]
    assert isinstance(functions, dict)
    lines.extend(f"    {pct:5.1f}%  {name}" for name, pct in functions.items())
    return "\n".join(lines)
