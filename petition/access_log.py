"""Gunicorn's access logger, without secrets: link tokens in paths are blanked out."""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

# Path segments that follow these carry a single-use secret.
SECRET_PATH = re.compile(r"/(confirm|password|signature|manage)/[^/?]+")


def redact_path(path: str) -> str:
    return SECRET_PATH.sub(r"/\1/…", path)


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact_path(atoms["U"])
        return atoms
