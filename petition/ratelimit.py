"""Rate-limit keys: a keyed hash of the client address, so the limit store never holds it;
and which clients share an address with many others (`SHARED_CLIENT_ADDRESSES`)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from functools import cache

from flask import current_app, request

from petition.config import SettingInvalid

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def keyed(value: str) -> str:
    """`value` as the limit store may keep it: hashed with a key the store never sees."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.digest(secret, b"rate-limit:" + value.encode(), hashlib.sha256).hex()[:32]


def rate_limit_key() -> str:
    return keyed(request.remote_addr or "unknown")


def is_shared_client() -> bool:
    """Whether this request's address stands for many people (every visitor of an onion
    service arrives from the local tor daemon), or there is no address at all.

    Only the address decides, never the `Host` a request names: anyone on the clearnet can
    send `Host: <the onion>`, and would then move a flood from its own address's budget onto
    the one the crowd over Tor shares.
    """
    address = request.remote_addr
    if not address:
        return True
    networks = shared_networks(current_app.config["SHARED_CLIENT_ADDRESSES"])
    try:
        ip = ipaddress.ip_address(address.partition("%")[0])
    except ValueError:
        return True  # a socket's path, say: no address that tells clients apart
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1, from a server listening on both families
    return any(ip in network for network in networks)


@cache
def shared_networks(setting: str) -> tuple[Network, ...]:
    """The networks of `SHARED_CLIENT_ADDRESSES` ("127.0.0.1, ::1, 10.0.0.0/8")."""
    networks = []
    for item in filter(None, (part.strip() for part in setting.split(","))):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as error:
            raise SettingInvalid(
                f"SHARED_CLIENT_ADDRESSES: {item!r} is not an IP address or network "
                "(give a comma-separated list such as 127.0.0.1, ::1)"
            ) from error
    return tuple(networks)
