"""`gunicorn wsgi:app` from a checkout; an installed package serves `petition.wsgi:app`."""

from petition.wsgi import app

__all__ = ["app"]
