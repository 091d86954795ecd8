"""Serving stored logos: only files we wrote, only as PNG, never as anything a browser runs."""

from __future__ import annotations

from flask import Blueprint, Response, abort, send_from_directory

from petition.coalition.logos import is_logo_name, logo_folder

bp = Blueprint("logos", __name__)

# Names are random and a stored file never changes, so caches may keep it for a year.
CACHE_SECONDS = 365 * 24 * 60 * 60


@bp.get("/logos/<name>")
def logo(name: str) -> Response:
    """The name is checked before it is joined to any path, so nothing but our own random
    names can reach the file system; the headers keep a browser from treating the bytes as
    anything but an image even if a bad file ever slipped in."""
    if not is_logo_name(name):
        abort(404)
    response = send_from_directory(
        logo_folder(), name, mimetype="image/png", max_age=CACHE_SECONDS, conditional=True
    )
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response
