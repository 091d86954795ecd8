"""What a page reached through an emailed link shows when the link is bad or old."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import render_template
from flask.typing import ResponseReturnValue

from petition.extensions import db
from petition.models import Campaign
from petition.tokens import LinkExpired, LinkInvalid

# Pages behind a link hold personal data: never cached anywhere, never in a search index.
PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}

View = TypeVar("View", bound=Callable[..., ResponseReturnValue])


def link_page(expired: Callable[[Campaign], ResponseReturnValue]) -> Callable[[View], View]:
    """Turn LinkInvalid into a clear 404 page and LinkExpired into `expired(campaign)`,
    rolling back anything the view had started."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            try:
                return view(*args, **kwargs)
            except LinkExpired as error:
                db.session.rollback()
                return expired(error.campaign)
            except LinkInvalid:
                db.session.rollback()
                return render_template("signing/link_invalid.html"), 404, PRIVATE

        return guarded  # type: ignore[return-value]

    return decorate
