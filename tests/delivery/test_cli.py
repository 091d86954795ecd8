"""`flask --app petition deliver SLUG --target TARGET_ID|all -o DIR`."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import func, select

from petition.extensions import db
from petition.models import AuditEvent, DeliveryPackage, NamesPolicy
from tests.delivery.outputs import CUTOFF, add_signature, add_target
from tests.factories import make_campaign


@pytest.fixture
def campaign(app):
    campaign = make_campaign("people-first")
    add_target(campaign, "uk", name="Office of the President of Ukraine")
    add_target(
        campaign, "ru", name="President of the Russian Federation"
    ).names_policy = NamesPolicy.COUNTED
    add_target(campaign, "en", name="International Committee of the Red Cross")
    add_signature(campaign, "Олена Петренко")
    db.session.commit()
    return campaign


def deliver(app, *args):
    return app.test_cli_runner().invoke(args=["deliver", *args])


def test_all_targets_get_one_folder_each(app, campaign, tmp_path):
    out = tmp_path / "out"
    result = deliver(app, "people-first", "--target", "all", "-o", str(out))

    assert result.exit_code == 0, result.output
    folders = sorted(out.iterdir())
    assert len(folders) == 3
    for target in campaign.targets:
        named = [f for f in folders if f.name.startswith(f"people-first-{target.id}-")]
        assert len(named) == 1, target.name
    for folder in folders:
        manifest = (folder / "manifest.json").read_bytes()
        assert str(folder) in result.output
        assert hashlib.sha256(manifest).hexdigest() in result.output
        assert json.loads(manifest)["counts"]["individuals"] == 1
    assert db.session.scalar(select(func.count()).select_from(DeliveryPackage)) == 3
    audited = db.session.scalars(select(AuditEvent.action)).all()
    assert audited.count("delivery.package_built") == 3
    assert result.output.count("\n  names: named\n") == 2
    assert result.output.count("\n  names: counted\n") == 1
    for target in campaign.targets:  # progress, off a terminal: plain lines on standard error
        assert f"Package for {target.name}: 100 of 100\n" in result.stderr


def test_one_target_by_id_and_a_given_cutoff(app, campaign, tmp_path):
    target = campaign.targets[1]
    result = deliver(
        app,
        "people-first",
        "--target",
        str(target.id),
        "-o",
        str(tmp_path),
        "--cutoff",
        "2025-03-01T12:00:00",
    )
    assert result.exit_code == 0, result.output
    (folder,) = tmp_path.iterdir()
    assert folder.name == f"people-first-{target.id}-20250301T120000"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["cutoff"] == CUTOFF.isoformat()
    assert manifest["counts"]["individuals"] == 1


def test_an_unknown_campaign_is_a_clear_error(app, campaign, tmp_path):
    result = deliver(app, "no-such-campaign", "--target", "all", "-o", str(tmp_path))
    assert result.exit_code != 0
    assert "no campaign with the slug 'no-such-campaign'" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("choice", ["999999", "ICRC", ""])
def test_an_unknown_target_is_a_clear_error(app, campaign, tmp_path, choice):
    result = deliver(app, "people-first", "--target", choice, "-o", str(tmp_path))
    assert result.exit_code != 0
    assert "is not a target of campaign 'people-first'" in result.output
    assert "President of the Russian Federation" in result.output  # the choices are listed
    assert list(tmp_path.iterdir()) == []


def test_a_bad_cutoff_is_a_clear_error(app, campaign, tmp_path):
    result = deliver(
        app, "people-first", "--target", "all", "-o", str(tmp_path), "--cutoff", "yesterday"
    )
    assert result.exit_code != 0
    assert "is not an ISO-8601 date and time" in result.output


def test_missing_fonts_are_a_clear_error(app, campaign, tmp_path):
    app.config["PDF_FONT_DIR"] = str(tmp_path / "fonts")
    result = deliver(app, "people-first", "--target", "all", "-o", str(tmp_path / "out"))
    assert result.exit_code != 0
    assert "PDF fonts not found" in result.output
    assert "PDF_FONT_DIR" in result.output
    assert db.session.scalar(select(func.count()).select_from(DeliveryPackage)) == 0
