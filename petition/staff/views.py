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
    views_review,
    views_targets,
    views_updates,
)
from petition.staff.blueprint import bp

__all__ = [
    "bp",
    "views_account",
    "views_accounts",
    "views_audit",
    "views_campaigns",
    "views_dashboard",
    "views_deliveries",
    "views_exports",
    "views_organisations",
    "views_review",
    "views_targets",
    "views_updates",
]
