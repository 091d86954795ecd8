"""`/embed/<slug>/…`: a campaign's counts for partners' sites, framable by any page.

A counter shows only what the campaign page shows to everyone (the cached totals), sets no
cookie, runs no script and reads nothing about its visitor, so any site may show it: as a
small page in an `<iframe>` or as an SVG badge in an `<img>`. Its language is `?lang=`."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import format_number, gettext

from petition.campaigns import services
from petition.campaigns.counts import Counts, campaign_counts
from petition.i18n import LANGUAGES
from petition.models import Campaign
from petition.page_cache import shared_page
from petition.security import allow_framing

bp = Blueprint("embed", __name__, url_prefix="/embed")
# Wide enough for any language's label and a seven-digit count in a common sans-serif face.
BADGE_CHAR_WIDTH = 7
BADGE_PADDING = 10


@bp.url_value_preprocessor
def take_lang(endpoint: str | None, values: dict[str, object] | None) -> None:
    lang = request.args.get("lang", "en")
    if lang not in LANGUAGES:
        abort(404)
    g.lang = lang


def _public_counts(slug: str) -> tuple[Campaign, Counts]:
    campaign = services.get_public(slug)
    return campaign, campaign_counts(campaign.id)


def _embeddable(body: str, mimetype: str) -> Response:
    """`body` for any site to frame or show, cacheable for as long as its counts are."""
    response = Response(body, mimetype=mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = int(current_app.config["COUNTS_TTL_SECONDS"])
    response.add_etag()
    response.make_conditional(request)
    return allow_framing(response, "*")


@bp.get("/<slug>/counter")
@shared_page
def counter(slug: str) -> ResponseReturnValue:
    campaign, counts = _public_counts(slug)
    page = render_template(
        "campaigns/embed_counter.html",
        campaign=campaign,
        text=campaign.text(g.lang),
        counts=counts,
    )
    return _embeddable(page, "text/html")


@bp.get("/<slug>/counter.svg")
@shared_page
def badge(slug: str) -> ResponseReturnValue:
    _, counts = _public_counts(slug)
    label = gettext("Signatures")
    number = format_number(counts.individuals)
    label_width = len(label) * BADGE_CHAR_WIDTH + 2 * BADGE_PADDING
    number_width = len(number) * BADGE_CHAR_WIDTH + 2 * BADGE_PADDING
    svg = render_template(
        "campaigns/counter.svg",
        label=label,
        number=number,
        label_width=label_width,
        number_width=number_width,
    )
    return _embeddable(svg, "image/svg+xml")
