"""The product as an operator installs it: a wheel built from the sources git holds,
installed into a fresh virtual environment and run from an empty directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.support import Translations

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "petition" / "translations"


@dataclass(frozen=True)
class Installed:
    wheel: Path
    bin: Path

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


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("install")
    sources, wheels, venv = work / "sources", work / "wheels", work / "venv"
    copy_sources(sources)
    _run(sys.executable, "-m", "venv", venv)
    pip = venv / "bin" / "pip"
    _run(pip, "wheel", "--quiet", "--no-deps", "--wheel-dir", wheels, sources)
    [wheel] = wheels.glob("petition-*.whl")
    # As deploy/README.md installs: the lock's exact versions, hashes checked, then the wheel.
    _run(pip, "install", "--quiet", "--require-hashes", "-r", sources / "requirements.lock")
    _run(pip, "install", "--quiet", "--no-deps", wheel)
    return Installed(wheel=wheel, bin=venv / "bin")


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
