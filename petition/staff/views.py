"""The staff blueprint with every screen attached (importing a screen's views registers its
routes on `bp`)."""

from petition.staff.accounts import views as accounts
from petition.staff.audit import views as audit
from petition.staff.blueprint import bp
from petition.staff.campaigns import views as campaigns
from petition.staff.dashboard import views as dashboard
from petition.staff.deliveries import views as deliveries
from petition.staff.exports import views as exports
from petition.staff.organisations import views as organisations
from petition.staff.paper import views as paper
from petition.staff.partners import views as partners
from petition.staff.sign_in import views as sign_in
from petition.staff.signatures import views as signatures
from petition.staff.targets import views as targets
from petition.staff.updates import views as updates

SCREENS = (
    accounts,
    audit,
    campaigns,
    dashboard,
    deliveries,
    exports,
    organisations,
    paper,
    partners,
    sign_in,
    signatures,
    targets,
    updates,
)

__all__ = ["SCREENS", "bp"]
