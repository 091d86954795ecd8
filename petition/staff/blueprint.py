"""The staff blueprint: every staff page is private, never cached and never indexed."""

from __future__ import annotations

from flask import Blueprint, Response

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.after_request
def keep_private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
