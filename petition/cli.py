"""`flask --app petition …` commands."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO, TypeVar

import click
from flask import Flask, current_app, url_for
from flask.cli import AppGroup, with_appcontext
from pyrage import x25519
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from petition.backups import BackupError, check_archive, restore_backup, write_backup
from petition.campaigns.custodians import (
    KeyAlreadyAdded,
    KeyNotRegistered,
    LastKey,
    add_custodian_key,
    custodian_keys,
    remove_custodian_key,
)
from petition.campaigns.resealing import (
    KeysCannotOpen,
    NoKeyToSealTo,
    Resealed,
    check,
    record_resealing,
    resealed_batches,
    sealed_count,
)
from petition.campaigns.services import CampaignHasNoCustodian
from petition.coalition.representatives import (
    UNSEALED_COLUMNS,
    decided_readable_count,
    record_representatives_sealed,
    record_representatives_unsealed,
    representatives_count,
    seal_decided_batch,
    unsealed_representatives,
)
from petition.delivery.package import PackageError, build_package, find_campaign, pick_targets
from petition.delivery.pdf import FontsMissing
from petition.demo import ensure_demo_custodian, load_demo
from petition.extensions import db
from petition.i18n import LANGUAGES
from petition.models import Campaign, Role
from petition.models.types import utcnow
from petition.preflight import Status, reason_for, run_checks, shown_url
from petition.retention import purge as apply_retention
from petition.sealing import (
    NotAnIdentity,
    NotARecipient,
    new_identity,
    parse_recipient,
    read_identity,
    recipient_of,
    write_identity,
)
from petition.signing.legacy import SealingDone, legacy_count, record_sealing, seal_legacy_batch
from petition.signing.unsealing import (
    COLUMNS,
    KeyCannotOpen,
    listed_count,
    record_unsealing,
    unsealed_rows,
    write_unsealed,
)
from petition.signing.updates import (
    SUBJECT_MAX,
    CampaignIsDraft,
    WrongCustodianKey,
    new_idempotency_key,
    send_update,
)
from petition.staff.accounts.service import create_from_command_line
from petition.staff.auth import AccountExists
from petition.worker import run_worker

demo = AppGroup("demo", help="Demo data.")
keys = AppGroup("keys", help="Custodian keys: who can read a campaign's sealed signer data.")
staff = AppGroup("staff", help="Staff accounts.")
outbox = AppGroup("outbox", help="The mail outbox.")


@demo.command("load")
def demo_load() -> None:
    """Load the People First campaign (idempotent)."""
    campaign = load_demo()
    identity_file = ensure_demo_custodian(campaign, Path(current_app.instance_path))
    db.session.commit()
    click.echo(f"Demo campaign ready: /en/{campaign.slug}/")
    if identity_file is not None:
        click.echo(f"Demo custodian key (for development only): {identity_file}")


def _campaign(slug: str) -> Campaign:
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise click.ClickException(f"no campaign with the slug {slug!r}")
    return campaign


def _register(campaign: Campaign, recipient: str) -> None:
    try:
        add_custodian_key(campaign, recipient, actor=None)
    except NotARecipient as error:
        raise click.ClickException("that is not an age public key (age1…)") from error
    except KeyAlreadyAdded as error:
        raise click.ClickException("the campaign already has this key") from error


@keys.command("new")
@click.argument("slug")
@click.option(
    "--identity-out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the private key (a new file, readable by you only).",
)
def keys_new(slug: str, identity_out: Path) -> None:
    """Make a custodian key pair for a campaign: the private key goes to a file you keep
    away from this server; the public key is registered and printed."""
    campaign = _campaign(slug)
    identity = new_identity()
    _register(campaign, recipient_of(identity))
    try:
        write_identity(identity, identity_out)
    except FileExistsError as error:
        raise click.ClickException(f"{identity_out} exists; choose a new file") from error
    db.session.commit()
    click.echo(recipient_of(identity))


@keys.command("add")
@click.argument("slug")
@click.argument("recipient")
def keys_add(slug: str, recipient: str) -> None:
    """Register an existing age public key (made with `age-keygen`, say) for a campaign."""
    _register(_campaign(slug), recipient)
    db.session.commit()
    click.echo(f"added: {parse_recipient(recipient)}")


@keys.command("list")
@click.argument("slug")
def keys_list(slug: str) -> None:
    """The public keys a campaign's signer data is sealed to, oldest first."""
    for key in custodian_keys(_campaign(slug)):
        click.echo(f"{key.recipient}  added {key.created_at:%Y-%m-%d %H:%M} UTC")


@keys.command("remove")
@click.argument("slug")
@click.argument("recipient")
def keys_remove(slug: str, recipient: str) -> None:
    """Stop sealing a campaign's data to a custodian's public key (lost or compromised)."""
    try:
        removed = remove_custodian_key(_campaign(slug), recipient, actor=None)
    except NotARecipient as error:
        raise click.ClickException("that is not an age public key (age1…)") from error
    except KeyNotRegistered as error:
        raise click.ClickException(f"{slug!r} does not have this key") from error
    except LastKey as error:
        raise click.ClickException(
            f"this is the only key of {slug!r}: add the key that replaces it first"
        ) from error
    db.session.commit()
    click.echo(f"removed: {removed}")
    click.echo(
        "What was sealed before now still opens with that key, until"
        f" `keys reseal {slug} --identity FILE` seals it again to the keys that remain."
    )


@keys.command("seal-existing")
@click.argument("slug")
def keys_seal_existing(slug: str) -> None:
    """Seal the details of signatures made before sealing, and of representatives decided
    with no decision mail waiting, to the campaign's keys and empty their plain columns, a
    batch at a time; running it again does nothing more."""
    campaign = _campaign(slug)
    done, representatives = SealingDone(), 0
    try:
        with _progress(legacy_count(campaign), "Sealing") as advance:
            while (batch := seal_legacy_batch(campaign)).handled:
                db.session.commit()
                done += batch
                advance(batch.handled)
        with _progress(decided_readable_count(campaign), "Sealing representatives") as advance:
            while sealed := seal_decided_batch(campaign):
                db.session.commit()
                representatives += sealed
                advance(sealed)
    except CampaignHasNoCustodian as error:
        db.session.rollback()
        raise click.ClickException(
            f"{slug!r} has no custodian key to seal to: add one first (keys new, keys add)"
        ) from error
    if done.handled:
        record_sealing(campaign, done)
    if representatives:
        record_representatives_sealed(campaign, representatives)
    db.session.commit()
    click.echo(f"{done.sealed} signature(s) sealed.")
    if done.duplicates:
        click.echo(f"{done.duplicates} duplicate(s) by a signer who signed again removed.")
    click.echo(f"{representatives} representative(s) sealed.")


@outbox.command("run")
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@click.option("--poll", default=1.0, show_default=True, help="Seconds between polls.")
def outbox_run(once: bool, poll: float) -> None:
    """Send queued mail; several workers may run at once on PostgreSQL."""
    handled = run_worker(once=once, poll_seconds=poll)
    if once:
        click.echo(f"{handled} message(s) handled.")


@staff.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
def staff_add(email: str, role: str) -> None:
    """Create a staff account; prints its TOTP set-up URI and a link to set the password."""
    try:
        account = create_from_command_line(email, Role(role))
    except AccountExists as error:
        raise click.ClickException(f"an account for {email} already exists") from error
    db.session.commit()
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        link = url_for("staff.set_password", token=account.password_token, _external=True)
    click.echo(f"TOTP set-up URI (add it to an authenticator app):\n  {account.totp_uri}")
    click.echo(f"One-time link to set the password:\n  {link}")


@click.command("purge")
@with_appcontext
def purge() -> None:
    """Apply the retention rules now (the outbox worker also does, once an hour)."""
    report = apply_retention()
    for name, count in report.counts.items():
        click.echo(f"{name}: {count}")
    click.echo(f"{report.total} removed in all.")


@click.command("deliver")
@click.argument("slug")
@click.option(
    "--target",
    "choice",
    required=True,
    metavar="TARGET_ID|all",
    help="A target's id, or 'all' for one package per target of the campaign.",
)
@click.option(
    "-o",
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the package folders into.",
)
@click.option(
    "--cutoff",
    metavar="ISO-8601",
    help="Count only what was confirmed before this moment (UTC unless zoned); default: now.",
)
@with_appcontext
def deliver(slug: str, choice: str, out_dir: Path, cutoff: str | None) -> None:
    """Write delivery packages for campaign SLUG: one folder per target under OUT."""
    try:
        campaign = find_campaign(slug)
        targets = pick_targets(campaign, choice)
        moment = parse_cutoff(cutoff)
        for target in targets:
            with _progress(100, f"Package for {target.name}") as advance:
                package = build_package(
                    campaign, target, cutoff=moment, out_dir=out_dir, progress=_percent(advance)
                )
            db.session.commit()
            click.echo(
                f"{package.folder}\n  manifest sha256: {package.manifest_sha256}"
                f"\n  names: {package.names_policy.value}"
            )
    except (PackageError, FontsMissing) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error


# A custodian's private key, for one command: read into memory, never stored.
identity_option = click.option(
    "--identity",
    "identity_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="A custodian's age identity file (AGE-SECRET-KEY-1…): read into memory, never stored.",
)


@keys.command("reseal")
@click.argument("slug")
@click.option(
    "--identity",
    "identity_files",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    multiple=True,
    required=True,
    help="A custodian's age identity file that opens the campaign's sealed records (give"
    " several if no one key opens them all): read into memory, never stored.",
)
def keys_reseal(slug: str, identity_files: tuple[Path, ...]) -> None:
    """Seal every sealed record of a campaign (signers, representatives) again to its keys
    as they are now: a key added since opens them all, a key removed none. Nothing changes
    unless the keys given open every record."""
    campaign = _campaign(slug)
    identities = [_identity(path) for path in identity_files]
    total = sealed_count(campaign)
    done = Resealed()
    try:
        with _progress(total, "Checking") as advance:
            for tried in check(campaign, identities):
                advance(tried)
        with _progress(total, "Resealing") as advance:
            for batch in resealed_batches(campaign, identities):
                db.session.commit()
                done += batch
                advance(batch.handled)
    except KeysCannotOpen as error:
        db.session.rollback()
        raise click.ClickException(_cannot_open(error)) from error
    except NoKeyToSealTo as error:
        db.session.rollback()
        raise click.ClickException(
            f"{slug!r} has no custodian key to seal to: add one first (keys new, keys add)"
        ) from error
    record_resealing(campaign, identities, done)
    db.session.commit()
    resealed = done.resealed
    click.echo(
        f"{resealed.signatures} signature(s) and {resealed.representatives} representative(s)"
        f" resealed to the keys of {slug!r}."
    )
    if done.current.total:
        click.echo(f"{done.current.total} sealed since the check had those keys already.")


def _cannot_open(error: KeysCannotOpen) -> str:
    unopened = error.unopened
    return (
        f"the key(s) given cannot open {unopened.total} of {error.sealed.total} sealed"
        f" record(s) ({unopened.signatures} signature(s), {unopened.representatives}"
        " representative(s)): not the campaign's keys, or added after those were sealed;"
        " give a key that opens them too. Nothing was changed."
    )


@dataclass(frozen=True)
class Unsealing:
    """What `unseal` lists: signers, or organisations' representatives."""

    count: Callable[[Campaign], int]
    rows: Callable[[Campaign, x25519.Identity], Iterator[list[str]]]
    columns: Sequence[str]
    record: Callable[[Campaign, x25519.Identity, int], None]
    noun: str


SIGNERS = Unsealing(listed_count, unsealed_rows, COLUMNS, record_unsealing, "signature(s)")
REPRESENTATIVES = Unsealing(
    representatives_count,
    unsealed_representatives,
    UNSEALED_COLUMNS,
    record_representatives_unsealed,
    "representative(s)",
)


@click.command("unseal")
@click.argument("slug")
@identity_option
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The CSV to write (a new file, readable by you only).",
)
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@click.option(
    "--organisations",
    is_flag=True,
    help="List the organisations' representatives (name, role, email) instead of signers.",
)
@with_appcontext
def unseal(slug: str, identity_file: Path, out: Path, force: bool, organisations: bool) -> None:
    """Write campaign SLUG's pending and confirmed signers, as they typed their name, email
    and city (or with --organisations, its organisations' representatives), to a CSV: it
    holds personal data, keep it off this server."""
    campaign = _campaign(slug)
    identity = _identity(identity_file)
    listing = REPRESENTATIVES if organisations else SIGNERS
    try:
        with _progress(listing.count(campaign), "Unsealing") as advance:
            rows = _advancing(listing.rows(campaign, identity), advance)
            written = write_unsealed(out, rows, columns=listing.columns, force=force)
    except FileExistsError as error:
        raise click.ClickException(f"{out} exists; choose a new file or use --force") from error
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror}") from error
    except KeyCannotOpen as error:
        raise click.ClickException(
            f"this key cannot open {error.what} {error.record_id}: it is not one of the"
            " campaign's keys, or was added after that was sealed (`keys reseal` with a key"
            " that opens it seals it to the new one too); nothing written"
        ) from error
    listing.record(campaign, identity, written)
    db.session.commit()
    click.echo(f"{written} {listing.noun} written to {out}")


def _identity(path: Path) -> x25519.Identity:
    try:
        return read_identity(path)
    except OSError as error:
        raise click.ClickException(f"cannot read {path}: {error.strerror}") from error
    except NotAnIdentity as error:
        raise click.ClickException(
            f"{path} holds no age identity (a line AGE-SECRET-KEY-1…)"
        ) from error


@contextmanager
def _progress(length: int, label: str) -> Iterator[Callable[[int], None]]:
    """A function that advances by so many steps: a bar on a terminal (stderr); elsewhere
    (logs, pipes, cron mail) a plain line at every tenth of the way."""
    if sys.stderr.isatty():
        with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
            yield bar.update
        return
    yield _plain_lines(length, label)


def _plain_lines(length: int, label: str) -> Callable[[int], None]:
    done = 0
    tenth = max(1, length // 10)

    def advance(steps: int) -> None:
        nonlocal done
        before, done = done, done + steps
        if done // tenth > before // tenth or before < length <= done:
            click.echo(f"{label}: {min(done, length)} of {length}", err=True)

    return advance


def _percent(advance: Callable[[int], None]) -> Callable[[int], None]:
    """A package build's report (percent done so far) as steps of a progress of 100."""
    done = 0

    def report(percent: int) -> None:
        nonlocal done
        advance(percent - done)
        done = percent

    return report


Item = TypeVar("Item")


def _advancing(items: Iterable[Item], advance: Callable[[int], None]) -> Iterator[Item]:
    for item in items:
        advance(1)
        yield item


def parse_cutoff(raw: str | None) -> datetime:
    if raw is None:
        return utcnow().replace(microsecond=0)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as error:
        raise PackageError(f"--cutoff {raw!r} is not an ISO-8601 date and time") from error
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


updates = AppGroup("updates", help="Campaign updates to signers who asked for them.")


@updates.command("send")
@click.argument("slug")
@click.option("--lang", type=click.Choice(LANGUAGES), required=True)
@click.option("--subject", required=True, help="A neutral subject line.")
@click.option("--body-file", type=click.File(encoding="utf-8"), required=True)
@identity_option
def updates_send(
    slug: str, lang: str, subject: str, body_file: TextIO, identity_file: Path
) -> None:
    """Queue an update, in one language, to the confirmed signers who asked for updates;
    their addresses are opened with the custodian's key, in memory only."""
    campaign = _campaign(slug)
    if len(subject.strip()) > SUBJECT_MAX:
        raise click.ClickException(f"the subject is longer than {SUBJECT_MAX} characters")
    try:
        update = send_update(
            campaign,
            lang,
            subject=subject.strip(),
            body=body_file.read().strip(),
            identity=_identity(identity_file),
            idempotency_key=new_idempotency_key(),  # each run of the command is one send
            actor=None,
        )
    except WrongCustodianKey as error:
        raise click.ClickException(
            f"that key cannot open the signer data of {slug!r}: nothing was queued"
        ) from error
    except CampaignIsDraft as error:
        raise click.ClickException(f"{slug!r} is a draft: nobody has signed it") from error
    db.session.commit()
    click.echo(f"{update.recipients} update(s) queued.")


@click.command("check")
@with_appcontext
def check_deployment() -> None:
    """Check what a deployment needs (database, translations, fonts, mail, Redis, BASE_URL,
    custodian keys): one line each; the exit code is 0 only when none fails."""
    failed = 0
    for result in run_checks():
        click.echo(result.line)
        failed += result.status is Status.FAIL
    if failed:
        raise click.ClickException(f"{failed} check(s) failed")


@click.command("backup")
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The archive to write (a new file, readable by you only).",
)
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@with_appcontext
def backup(out: Path, force: bool) -> None:
    """Write one archive of the database and the instance files that matter (logos,
    delivery packages); it holds no signer in the clear and no key (deploy/README.md)."""
    try:
        size = write_backup(out, force=force, report=click.echo)
    except FileExistsError as error:
        raise click.ClickException(f"{out} exists; choose a new file or use --force") from error
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror}") from error
    except (BackupError, SQLAlchemyError) as error:
        raise click.ClickException(_backup_failure(error)) from error
    click.echo(f"done: {out}, {size} bytes")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds campaigns.")
@click.option("--check", "check_only", is_flag=True, help="Only check the archive; change nothing.")
@with_appcontext
def restore(archive: Path, force: bool, check_only: bool) -> None:
    """Check ARCHIVE (made by `backup`) and put its database and files in place of the
    configured ones; a damaged archive changes nothing."""
    try:
        if check_only:
            click.echo(f"archive: ok, {check_archive(archive).summary}")
            return
        restored = restore_backup(archive, force=force, report=click.echo)
    except OSError as error:
        raise click.ClickException(
            f"the restore stopped: {error.strerror} ({error.filename}); fix it and restore again"
            " with --force"
        ) from error
    except (BackupError, SQLAlchemyError) as error:
        raise click.ClickException(_backup_failure(error)) from error
    click.echo(f"done: the database is at revision {restored.revision}")
    if restored.needs_upgrade:
        click.echo(
            f"This version of the app is at {restored.head}: run `flask --app petition db upgrade`."
        )


def _backup_failure(error: BackupError | SQLAlchemyError) -> str:
    """What stopped a backup or restore, naming no password and no row."""
    if isinstance(error, BackupError):
        return str(error)
    url = shown_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    return f"the database {url} cannot be used ({reason_for(error)}); check DATABASE_URL"


def register(app: Flask) -> None:
    app.cli.add_command(backup)
    app.cli.add_command(check_deployment)
    app.cli.add_command(deliver)
    app.cli.add_command(demo)
    app.cli.add_command(keys)
    app.cli.add_command(outbox)
    app.cli.add_command(purge)
    app.cli.add_command(restore)
    app.cli.add_command(staff)
    app.cli.add_command(unseal)
    app.cli.add_command(updates)
