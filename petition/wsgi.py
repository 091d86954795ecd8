"""The WSGI entry point for gunicorn: `gunicorn petition.wsgi:app`. Production needs SECRET_KEY."""

import os
import sys

from petition import create_app
from petition.config import SettingInvalid

if not os.environ.get("SECRET_KEY"):
    sys.exit("SECRET_KEY must be set to serve the site (see README: Settings).")

try:
    app = create_app()
except SettingInvalid as error:
    sys.exit(f"{error} (see README: Settings).")
