"""The WSGI entry point for gunicorn: `gunicorn petition.wsgi:app`. Production needs SECRET_KEY."""

import os
import sys

from petition import create_app

if not os.environ.get("SECRET_KEY"):
    sys.exit("SECRET_KEY must be set to serve the site (see README: Settings).")

app = create_app()
