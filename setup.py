"""Build step beyond pyproject.toml: the wheel carries compiled translation catalogues.

The `.mo` files are build output (not kept in git); without them a deployed site would be
English everywhere, mail included. An editable install leaves them to `make`.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

CATALOGUES = Path("petition", "translations")


class BuildWithCatalogues(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for source in sorted(CATALOGUES.glob("*/LC_MESSAGES/messages.po")):
            target = Path(self.build_lib, source.with_suffix(".mo"))
            target.parent.mkdir(parents=True, exist_ok=True)
            with source.open("rb") as po:
                catalogue = read_po(po, locale=source.parts[-3])
            with target.open("wb") as mo:
                write_mo(mo, catalogue)


setup(cmdclass={"build_py": BuildWithCatalogues})
