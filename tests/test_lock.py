"""The lock files pin what pyproject.toml asks for, exactly and with hashes (issue 14).

A deploy installs `requirements.lock` with `pip --require-hashes`, and `make install` installs
`requirements-dev.lock`: a lock that misses a dependency, still pins one pyproject.toml dropped,
or pins a version outside its range installs something other than what pyproject.toml says,
and other than what was tested. Read from the files alone, without the network; `make
lock-check` asks the resolver the same question in CI.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
# How uv's annotations name a pin that pyproject.toml asks for itself.
ASKED_BY_PROJECT = "petition (pyproject.toml)"


@dataclass
class Pin:
    """One `name==version` entry of a lock, with its hashes and who asked for it."""

    name: NormalizedName
    version: Version
    marker: Marker | None
    hashes: list[str]
    asked_by_project: bool = False


def read_lock(text: str) -> list[Pin]:
    """The pins of a hashed requirements file as `make lock` writes it."""
    pins: list[Pin] = []
    for line in text.splitlines():
        stripped = line.strip()
        if line and not line[0].isspace() and not line.startswith("#"):
            requirement = Requirement(line.rstrip(" \\"))
            (exact,) = requirement.specifier
            assert exact.operator == "==", line
            pins.append(
                Pin(
                    canonicalize_name(requirement.name),
                    Version(exact.version),
                    requirement.marker,
                    [],
                )
            )
        elif stripped.startswith("--hash="):
            pins[-1].hashes.append(stripped.removeprefix("--hash=").rstrip(" \\"))
        elif stripped.startswith("#") and ASKED_BY_PROJECT in stripped:
            pins[-1].asked_by_project = True
    return pins


def project_requirements(*extras: str) -> list[Requirement]:
    """pyproject.toml's runtime dependencies, plus those of the given extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = project["dependencies"] + [
        line for extra in extras for line in project["optional-dependencies"][extra]
    ]
    return [Requirement(line) for line in lines]


def build_requirements() -> list[Requirement]:
    """What pyproject.toml's build system needs: the deploy builds the wheel from the lock's
    pins (`--no-build-isolation`), so they are in both locks too."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [Requirement(line) for line in pyproject["build-system"]["requires"]]


def staleness(requirements: list[Requirement], pins: list[Pin]) -> list[str]:
    """What makes a lock stale against these requirements, one problem a line; none if current.

    A newer release on the index is not staleness: a pin inside its range is current.
    """
    problems = []
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        versions = [pin.version for pin in pins if pin.name == name]
        if not versions:
            problems.append(f"{name} is not pinned")
        problems += [
            f"{name}=={version} is outside {requirement.specifier}"
            for version in versions
            if not requirement.specifier.contains(version, prereleases=True)
        ]
    asked = {canonicalize_name(requirement.name) for requirement in requirements}
    problems += [
        f"{pin.name} is pinned for pyproject.toml, which no longer asks for it"
        for pin in pins
        if pin.asked_by_project and pin.name not in asked
    ]
    problems += [f"{pin.name} has no hash" for pin in pins if not pin.hashes]
    return problems


@pytest.mark.parametrize(
    ("lock", "extras"), [(RUNTIME_LOCK, ()), (DEV_LOCK, ("dev",))], ids=["runtime", "dev"]
)
def test_each_lock_pins_every_dependency_in_its_range_with_hashes(
    lock: Path, extras: tuple[str, ...]
) -> None:
    pins = read_lock(lock.read_text(encoding="utf-8"))
    problems = staleness([*project_requirements(*extras), *build_requirements()], pins)

    assert not problems, "\n".join([*problems, "run `make lock`"])
    # The annotations were read: each dependency is known as asked for by pyproject.toml.
    assert {pin.name for pin in pins if pin.asked_by_project} == {
        canonicalize_name(requirement.name) for requirement in project_requirements(*extras)
    }


def test_the_deploy_installs_the_versions_and_files_the_tests_ran_on() -> None:
    # Markers may differ: a dev tool can need unconditionally what the runtime needs on some
    # platforms only.
    def entries(lock: Path) -> set[tuple[str, str, tuple[str, ...]]]:
        return {
            (pin.name, str(pin.version), tuple(sorted(pin.hashes)))
            for pin in read_lock(lock.read_text(encoding="utf-8"))
        }

    assert entries(RUNTIME_LOCK) <= entries(DEV_LOCK)


def test_a_lock_is_stale_when_pyproject_adds_drops_or_narrows_a_dependency() -> None:
    pins = read_lock(RUNTIME_LOCK.read_text(encoding="utf-8"))
    (flask,) = (pin for pin in pins if pin.name == "flask")
    asked = [
        requirement
        for requirement in project_requirements()
        if canonicalize_name(requirement.name) not in {"segno", "flask"}
    ]
    changed = [*asked, Requirement(f"Flask>{flask.version}"), Requirement("invented-sdk>=1")]

    assert staleness(changed, pins) == [
        f"flask=={flask.version} is outside >{flask.version}",
        "invented-sdk is not pinned",
        "segno is pinned for pyproject.toml, which no longer asks for it",
    ]


def test_a_pin_without_its_hash_is_refused() -> None:
    lock = "pyotp==2.9.0 \\\n    # via petition (pyproject.toml)\n"

    assert staleness([Requirement("pyotp>=2.9,<3")], read_lock(lock)) == ["pyotp has no hash"]
