"""deploy/README.md, walked end to end as an operator follows it: the code installed by its
own lines into a fresh venv (the `installed` fixture), the environment from
`environment.example`'s settings, `db upgrade` and `check` on a fresh PostgreSQL database,
the units' own `ExecStart` lines (gunicorn, an outbox worker) behind nginx terminating TLS,
with Redis and a real SMTP server; a signer signs in Ukrainian and confirms over https, the
first admin signs in, a backup is taken, encrypted to an operator's age key and decrypted
again, and restored as the guide says onto a second fresh database, where the signature is
still counted.

Each command the walk runs is looked up in deploy/README.md first: the guide and the walk
cannot drift apart. Opening a campaign is the staff's work in the console, not the guide's:
the walk makes one directly in the database.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import urllib.request
from pathlib import Path

import pytest

from petition.config import database_url
from petition.extensions import db
from tests.conftest import make_app
from tests.factories import make_campaign
from tests.mailbox import Mailbox
from tests.prerequisites import tool
from tests.production.conftest import DEPLOY_README, ROOT, Installed, operator_env, run_flask
from tests.production.processes import UNVERIFIED, Process, Visitor, free_port
from tests.production.proxy import start_tls_proxy
from tests.production.test_https_production import (
    Stack,
    new_database,
    new_staff_signed_in,
    uk,
    wait_for_mail,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgresql]

GUIDE = DEPLOY_README.read_text(encoding="utf-8")
FLASK = "flask --app petition "
SLUG = "free-them"
ADMIN = "first.admin@staff.example.org"
SIGNER = "walk.signer@example.org"


def documented(command: str) -> list[str]:
    """The arguments of `flask --app petition COMMAND`, once the guide is seen to show it."""
    assert FLASK + command in GUIDE, f"deploy/README.md does not show `{FLASK}{command}`"
    return command.split()


def unit_setting(name: str, key: str) -> list[str]:
    text = (ROOT / "deploy" / name).read_text(encoding="utf-8")
    return re.findall(rf"^{key}=(.+)$", text, flags=re.MULTILINE)


def working_directory(root: Path) -> Path:
    """Where the units (and so the operator's commands) run, with /srv/petition as `root`."""
    [web] = unit_setting("petition-web.service", "WorkingDirectory")
    [worker] = unit_setting("petition-outbox@.service", "WorkingDirectory")
    assert web == worker
    assert f"-p WorkingDirectory={web} " in GUIDE
    return Path(web.replace("/srv/petition", str(root)))


def unit(name: str, root: Path, run: Path) -> tuple[list[str], dict[str, str]]:
    """A unit's `ExecStart` and `Environment=` settings, with /srv/petition as `root` and
    its runtime directory under `run`."""
    [command] = unit_setting(name, "ExecStart")
    settings = dict(line.split("=", 1) for line in unit_setting(name, "Environment"))
    settings = {key: value.replace("/run/", f"{run}/") for key, value in settings.items()}
    for folder in settings.values():
        Path(folder).mkdir(parents=True, exist_ok=True)
    return command.replace("/srv/petition", str(root)).split(), settings


def example_settings() -> set[str]:
    text = (ROOT / "deploy" / "environment.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#? ?([A-Z][A-Z_]+)=", text, flags=re.MULTILINE))


def counted(origin: str) -> int:
    url = f"{origin}/api/v1/campaigns/{SLUG}"
    with urllib.request.urlopen(url, context=UNVERIFIED, timeout=10) as answer:  # noqa: S310
        return int(json.load(answer)["counts"]["individuals"])


class Units:
    """The web and worker units of one host, started and stopped as systemd would."""

    def __init__(self, installed: Installed, env: dict[str, str], folder: Path) -> None:
        self.processes = []
        for name in ("petition-web.service", "petition-outbox@.service"):
            command, settings = unit(name, installed.root, folder / "run")
            log = folder / f"{name}.log"
            cwd = working_directory(installed.root)
            self.processes.append(Process(name, command, env | settings, cwd, log))

    def start(self, web_url: str) -> None:
        for process in self.processes:
            process.start()
        self.processes[0].wait_for_url(web_url)

    def stop(self) -> None:
        for process in self.processes:
            process.stop()
        for process in self.processes:
            assert "Traceback" not in process.output(), process.output()[-4000:]


# The walk serves no onion address, so that one check says why it does not apply.
NOT_OVER_TOR = "skip onion service: ONION_LOCATION is unset"


def assert_checks_pass(checked: str) -> None:
    lines = checked.splitlines()
    assert NOT_OVER_TOR in lines, checked
    assert all(line.startswith("ok ") for line in lines if line != NOT_OVER_TOR), checked


def test_an_operator_follows_deploy_readme_from_install_to_restore(
    installed, mailbox: Mailbox, secure_context, tmp_path
):
    https_port, web_port = free_port(), free_port()
    origin = f"https://127.0.0.1:{https_port}"
    with new_database() as database, new_database() as scratch:
        settings = {
            "DATABASE_URL": database,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "EMAIL_HASH_KEY": secrets.token_urlsafe(48),
            "BASE_URL": origin,
            "MAIL_SERVER": mailbox.host,
            "MAIL_PORT": str(mailbox.port),
            "MAIL_DEFAULT_SENDER": "Campaign <no-reply@example.org>",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "INSTANCE_PATH": str(installed.root / "instance"),
            "DELIVERY_DIR": str(tmp_path / "shared" / "deliveries"),
            "LOGO_FOLDER": str(tmp_path / "shared" / "logos"),
            "HOST": "127.0.0.1",
            "PORT": str(web_port),
            "FORWARDED_ALLOW_IPS": "127.0.0.1",
            "PROXY_COUNT": "1",
        }
        assert set(settings) <= example_settings()
        # The walk's own: a fresh key prefix in the shared Redis, forms sent at once.
        env = operator_env(
            **settings,
            RATELIMIT_KEY_PREFIX=f"petition-walk-{secrets.token_hex(4)}",
            SIGN_MIN_SECONDS="0",
            COUNTS_TTL_SECONDS="0",
            WEB_CONCURRENCY="2",
        )
        cwd = working_directory(installed.root)
        cwd.mkdir(exist_ok=True)

        # 2. Once per release: migrate, then check.
        run_flask(installed, env, cwd, *documented("db upgrade"))
        open_a_campaign(database, mailbox)
        checked = run_flask(installed, env, cwd, *documented("check"))
        assert_checks_pass(checked)

        # 3-5. The units, behind the TLS proxy.
        units = Units(installed, env, tmp_path / "host")
        proxy = start_tls_proxy(https_port, web_port, tmp_path / "nginx.log")
        try:
            units.start(f"http://127.0.0.1:{web_port}/readyz")
            proxy.process.wait_for_url(f"{origin}/readyz")
            sign_and_confirm(origin, mailbox)
            assert counted(origin) == 1

            # 6. The first admin signs in; a first backup.
            stack = Stack(origin=origin, env=env, cwd=cwd)
            assert FLASK + "staff add you@example.org --role admin" in GUIDE
            page = new_staff_signed_in(stack, installed, secure_context, ADMIN)
            assert page.url == f"{origin}/staff/"
            archive = tmp_path / "backups" / "petition.tar.gz"
            archive.parent.mkdir(mode=0o700)
            made = run_flask(installed, env, cwd, *documented("backup -o"), str(archive))
            assert f"done: {archive}" in made
            archive = off_site_and_back(archive, tmp_path / "operator")

            # Restoring: stop the units, restore onto the scratch database, check, start.
            units.stop()
            restored_env = env | {"DATABASE_URL": scratch}
            assert FLASK + "restore petition.tar.gz" in GUIDE
            restored = run_flask(installed, restored_env, cwd, "restore", str(archive))
            assert "done: the database is at revision" in restored
            assert "db upgrade" not in restored
            checked = run_flask(installed, restored_env, cwd, *documented("check"))
            assert_checks_pass(checked)
            units = Units(installed, restored_env, tmp_path / "restored-host")
            units.start(f"http://127.0.0.1:{web_port}/readyz")
            assert counted(origin) == 1
        finally:
            proxy.stop()
            units.stop()


def open_a_campaign(database: str, mailbox: Mailbox) -> None:
    """What staff do in the console before signing starts: an open campaign, texts in every
    language, a custodian's key."""
    app = make_app(database_url(database, Path()), mailbox)
    with app.app_context():
        make_campaign(SLUG)
        db.session.remove()
        db.engine.dispose()


def sign_and_confirm(origin: str, mailbox: Mailbox) -> None:
    """In Ukrainian: the installed catalogues are the ones served and mailed."""
    visitor = Visitor(origin)
    status, page = visitor.open(f"/uk/{SLUG}/sign")
    assert status == 200
    assert f">{uk('Your name')}" in page
    status, _ = visitor.submit(
        f"/uk/{SLUG}/sign", name="Олена Обхід", email=SIGNER, country="UA", display="anonymous"
    )
    assert status == 302
    mail = wait_for_mail(mailbox, SIGNER)
    assert mail["Subject"] == uk("Confirm your signature")
    link = re.search(r"https://\S+/uk/confirm/[\w-]+", Mailbox.text_of(mail))
    assert link, "no confirmation link in the mail"
    assert link.group(0).startswith(origin)
    status, _ = visitor.submit(link.group(0).removeprefix(origin))
    assert status in (200, 302)


def off_site_and_back(archive: Path, operator: Path) -> Path:
    """The archive as the backup unit sends it off (encrypted to an operator's age key, the
    plain file removed), and as the guide's restore brings it back (decrypted)."""
    operator.mkdir(mode=0o700)
    key = operator / "operator.key"
    subprocess.run([tool("age-keygen"), "-o", str(key)], check=True, capture_output=True)  # noqa: S603
    recipient = subprocess.run(  # noqa: S603
        [tool("age-keygen"), "-y", str(key)], check=True, capture_output=True, text=True
    ).stdout
    (operator / "backup-recipients").write_text(recipient)
    assert 'age -R /etc/petition/backup-recipients -o "$$f.age" "$$f"' in GUIDE
    encrypted = archive.with_name(archive.name + ".age")
    age = [tool("age"), "-R", str(operator / "backup-recipients"), "-o", str(encrypted)]
    subprocess.run([*age, str(archive)], check=True, capture_output=True)  # noqa: S603
    archive.unlink()

    [decrypt] = re.findall(r"`(age --decrypt -i OPERATOR_KEY [^`]+)`", GUIDE)
    command = decrypt.replace("OPERATOR_KEY", str(key)).split()
    subprocess.run(command, cwd=archive.parent, check=True, capture_output=True)  # noqa: S603
    [restored] = [path for path in archive.parent.iterdir() if path.name.endswith(".tar.gz")]
    return restored
