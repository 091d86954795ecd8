"""`Onion-Location`: public pages over HTTPS tell Tor Browser where the onion service is.

Tor Browser offers the switch when a top-level HTML page it received over HTTPS carries the
header (it ignores it over plain HTTP, and on anything but HTML). The staff console never
sends it: staff work on one origin, the HTTPS one with HSTS, whose sign-in limits key on
each client's own address; over the onion every client shares the tor daemon's address, so
one person over Tor could spend the sign-in budget of every colleague on it.
"""

from __future__ import annotations

import re
from urllib.parse import quote, quote_from_bytes

from flask import Flask, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface

from petition.config import SettingInvalid

# A v3 onion service's address: 56 base32 characters (RFC 4648's lowercase alphabet).
ONION_ORIGIN = re.compile(r"http://[a-z2-7]{56}\.onion")
# What may stay as it is in a path or a query string; anything else is percent-encoded, so
# no byte a request brings (a line break, say) reaches the header as it came.
PATH_SAFE = "/-._~!$&'()*+,;=:@"


def onion_origin(setting: str) -> str:
    """The origin of `ONION_LOCATION` ("" when unset); SettingInvalid if it is not one."""
    origin = setting.strip().rstrip("/")
    if origin and not ONION_ORIGIN.fullmatch(origin):
        raise SettingInvalid(
            f"ONION_LOCATION: {setting!r} is not an onion service's origin; give "
            "http://<the 56 characters of its v3 address>.onion, without a path "
            "(tor writes the address to the hostname file of its HiddenServiceDir)"
        )
    return origin


def add_onion_location(response: Response) -> Response:
    """The same page on the onion service, on a public HTML page sent over HTTPS."""
    origin = current_app.config["ONION_LOCATION"]
    if not origin or not request.is_secure or response.mimetype != "text/html":
        return response
    if (request.blueprint or "").partition(".")[0] == "staff":
        return response
    location = origin + quote(request.script_root + request.path, safe=PATH_SAFE)
    if request.query_string:  # as sent, so its percent-escapes stay
        location += "?" + quote_from_bytes(request.query_string, safe=PATH_SAFE + "?%")
    response.headers["Onion-Location"] = location
    return response


class OnionSessions(SecureCookieSessionInterface):
    """Session cookies without `Secure` on the onion service, which is plain HTTP (tor
    encrypts and authenticates the way): Tor Browser keeps a Secure cookie on a .onion
    page, but other browsers reaching the onion through Tor (Brave's Tor windows) drop it,
    and every form would then fail its CSRF check. The cookie belongs to the onion's host
    alone, so no clearnet page can receive it; a clearnet request that names the onion as
    its `Host` only gets a cookie of its own without the flag."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) and not _on_the_onion(app)


def _on_the_onion(app: Flask) -> bool:
    origin = app.config["ONION_LOCATION"]
    return bool(origin) and request.host.partition(":")[0].lower() == origin.partition("//")[2]
