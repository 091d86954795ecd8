"""Every string the code and templates use is translated into Ukrainian and Russian."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "petition" / "translations"


def read_catalogue(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory) -> set[tuple[object, str | None]]:
    """What the code asks to translate now, extracted afresh: (msgid, msgctxt) pairs."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(  # noqa: S603 - a fixed command line, no outside input
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_ngettext:1,2",
            "-k",
            "lazy_pgettext:1c,2",
            "-k",
            "lazy_npgettext:1c,2,3",
            "-o",
            str(pot),
            "--no-location",
            "petition",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return {(message.id, message.context) for message in read_catalogue(pot) if message.id}


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_catalogue_is_complete_and_current(source_messages, lang):
    catalogue = read_catalogue(CATALOGUES / lang / "LC_MESSAGES" / "messages.po")
    messages = {(message.id, message.context): message for message in catalogue if message.id}
    missing = source_messages - messages.keys()
    assert not missing, f"run `make translations-update` and translate: {sorted(map(str, missing))}"
    untranslated = [
        str(key)
        for key, message in messages.items()
        if key in source_messages
        and (
            message.fuzzy
            or not all(message.string if isinstance(message.string, tuple) else [message.string])
        )
    ]
    assert not untranslated, f"untranslated or fuzzy in {lang}: {untranslated}"


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_placeholders_survive_translation(lang):
    catalogue = read_catalogue(CATALOGUES / lang / "LC_MESSAGES" / "messages.po")
    for message in catalogue:
        if message.id and message.python_format:
            assert not message.check(catalogue), (message.id, message.check(catalogue))
