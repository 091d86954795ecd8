"""Settings the operator sets in the environment: a value that cannot work is refused by
name when the app starts, not discovered later by a worker writing somewhere else."""

from __future__ import annotations

import pytest

from petition import create_app
from petition.coalition.logos import logo_folder
from petition.delivery.background import delivery_dir


@pytest.mark.parametrize("name", ["DELIVERY_DIR", "LOGO_FOLDER"])
def test_a_folder_setting_takes_an_absolute_path(name, tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv(name, str(tmp_path / "files"))
    assert create_app().config[name] == str(tmp_path / "files")

    monkeypatch.setenv(name, "instance/files")
    with pytest.raises(
        ValueError,
        match=rf"^{name} must be an absolute path, like /srv/petition/files, not 'instance/files'$",
    ):
        create_app()


def test_unset_folders_are_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("DELIVERY_DIR", raising=False)
    monkeypatch.delenv("LOGO_FOLDER", raising=False)
    with create_app().app_context():
        assert (delivery_dir(), logo_folder()) == (
            tmp_path / "instance" / "deliveries",
            tmp_path / "instance" / "logos",
        )
