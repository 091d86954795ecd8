"""`flask --app petition …` commands."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from petition.demo import load_demo
from petition.extensions import db
from petition.mail.worker import run_worker

demo = AppGroup("demo", help="Demo data.")
outbox = AppGroup("outbox", help="The mail outbox.")


@demo.command("load")
def demo_load() -> None:
    """Load the People First campaign (idempotent)."""
    campaign = load_demo()
    db.session.commit()
    click.echo(f"Demo campaign ready: /en/{campaign.slug}/")


@outbox.command("run")
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@click.option("--poll", default=1.0, show_default=True, help="Seconds between polls.")
def outbox_run(once: bool, poll: float) -> None:
    """Send queued mail; several workers may run at once on PostgreSQL."""
    handled = run_worker(once=once, poll_seconds=poll)
    if once:
        click.echo(f"{handled} message(s) handled.")


def register(app: Flask) -> None:
    app.cli.add_command(demo)
    app.cli.add_command(outbox)
