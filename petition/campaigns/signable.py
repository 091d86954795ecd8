"""What a signing POST needs of an open campaign, kept by each process for a few seconds.

On a viral day every signing POST would otherwise load the campaign and its texts only to
learn three things: its id, the hash of the text the signer was shown, and the keys to seal
the signer's details to. Keeping that for
`CAMPAIGN_SNAPSHOT_SECONDS` is safe because nothing it holds can let a wrong signature in:

- the insert itself checks that the campaign is still open (`signing.services`), so a
  campaign closed in the console takes no signature anywhere from that moment;
- a form that brings a text hash other than the kept one makes the process read the
  campaign afresh, so a signer who read an edited text is never told it changed.

What a kept copy can do is accept, for those few seconds after an edit, a form sent from the
previous text; the signature then records that text's hash, which is what the signer read.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from flask import current_app
from werkzeug.exceptions import ServiceUnavailable

from petition.campaigns.custodians import recipients
from petition.campaigns.services import get_open
from petition.i18n import LANGUAGES

log = logging.getLogger("petition.signing")


@dataclass(frozen=True)
class Signable:
    id: int
    statement_sha256: dict[str, str]  # per page language, as `Campaign.text` picks the text
    # The custodians' keys its signer data is sealed to. Keys are only ever added: a
    # signature sealed to a kept list, a moment after a key was added, is still readable.
    recipients: tuple[str, ...]


@dataclass
class SignableCache:
    entries: dict[str, tuple[float, Signable]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def signable(slug: str, shown: str | None, lang: str) -> Signable:
    """The open campaign `slug` as signing needs it; 404 or 410 as `get_open` answers.

    `shown` is the text hash the form brings: if it is not the kept one, the campaign is
    read again (it may have been edited since it was kept)."""
    cache = _cache()
    now = time.monotonic()
    entry = cache.entries.get(slug)
    if entry is not None and entry[0] > now and entry[1].statement_sha256[lang] == shown:
        return entry[1]
    campaign = get_open(slug)
    found = Signable(
        id=campaign.id,
        statement_sha256={code: campaign.text(code).sha256 for code in LANGUAGES},
        recipients=tuple(recipients(campaign)),
    )
    if not found.recipients:
        # Only a campaign opened before keys were required: nothing may be stored unsealed.
        log.error("campaign %s is open without a custodian key: signing refused", campaign.id)
        raise ServiceUnavailable
    with cache.lock:
        cache.entries[slug] = (now + current_app.config["CAMPAIGN_SNAPSHOT_SECONDS"], found)
    return found


def _cache() -> SignableCache:
    cache: SignableCache = current_app.extensions.setdefault("petition.signable", SignableCache())
    return cache
