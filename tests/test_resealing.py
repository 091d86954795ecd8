"""`flask keys reseal` and `keys remove`: records sealed before a key changed are sealed
again to the campaign's keys as they are now.

A key added later opens nothing sealed before it, and a key removed (lost, compromised)
opens everything sealed while it was registered, until the reseal. The reseal changes
nothing unless the keys given open every sealed record.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from petition.campaigns import resealing
from petition.campaigns.custodians import add_custodian_key, remove_custodian_key
from petition.extensions import db
from petition.models import AuditEvent, Campaign, CampaignStatus, Organisation, Signature
from petition.personal import open_details, open_representative
from petition.sealing import CannotUnseal, new_identity, recipient_of, write_identity
from tests.factories import CUSTODIAN, make_campaign, make_organisation, make_signature
from tests.signing.test_unsealing import run_on_a_terminal

SLUG = "free-them"
NAMES = ("Олена Ресил", "Ivan Reseal")
REPRESENTATIVE = "Mariia Rekey"


@pytest.fixture
def campaign(app) -> Campaign:
    return make_campaign(SLUG)


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "keys"
    folder.mkdir()
    return folder


def key_file(folder: Path, identity) -> Path:
    """The identity's file in `folder` (written once)."""
    path = folder / f"{recipient_of(identity)}.key"
    if not path.exists():
        write_identity(identity, path)
    return path


def keys(app, *args: str):
    db.session.commit()  # the test's own transaction ends, as the command's process would see
    return app.test_cli_runner().invoke(args=["keys", *args])


def sealed_before_a_new_key(campaign: Campaign) -> tuple[list[int], int]:
    """Two signers and a representative sealed to CUSTODIAN only."""
    signatures = [make_signature(campaign, name=name).id for name in NAMES]
    return signatures, make_organisation(campaign, rep_name=REPRESENTATIVE).id


def sealed_records() -> list[bytes]:
    db.session.expire_all()
    signatures = db.session.scalars(select(Signature.sealed).order_by(Signature.id))
    representatives = db.session.scalars(select(Organisation.rep_sealed).order_by(Organisation.id))
    return [*signatures, *representatives]


def opens_everything(identity) -> bool:
    db.session.expire_all()
    try:
        for signature in db.session.scalars(select(Signature)):
            open_details(signature.sealed, identity)
        for organisation in db.session.scalars(select(Organisation)):
            open_representative(organisation.rep_sealed, identity)
    except CannotUnseal:
        return False
    return True


def resealed_events() -> list[str]:
    query = select(AuditEvent.detail).where(AuditEvent.action == "campaign.resealed")
    return list(db.session.scalars(query))


# --- attacks first ----------------------------------------------------------------------


def test_a_removed_key_opens_nothing_once_resealed(app, campaign, keys_dir):
    """A custodian's key is compromised: a new key is added, the old one removed, and the
    reseal (with the old key, the only one that opens the old records) shuts it out."""
    sealed_before_a_new_key(campaign)
    replacement = new_identity()
    assert keys(app, "add", SLUG, recipient_of(replacement)).exit_code == 0
    assert not opens_everything(replacement)

    removed = keys(app, "remove", SLUG, recipient_of(CUSTODIAN))
    assert removed.exit_code == 0, removed.output
    assert f"removed: {recipient_of(CUSTODIAN)}" in removed.output
    assert f"keys reseal {SLUG}" in removed.output
    assert opens_everything(CUSTODIAN)  # until the reseal, as the command said

    result = keys(app, "reseal", SLUG, "--identity", str(key_file(keys_dir, CUSTODIAN)))

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"2 signature(s) and 1 representative(s) resealed to the keys of {SLUG!r}.\n"
    )
    assert opens_everything(replacement)
    for record in sealed_records():
        with pytest.raises(CannotUnseal):
            open_details(record, CUSTODIAN)
    signers = {
        open_details(s.sealed, replacement).name for s in db.session.scalars(select(Signature))
    }
    assert signers == set(NAMES)
    [organisation] = db.session.scalars(select(Organisation))
    assert open_representative(organisation.rep_sealed, replacement).name == REPRESENTATIVE


def test_a_key_that_opens_nothing_changes_nothing_and_says_how_many(app, campaign, keys_dir):
    sealed_before_a_new_key(campaign)
    before = sealed_records()

    result = keys(app, "reseal", SLUG, "--identity", str(key_file(keys_dir, new_identity())))

    assert result.exit_code == 1
    assert "cannot open 3 of 3 sealed record(s)" in result.output
    assert "(2 signature(s), 1 representative(s))" in result.output
    assert "Nothing was changed" in result.output
    assert sealed_records() == before
    assert resealed_events() == []


def test_a_key_added_after_some_records_opens_only_the_later_ones_so_nothing_changes(
    app, campaign, keys_dir
):
    """Resealing what one key opens and skipping the rest would leave the campaign split
    between two sets of keys: the custodian gives every key it takes, or nothing happens."""
    sealed_before_a_new_key(campaign)
    later = new_identity()
    add_custodian_key(campaign, recipient_of(later), actor=None)
    make_signature(campaign, name="Signed After The New Key")
    before = sealed_records()

    refused = keys(app, "reseal", SLUG, "--identity", str(key_file(keys_dir, later)))
    assert refused.exit_code == 1
    assert "cannot open 3 of 4 sealed record(s)" in refused.output
    assert sealed_records() == before

    both = ("--identity", str(key_file(keys_dir, later)))
    both += ("--identity", str(key_file(keys_dir, CUSTODIAN)))
    resealed = keys(app, "reseal", SLUG, *both)
    assert resealed.exit_code == 0, resealed.output
    assert "3 signature(s) and 1 representative(s) resealed" in resealed.output
    assert opens_everything(later)
    assert opens_everything(CUSTODIAN)  # still one of the campaign's keys


def test_the_only_key_of_a_campaign_that_is_not_a_draft_cannot_be_removed(app, campaign):
    for status in (CampaignStatus.OPEN, CampaignStatus.CLOSED):
        campaign.status = status
        result = keys(app, "remove", SLUG, recipient_of(CUSTODIAN))
        assert result.exit_code == 1
        assert "only key" in result.output
    db.session.rollback()
    assert keys(app, "list", SLUG).output.startswith(recipient_of(CUSTODIAN))

    campaign.status = CampaignStatus.DRAFT
    assert keys(app, "remove", SLUG, recipient_of(CUSTODIAN)).exit_code == 0
    assert keys(app, "list", SLUG).output == ""


def test_removing_a_key_the_campaign_does_not_have_or_no_key_is_refused(app, campaign):
    stranger = keys(app, "remove", SLUG, recipient_of(new_identity()))
    not_a_key = keys(app, "remove", SLUG, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI")

    assert stranger.exit_code == 1
    assert "does not have this key" in stranger.output
    assert not_a_key.exit_code == 1
    assert "not an age public key" in not_a_key.output


def test_a_removal_and_a_reseal_are_audited_without_names(app, campaign, keys_dir):
    sealed_before_a_new_key(campaign)
    replacement = recipient_of(new_identity())
    keys(app, "add", SLUG, replacement)
    keys(app, "remove", SLUG, recipient_of(CUSTODIAN))
    keys(app, "reseal", SLUG, "--identity", str(key_file(keys_dir, CUSTODIAN)))

    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    trail = [(event.action, event.detail) for event in events]
    assert ("campaign.custodian_key_removed", recipient_of(CUSTODIAN)) in trail
    assert resealed_events() == [
        "2 signature(s) and 1 representative(s) resealed to 1 key(s),"
        f" opened with {recipient_of(CUSTODIAN)}"
    ]
    written = " ".join(detail for _action, detail in trail)
    for name in (*NAMES, REPRESENTATIVE):
        assert name not in written


def test_a_record_sealed_after_the_check_is_left_sealed_to_the_current_keys(
    app, campaign, monkeypatch
):
    """The check passes batch by batch, so a signature may arrive while it runs: sealed to
    the keys of that moment, it needs no reseal even when the key given cannot open it."""
    monkeypatch.setattr(resealing, "ROWS_PER_BATCH", 1)
    sealed_before_a_new_key(campaign)
    replacement = new_identity()
    add_custodian_key(campaign, recipient_of(replacement), actor=None)
    remove_custodian_key(campaign, recipient_of(CUSTODIAN), actor=None)
    db.session.commit()

    tried = list(resealing.check(campaign, [CUSTODIAN]))
    newcomer = make_signature(campaign, name="Signed During The Check")
    newcomer_sealed = newcomer.sealed
    done = resealing.Resealed()
    for batch in resealing.resealed_batches(campaign, [CUSTODIAN]):
        db.session.commit()
        done += batch

    assert tried == [1, 1, 1]  # one batch at a time, each its own transaction
    assert done.resealed == resealing.Tally(signatures=2, representatives=1)
    assert done.current == resealing.Tally(signatures=1)
    assert db.session.get(Signature, newcomer.id).sealed == newcomer_sealed
    assert opens_everything(replacement)


@pytest.mark.sqlite
def test_on_sqlite_what_the_removed_key_opened_leaves_the_database_files(app, campaign, keys_dir):
    database = Path(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database or "")
    files = [database, database.with_name(database.name + "-wal")]

    def stored() -> bytes:
        db.session.commit()
        return b"".join(path.read_bytes() for path in files if path.exists())

    sealed_before_a_new_key(campaign)
    old = sealed_records()
    assert all(record in stored() for record in old)
    keys(app, "add", SLUG, recipient_of(new_identity()))
    keys(app, "remove", SLUG, recipient_of(CUSTODIAN))

    assert (
        keys(app, "reseal", SLUG, "--identity", str(key_file(keys_dir, CUSTODIAN))).exit_code == 0
    )

    left = stored()
    assert [record for record in old if record in left] == []


def test_on_a_terminal_the_check_and_the_reseal_show_progress(app, campaign, keys_dir):
    sealed_before_a_new_key(campaign)
    db.session.commit()

    done, shown = run_on_a_terminal(
        app, keys_dir, "keys", "reseal", SLUG, "--identity", str(key_file(keys_dir, CUSTODIAN))
    )

    assert done.returncode == 0, shown
    assert "Checking" in shown
    assert "Resealing" in shown
    assert "100%" in shown
