"""Rate limits on the public forms: generous enough for a shared address, firm for a flood."""

from __future__ import annotations

from flask import Blueprint, current_app

from petition.extensions import limiter

# Every form POST of the public blueprints draws on one budget per client.
SCOPE = "public-forms"


def _burst() -> str:
    return str(current_app.config["RATELIMIT_PUBLIC_BURST"])


def _sustained() -> str:
    return str(current_app.config["RATELIMIT_PUBLIC_SUSTAINED"])


def limit_public_forms(*blueprints: Blueprint) -> None:
    for bp in blueprints:
        limiter.limit(_burst, methods=["POST"], scope=SCOPE)(bp)
        limiter.limit(_sustained, methods=["POST"], scope=SCOPE + "-sustained")(bp)
