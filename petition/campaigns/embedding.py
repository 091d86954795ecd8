"""Which partners' sites may frame a campaign's signing form (`/<lang>/<slug>/embed`).

A frame is a place another site controls: it can cover the form, or pass it off as its
own. So the form is framable only by the origins staff list for the campaign, and its
`frame-ancestors` names exactly those; a campaign that lists none is framed by nobody. An
origin is a scheme, a host and a port, nothing else: a line that could add a word to the
policy (a space, a semicolon, a quote, a wildcard) is not an origin and is refused."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from petition import audit
from petition.models import Campaign, StaffUser

MAX_ORIGINS = 20
MAX_ORIGIN_LENGTH = 200
# http is allowed only for a site on this very machine (a partner trying the embed out);
# anywhere else a form inside a page sent in the clear can be rewritten on the way.
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


class OriginInvalid(ValueError):
    """A line of the list is not an https origin; `line` is the line as written."""

    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line


class TooManyOrigins(ValueError):
    """The list names more than MAX_ORIGINS origins."""


def parse_origins(text: str) -> tuple[str, ...]:
    """The origins of `text`, one per line (blank lines ignored), each normalised to
    `scheme://host[:port]` in lower case with the host in ASCII (IDNA), without repeats."""
    origins: list[str] = []
    for line in text.splitlines():
        if line.strip():
            origin = _origin(line.strip())
            if origin not in origins:
                origins.append(origin)
    if len(origins) > MAX_ORIGINS:
        raise TooManyOrigins
    return tuple(origins)


def _origin(line: str) -> str:
    if len(line) > MAX_ORIGIN_LENGTH or not line.isprintable() or " " in line:
        raise OriginInvalid(line)
    try:
        parts = urlsplit(line)
        port = parts.port
        host = _ascii_host(parts.hostname or "")
    except ValueError as error:
        raise OriginInvalid(line) from error
    shape_ok = parts.path in ("", "/") and not (parts.query or parts.fragment)
    if not shape_ok or parts.username is not None or parts.password is not None:
        raise OriginInvalid(line)
    if parts.scheme != "https" and not (parts.scheme == "http" and host in LOOPBACK_HOSTS):
        raise OriginInvalid(line)
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


def _ascii_host(hostname: str) -> str:
    """The host as a policy may name it: IDNA labels, or a loopback address."""
    if hostname in ("127.0.0.1", "::1"):
        return hostname if hostname == "127.0.0.1" else "[::1]"
    labels = hostname.encode("idna").decode("ascii").lower().split(".")
    if len(labels) < 2 and labels != ["localhost"]:
        raise ValueError(hostname)
    if not all(HOST_LABEL.fullmatch(label) for label in labels):
        raise ValueError(hostname)
    return ".".join(labels)


def embed_origins(campaign: Campaign) -> tuple[str, ...]:
    return tuple(campaign.embed_origins.split())


def frame_ancestors(campaign: Campaign) -> str:
    """The `frame-ancestors` sources of the campaign's embeddable form."""
    return " ".join(embed_origins(campaign)) or "'none'"


def set_embed_origins(campaign: Campaign, origins: tuple[str, ...], *, actor: StaffUser) -> bool:
    """Save the origins that may frame the form (as `parse_origins` gives them) and audit the
    change; False, with nothing recorded, if they are the ones already saved."""
    if origins == embed_origins(campaign):
        return False
    campaign.embed_origins = "\n".join(origins)
    audit.record(
        "campaign.embedding_updated",
        actor=actor,
        object_type="campaign",
        object_id=campaign.id,
        detail=f"origins={' '.join(origins) or 'none'}",
    )
    return True
