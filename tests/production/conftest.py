"""The product as an operator installs it: a wheel built from the sources git holds,
installed into a fresh virtual environment and run from an empty directory."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.support import Translations
from playwright.sync_api import BrowserContext

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "petition" / "translations"


DEPLOY_README = ROOT / "deploy" / "README.md"


@dataclass(frozen=True)
class Installed:
    root: Path  # the code as deploy/README.md puts it in /srv/petition, with its .venv
    wheel: Path

    @property
    def bin(self) -> Path:
        return self.root / ".venv" / "bin"

    def command(self, name: str) -> str:
        return str(self.bin / name)


def _run(*command: str | Path, cwd: Path | None = None) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode == 0, f"{command}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


def copy_sources(target: Path) -> None:
    """The files git holds (and new ones not ignored): no build output from this checkout."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (entry.decode() for entry in listed)):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def deploy_install_lines() -> list[str]:
    """The shell lines of deploy/README.md's first step (its first ```sh block)."""
    text = DEPLOY_README.read_text(encoding="utf-8")
    found = re.search(r"^ *```sh\n(.*?)^ *```", text, flags=re.DOTALL | re.MULTILINE)
    assert found, "deploy/README.md shows no install commands"
    return [line.strip() for line in found.group(1).splitlines() if line.strip()]


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The sources in a folder of their own, installed by deploy/README.md's own lines (the
    lock with hashes, then the project, built from the lock's setuptools and Babel)."""
    work = tmp_path_factory.mktemp("install")
    root, wheels = work / "petition", work / "wheels"
    copy_sources(root)
    for line in deploy_install_lines():
        _run("sh", "-c", line, cwd=root)
    # The same build once more, kept as a file, to see what the wheel carries.
    pip = root / ".venv" / "bin" / "pip"
    _run(
        pip,
        "wheel",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-w",
        wheels,
        root,
    )
    [wheel] = wheels.glob("petition-*.whl")
    return Installed(root=root, wheel=wheel)


def wheel_names(installed: Installed) -> set[str]:
    with zipfile.ZipFile(installed.wheel) as archive:
        return set(archive.namelist())


def catalogue_text(lang: str, message: str) -> str:
    """`message` as the site shows it in `lang`, from the checkout's own catalogue."""
    return Translations.load(str(CATALOGUES), [lang]).gettext(message)


def operator_env(**settings: str) -> dict[str, str]:
    """The operator's environment: `settings`, and nothing of the test run's own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MAIL_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PYTHON"))
    }
    return env | settings


def run_flask(installed: Installed, env: dict[str, str], cwd: Path, *args: str) -> str:
    """`flask --app petition ARGS` of the installed app; its output, or the test fails."""
    result = subprocess.run(  # noqa: S603 - the installed app's own command
        [installed.command("flask"), "--app", "petition", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def secure_context(new_context: Callable[..., BrowserContext]) -> BrowserContext:
    """A browser that accepts the test proxy's self-signed certificate, in Ukrainian."""
    return new_context(ignore_https_errors=True, locale="uk-UA")
