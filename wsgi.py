"""The WSGI entry point for gunicorn: `gunicorn wsgi:app`."""

from petition import create_app

app = create_app()
