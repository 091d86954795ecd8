"""Gunicorn's logger, without secrets: link tokens in paths are blanked out, and with
`LOG_FORMAT=json` its error and access lines are JSON objects like the app's (petition/logs)."""

from __future__ import annotations

import os
from typing import Any

from gunicorn.glogging import Logger

from petition.logs import ACCESS, REQUEST_ID_HEADER, JsonLines, RedactedRecord, redact_path


class RedactingLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.error_log.addFilter(RedactedRecord())
        self.json = os.environ.get("LOG_FORMAT", "text") == "json"
        if self.json:
            for handler in (*self.error_log.handlers, *self.access_log.handlers):
                handler.setFormatter(JsonLines())

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact_path(atoms["U"])
        return atoms

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.json:
            super().access(resp, req, environ, request_time)
            return
        fields = access_fields(resp, environ, request_time.total_seconds())
        self.access_log.info(
            "%s %s %s", fields["method"], fields["path"], fields["status"], extra={ACCESS: fields}
        )


def access_fields(resp: Any, environ: dict[str, Any], seconds: float) -> dict[str, Any]:
    """What a JSON access line says of a request: never its address, query, referrer or agent."""
    fields: dict[str, Any] = {
        "method": environ.get("REQUEST_METHOD", "-"),
        "path": redact_path(environ.get("PATH_INFO", "")),
        "status": resp.status_code,
        "duration_ms": round(seconds * 1000, 2),
    }
    request_id = next(
        (value for name, value in resp.headers if name.lower() == REQUEST_ID_HEADER.lower()), None
    )
    if request_id:
        fields["request_id"] = request_id
    return fields
