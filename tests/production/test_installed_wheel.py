"""`pip install` of the built wheel is a complete install: run from an empty directory, the
site migrates, loads the demo, and speaks Ukrainian, on its pages and in its mail."""

from __future__ import annotations

from tests.production.conftest import ROOT, catalogue_text, operator_env, run_flask, wheel_names
from tests.production.processes import Process, Visitor, free_port

GUNICORN_CONF = ROOT / "gunicorn.conf.py"
WHEEL_FILES = (
    "petition/templates/base.html",
    "petition/templates/email/confirm_signature/subject.txt",
    "petition/static/css/site.css",
    "petition/migrations/env.py",
    "petition/migrations/alembic.ini",
    "petition/migrations/versions/0001_initial_schema.py",
    "petition/translations/uk/LC_MESSAGES/messages.mo",
    "petition/translations/ru/LC_MESSAGES/messages.mo",
    "petition/translations/en/LC_MESSAGES/messages.mo",
)


def installed_env(tmp_path, mailbox, port: int) -> dict[str, str]:
    return operator_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'petition.db'}",
        SECRET_KEY="installed-wheel-test-key",
        BASE_URL=f"http://127.0.0.1:{port}",
        MAIL_SERVER=mailbox.host,
        MAIL_PORT=str(mailbox.port),
        MAIL_DEFAULT_SENDER="Campaign <campaign@example.org>",
        SIGN_MIN_SECONDS="0",
        PORT=str(port),
        WEB_CONCURRENCY="1",
    )


def test_the_wheel_holds_templates_static_files_migrations_and_compiled_catalogues(installed):
    names = wheel_names(installed)
    missing = [name for name in WHEEL_FILES if name not in names]
    assert not missing
    assert not [name for name in names if "__pycache__" in name or name.startswith("tests/")]


def test_the_installed_app_runs_from_an_empty_directory_in_ukrainian(installed, tmp_path, mailbox):
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    port = free_port()
    env = installed_env(tmp_path, mailbox, port)
    run_flask(installed, env, empty, "db", "upgrade")
    assert "(head)" in run_flask(installed, env, empty, "db", "current")
    run_flask(installed, env, empty, "demo", "load")
    key_file = tmp_path / "custodian.key"  # the custodian's machine, not the app's folders
    recipient = run_flask(
        installed, env, empty, "keys", "new", "people-first", "--identity-out", str(key_file)
    ).strip()
    assert recipient.startswith("age1")
    assert recipient in run_flask(installed, env, empty, "keys", "list", "people-first")
    assert key_file.stat().st_mode & 0o077 == 0

    web = Process(
        "gunicorn",
        [installed.command("gunicorn"), "-c", str(GUNICORN_CONF), "petition.wsgi:app"],
        env,
        empty,
        tmp_path / "gunicorn.log",
    ).start()
    try:
        origin = f"http://127.0.0.1:{port}"
        web.wait_for_url(origin + "/readyz")
        visitor = Visitor(origin)
        status, page = visitor.open("/uk/people-first/sign")
        assert status == 200
        for message in ("Your name", "Country", "Email address"):
            assert catalogue_text("uk", message) != message
            assert f">{catalogue_text('uk', message)}" in page
            assert f">{message}<" not in page
        status, _ = visitor.submit(
            "/uk/people-first/sign",
            name="Олена Тест",
            email="olena.wheel@example.org",
            country="UA",
            display="anonymous",
        )
        assert status == 302
    finally:
        web.stop()
    run_flask(installed, env, empty, "outbox", "run", "--once")
    [mail] = mailbox.to("olena.wheel@example.org")
    assert mail["Subject"] == catalogue_text("uk", "Confirm your signature")
    assert catalogue_text("uk", "Confirm your signature") != "Confirm your signature"
    assert not list(empty.iterdir())  # nothing was written where it ran
