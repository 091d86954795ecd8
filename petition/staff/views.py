"""The staff blueprint with every screen attached (importing a screen's views registers its
routes on `bp`)."""

from petition.staff import (
    views_campaigns,
    views_deliveries,
    views_exports,
    views_review,
    views_targets,
    views_updates,
)
from petition.staff.accounts import views as accounts
from petition.staff.audit import views as audit
from petition.staff.blueprint import bp
from petition.staff.dashboard import views as dashboard
from petition.staff.organisations import views as organisations
from petition.staff.sign_in import views as sign_in

SCREENS = (
    accounts,
    audit,
    dashboard,
    organisations,
    sign_in,
    views_campaigns,
    views_deliveries,
    views_exports,
    views_review,
    views_targets,
    views_updates,
)

__all__ = ["SCREENS", "bp"]
