"""The staff blueprint with all its views attached (importing a module registers its routes)."""

from petition.staff import (
    views_account,
    views_accounts,
    views_audit,
    views_campaigns,
    views_dashboard,
    views_deliveries,
    views_exports,
    views_organisations,
    views_targets,
)
from petition.staff.blueprint import bp
from petition.staff.signatures import views as signatures_views
from petition.staff.updates import views as updates_views

__all__ = [
    "bp",
    "signatures_views",
    "updates_views",
    "views_account",
    "views_accounts",
    "views_audit",
    "views_campaigns",
    "views_dashboard",
    "views_deliveries",
    "views_exports",
    "views_organisations",
    "views_targets",
]
