"""The staff home: the campaigns at a glance."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from petition.extensions import db
from petition.models import Campaign
from petition.staff.blueprint import bp
from petition.staff.permissions import Permission, require


@bp.get("/")
@require(Permission.VIEW_DASHBOARD)
def home() -> ResponseReturnValue:
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.created_at.desc()))
    return render_template("staff/home.html", campaigns=list(campaigns))
