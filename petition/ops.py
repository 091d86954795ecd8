"""Liveness and readiness probes, and the language-picking root."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from petition.extensions import db
from petition.i18n import preferred_language

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    headers = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return "database unreachable\n", 503, headers
    return "ok\n", 200, headers


@bp.get("/")
def root() -> ResponseReturnValue:
    response = redirect(url_for("campaigns.index", lang=preferred_language()))
    response.headers["Vary"] = "Accept-Language"
    return response
