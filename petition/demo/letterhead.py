"""The demo coalition's letterhead and the people who sign its letters: all invented."""

from __future__ import annotations

from petition.extensions import db
from petition.models import Campaign, Signatory

LETTERHEAD = {
    "letterhead_name": "People First coalition",
    "letterhead_address": "Coalition secretariat\nPostbus 1025\n1000 BA Amsterdam\nNetherlands",
    "letterhead_email": "letters@people-first.example",
    "letterhead_phone": "+31 20 555 0100",
    "letterhead_website": "people-first.example",
}
# (name, title, organisation): invented people. They sign every letter, also to a party that
# receives only numbers, so none is given a member organisation: that would name it there.
SIGNATORIES = (
    ("Hanna Verbeek", "Coordinator", "People First coalition secretariat"),
    ("Oksana Bilous", "Co-chair", "People First coordinating council"),
    ("Tomas Jurevičius", "Co-chair", "People First coordinating council"),
)


def load_letterhead(campaign: Campaign) -> None:
    """Give the campaign the demo letterhead and signatories where it has none yet."""
    for field, value in LETTERHEAD.items():
        if not (getattr(campaign, field) or "").strip():  # None until a new one is flushed
            setattr(campaign, field, value)
    if not campaign.signatories:
        campaign.signatories = [
            Signatory(position=position, name=name, title=title, organisation=organisation)
            for position, (name, title, organisation) in enumerate(SIGNATORIES, start=1)
        ]
    db.session.flush()
