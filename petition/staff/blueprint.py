"""The staff blueprint: every staff page is private, never cached and never indexed; and what
every screen's views do alike."""

from __future__ import annotations

from flask import Blueprint, Response, flash
from flask_babel import gettext as _

from petition.extensions import db

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.after_request
def keep_private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def commit_if_changed(changed: object, saved: str) -> bool:
    """Commit and say `saved` if the service changed anything, else say nothing was."""
    if not changed:
        flash(_("Nothing was changed."), "info")
        return False
    db.session.commit()
    flash(saved, "success")
    return True
