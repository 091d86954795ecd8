"""Issue 7, fault: PostgreSQL restarted under load.

While signers POST at a steady rate, the app's PostgreSQL (a private cluster) is restarted
twice: `pg_ctl restart -m fast`, then stopped, left down a few seconds, and started. What must
hold: every answer is a success or the translated 503 page (never a 500, never a stack
trace); the app serves again within seconds of the database's return without gunicorn being
restarted; and every signing that reached "check your email" is in the database with its
queued mail.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import force_locale
from markupsafe import escape

from bench.environment import Server, prepare_database, signatures_kept
from bench.faults.cluster import PrivateCluster
from bench.faults.traffic import Answer, Traffic
from petition import create_app
from petition.errors import MESSAGES

SLUG = "people-first"
LANG = "uk"  # a language other than the source one, so the page must really be translated
RECOVERY_LIMIT = 5.0  # seconds after the database is back by which requests succeed again
PROC = Path("/proc")


@dataclass
class Options:
    sign_rate: float = 30.0
    read_rate: float = 10.0
    signers: int = 6
    before: float = 3.0  # seconds of normal service before the first fault
    settle: float = 6.0  # seconds of load after each recovery
    down: float = 3.0  # seconds the database stays stopped in the second fault


@dataclass
class Window:
    """A stretch of the run; answers belong to the window in which they were sent."""

    name: str
    began: float
    ended: float
    fault: bool = False  # the database was restarting or down
    must_bite: bool = False  # down long enough that some requests must have met it
    answers: list[Answer] = field(default_factory=list)


@dataclass
class Check:
    passed: bool
    text: str


def expected_page_texts() -> tuple[str, ...]:
    """The 503 title and message in LANG, as the app renders them (HTML-escaped)."""
    app = create_app({"SECRET_KEY": "fault-only", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_request_context(f"/{LANG}/"), force_locale(LANG):
        texts = tuple(str(escape(str(text))) for text in MESSAGES[503])
    with app.test_request_context("/en/"), force_locale("en"):
        english = tuple(str(escape(str(text))) for text in MESSAGES[503])
    if set(texts) & set(english):
        raise AssertionError(f"the 503 page has no {LANG} translation: {texts}")
    return texts


def succeeded(answer: Answer) -> bool:
    if answer.kind == "sign":
        return answer.status == 302 and answer.location.endswith("/check-email")
    return answer.status == 200


def judge(answer: Answer, page_texts: tuple[str, ...]) -> str:
    """'ok', '503 page' (the translated error page, no trace), or what was wrong."""
    if succeeded(answer):
        return "ok"
    if answer.status == 503:
        return page_problem(answer, page_texts) or "503 page"
    if answer.status == 0:
        return f"no answer ({answer.body[:60]})"
    return f"{answer.status} {answer.location or answer.body[:60]!r}"


def page_problem(answer: Answer, page_texts: tuple[str, ...]) -> str | None:
    """What is wrong with a 503 answer, if anything."""
    if "Traceback" in answer.body:
        return "503 with a stack trace"
    if f'lang="{LANG}"' not in answer.body or any(t not in answer.body for t in page_texts):
        return "503 without the translated page"
    if not answer.retry_after:
        return "503 without Retry-After"
    return None


def worker_pids(master: int) -> set[int]:
    """gunicorn's workers: the live children of its master."""
    found = set()
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == master:
            found.add(int(entry.name))
    return found


def run(options: Options) -> bool:
    """Run the fault; print what happened; True when every check passed."""
    page_texts = expected_page_texts()
    cluster = PrivateCluster.create()
    server: Server | None = None
    traffic: Traffic | None = None
    try:
        database = cluster.create_database()
        prepare_database(database)
        server = Server.start("faults-app", "wsgi:app", database, probe=f"/{LANG}/{SLUG}/")
        workers = worker_pids(server.pid)
        traffic = Traffic(
            port=server.port,
            sign_path=f"/{LANG}/{SLUG}/sign",
            read_path=f"/{LANG}/{SLUG}/",
            signers=options.signers,
            sign_rate=options.sign_rate,
            read_rate=options.read_rate,
            email_prefix=f"fault-{int(time.time())}",
        )
        print(
            f"PostgreSQL restarted under load: private cluster on 127.0.0.1:{cluster.port}, "
            f"{len(workers)} gunicorn workers, {options.sign_rate:g} signing POST/s and "
            f"{options.read_rate:g} page GET/s to /{LANG}/"
        )
        windows = exercise(cluster, traffic, options)
        same_workers = worker_pids(server.pid) == workers and server.process.poll() is None
        answers = sorted(traffic.answers, key=lambda answer: answer.sent)
        kept = signatures_kept(database, [a.email for a in answers if a.email and succeeded(a)])
        log_traces = server.log.read_text(errors="replace").count("Traceback")
    finally:
        if traffic:
            traffic.stop()
        if server:
            server.stop()
        cluster.remove()

    checks = report(windows, answers, page_texts)
    problems = "".join(f"; {problem}" for problem in traffic.problems)
    checks += [
        Check(not problems, f"every signer got the form{problems}"),
        Check(same_workers, "gunicorn was never restarted (same master, same workers)"),
        Check(
            kept["redirected"] > 0 and kept["lost"] == 0 and kept["mail_missing"] == 0,
            f'every signing that reached "check your email" is in the database '
            f"({kept['redirected']} redirected, {kept['rows_found']} rows, "
            f"{kept['lost']} lost, {kept['mail_missing']} without queued mail)",
        ),
    ]
    print(f"\nserver log: {log_traces} stack traces (server side only)")
    print("\nchecks:")
    for check in checks:
        print(f"  {'pass' if check.passed else 'FAIL'}  {check.text}")
    return all(check.passed for check in checks)


def exercise(cluster: PrivateCluster, traffic: Traffic, options: Options) -> list[Window]:
    """Normal service, a fast restart, then a stop, a pause and a start, all under load."""
    traffic.start()
    windows = [Window("before any fault", time.monotonic(), 0.0)]
    time.sleep(options.before)
    windows[-1].ended = began = time.monotonic()
    cluster.restart()
    windows.append(Window("pg_ctl restart -m fast", began, time.monotonic(), fault=True))
    windows.append(Window("  then, back up", windows[-1].ended, 0.0))
    time.sleep(options.settle)
    windows[-1].ended = began = time.monotonic()
    cluster.stop()
    time.sleep(options.down)
    cluster.start()
    name = f"stop, {options.down:g} s down, start"
    windows.append(Window(name, began, time.monotonic(), fault=True, must_bite=True))
    windows.append(Window("  then, back up", windows[-1].ended, 0.0))
    time.sleep(options.settle)
    traffic.stop()
    windows[-1].ended = time.monotonic()
    for answer in traffic.answers:
        for window in windows:
            if window.began <= answer.sent < window.ended:
                window.answers.append(answer)
                break
    return windows


def report(
    windows: list[Window], answers: list[Answer], page_texts: tuple[str, ...]
) -> list[Check]:
    """Print a line per window and the wrong answers; return the checks they decide."""
    start = windows[0].began
    print(
        f"\n{'window':<26}{'from s':>7}{'to s':>7}{'sent':>6}{'ok':>6}{'503 page':>9}"
        f"{'wrong':>7}{'first ok after':>16}{'failed after':>14}"
    )
    checks: list[Check] = []
    for index, window in enumerate(windows):
        verdicts = [judge(answer, page_texts) for answer in window.answers]
        ok, page = verdicts.count("ok"), verdicts.count("503 page")
        line = (
            f"{window.name:<26}{window.began - start:>7.1f}{window.ended - start:>7.1f}"
            f"{len(verdicts):>6}{ok:>6}{page:>9}{len(verdicts) - ok - page:>7}"
        )
        if index > 0 and windows[index - 1].fault:
            line += recovery(windows[index - 1].name, window, verdicts, checks)
        print(line)
        if index == 0:
            # A request still in flight when the fault began may meet it.
            done = [
                v for a, v in zip(window.answers, verdicts, strict=True) if a.done < window.ended
            ]
            text = f"before any fault, every request succeeded ({done.count('ok')}/{len(done)})"
            checks.append(Check(0 < done.count("ok") == len(done), text))
        if window.must_bite:
            checks.append(Check(page > 0, f"{window.name}: requests got the 503 page ({page})"))
    wrong = [(a, v) for a in answers if (v := judge(a, page_texts)) not in ("ok", "503 page")]
    for answer, verdict in wrong[:8]:
        print(f"  wrong at {answer.sent - start:5.1f} s: {answer.kind} -> {verdict}")
    text = (
        f"every answer was a success or the translated 503 page, {len(answers)} answers, "
        f"{len(wrong)} other (a 500, a stack trace, a dropped connection, ...)"
    )
    return [Check(not wrong, text), *checks]


def recovery(fault: str, window: Window, verdicts: list[str], checks: list[Check]) -> str:
    """Columns for the window after a fault; adds the check that service came back."""
    oks = [a.sent for a, v in zip(window.answers, verdicts, strict=True) if v == "ok"]
    failed = len(verdicts) - len(oks)
    first_ok = min(oks) - window.began if oks else None
    checks.append(
        Check(
            failed == 0 and first_ok is not None and first_ok <= RECOVERY_LIMIT,
            f"after {fault}: every request succeeded once the database was back, "
            f"without restarting gunicorn ({failed} failed)",
        )
    )
    shown = f"{first_ok:.2f} s" if first_ok is not None else "never"
    return f"{shown:>16}{failed:>14}"
