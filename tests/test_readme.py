"""The README's commands work as written in a checkout: every `flask` and `make` line of its
shell blocks names a real command with real options, and those that need no value of the
reader's own run, literally, on a fresh instance folder."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLASK = ".venv/bin/flask --app petition "
INSTALLED_FLASK = "flask --app petition "
# A word of a command's path (`keys`, `seal-existing`); a placeholder (SLUG, FILE, age1…) or
# an option ends it.
COMMAND_WORD = re.compile(r"[a-z][a-z-]*")
OPTION = re.compile(r"(?<![\w-])(--?[a-z][a-z-]*)")


def shell_lines() -> list[str]:
    """Each command line of the README's ```sh blocks, without its comment."""
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"^```sh\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)
    lines = (line.split("  #")[0].strip() for block in blocks for line in block.splitlines())
    return [line for line in lines if line]


def flask_lines() -> list[str]:
    """The app's commands, as a checkout runs them (an installed app's `flask` is the same)."""
    return [
        line.removeprefix(FLASK).removeprefix(INSTALLED_FLASK)
        for line in shell_lines()
        if line.startswith((FLASK, INSTALLED_FLASK))
    ]


def command_path(arguments: str) -> list[str]:
    path = []
    for word in arguments.split():
        if not COMMAND_WORD.fullmatch(word):
            break
        path.append(word)
    return path


def test_the_readme_shows_the_commands_an_operator_needs():
    paths = {" ".join(command_path(line)) for line in flask_lines()}
    assert {"db upgrade", "check", "demo load", "outbox run", "staff add", "deliver"} <= paths
    assert {"keys new", "keys add", "keys remove", "keys reseal", "unseal", "purge"} <= paths


@pytest.mark.parametrize("arguments", flask_lines())
def test_each_flask_line_names_a_real_command_and_its_real_options(app, arguments):
    path = command_path(arguments)
    shown = app.test_cli_runner().invoke(args=[*path, "--help"])
    assert shown.exit_code == 0, f"{' '.join(path)}: {shown.output}"
    assert "Usage:" in shown.output
    for option in OPTION.findall(arguments.removeprefix(" ".join(path))):
        assert re.search(rf"(?<![\w-]){option}\b", shown.output), f"{arguments}: no {option}"


def test_each_make_line_names_a_real_target():
    make_lines = [line for line in shell_lines() if line.startswith("make ")]
    assert {"make run", "make test"} <= set(make_lines)
    for line in make_lines:
        dry = subprocess.run(  # noqa: S603 - the README's own line, as a dry run
            [*line.split(), "-n"], cwd=ROOT, capture_output=True, text=True, check=False
        )
        assert dry.returncode == 0, f"{line}: {dry.stderr}"


def test_the_lines_that_need_nothing_of_the_readers_own_run_as_written(tmp_path):
    """A fresh clone's first steps: migrate, load the demo, check, purge, on SQLite."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "MAIL_", "REDIS_URL", "SECRET_KEY", "BASE_URL"))
    }
    env["INSTANCE_PATH"] = str(tmp_path / "instance")
    # The checkout's Commands block; the Production block's `outbox run` serves until stopped.
    checkout = [line.removeprefix(FLASK) for line in shell_lines() if line.startswith(FLASK)]
    literal = [arguments for arguments in checkout if command_path(arguments) == arguments.split()]
    assert literal[:3] == ["db upgrade", "check", "demo load"]
    for arguments in literal:
        ran = subprocess.run(  # noqa: S603 - the README's own line
            (FLASK + arguments).split(),
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert ran.returncode == 0, f"{arguments}:\n{ran.stdout}\n{ran.stderr}"
