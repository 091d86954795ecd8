"""`flask demo load` builds the People First campaign, and running it again changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from petition.extensions import db
from petition.models import Campaign, CampaignTextVersion, Organisation


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_demo_load_is_idempotent_and_complete(app, client, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["demo", "load"])
        assert result.exit_code == 0, result.output
    assert count(Campaign) == 1
    assert count(CampaignTextVersion) == 3
    assert count(Organisation) == 6

    for lang, words in {
        "en": "People First",
        "uk": "Люди передусім",
        "ru": "Люди прежде всего",
    }.items():
        html = client.get(f"/{lang}/people-first/").get_data(as_text=True)
        assert words in html
        assert "16" in html  # about 16,000 civilians held
        assert "28" in html  # launched on 28 January 2025
    api = client.get("/api/v1/campaigns/people-first").json
    assert api["counts"]["organisations"] == 6
    listed = client.get("/api/v1/campaigns/people-first/organisations").json["organisations"]
    assert len(listed) == 5
    assert [o["founding"] for o in listed][:2] == [True, True]
