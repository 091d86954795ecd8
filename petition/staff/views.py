"""The staff blueprint with all its views attached (importing a module registers its routes)."""

from petition.staff import views_account, views_dashboard
from petition.staff.blueprint import bp

__all__ = ["bp", "views_account", "views_dashboard"]
