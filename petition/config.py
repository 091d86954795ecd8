"""Typed settings, read once from the environment when the app is created."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any

# Whoever sees a signer's inbox sees the sender's name: it must not say "petition" or name
# a campaign. Production sets MAIL_DEFAULT_SENDER on a neutral domain too (README).
DEFAULT_SENDER = "Notifications <no-reply@localhost>"


class SettingInvalid(ValueError):
    """A setting the app cannot run with; the message names it and says what it takes."""


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def database_url(raw: str | None, instance_path: Path) -> str:
    """The SQLAlchemy URL: SQLite in the instance folder by default, psycopg 3 for PostgreSQL."""
    if not raw:
        return f"sqlite:///{instance_path / 'petition.db'}"
    for prefix in ("postgresql://", "postgres://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw.removeprefix(prefix)
    return raw


def dev_secret_key(instance_path: Path) -> str:
    """A key generated once into the instance folder, for local use only."""
    path = instance_path / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def default_base_url(env: Mapping[str, str], instance_path: Path) -> str:
    """Where links point when BASE_URL is unset: the local `PORT`; else the address `make run`
    noted in the instance folder (so a command in another terminal links to the running
    site); else port 5000."""
    if "PORT" in env:
        return f"http://127.0.0.1:{env['PORT']}"
    noted = instance_path / "base_url"
    if noted.is_file():
        return noted.read_text().strip()
    return "http://127.0.0.1:5000"


def absolute_folder(env: Mapping[str, str], name: str) -> str | None:
    """A folder the operator names in `name`, or None. It must be absolute: the web, worker
    and backup processes start in different directories and must all mean the same place."""
    raw = env.get(name) or None
    if raw is not None and not Path(raw).is_absolute():
        raise ValueError(f"{name} must be an absolute path, like /srv/petition/files, not {raw!r}")
    return raw


def derived_key(secret: str, purpose: str) -> str:
    """A key for one purpose, derived from SECRET_KEY when the operator sets none of its own."""
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def tunables_from(env: Mapping[str, str]) -> dict[str, Any]:
    """Settings with a default (limits, timeouts, sizes) that the environment overrides."""
    found: dict[str, Any] = {}
    for field in fields(Settings):
        raw = env.get(field.name)
        if raw is None or field.default is MISSING:
            continue
        kind = type(field.default)
        found[field.name] = _flag(raw) if kind is bool else kind(raw)
    return found


@dataclass(frozen=True)
class Settings:
    """Everything the operator can set; names follow ARCHITECTURE.md."""

    SECRET_KEY: str
    # Keys the hashes of signers' addresses (petition/personal.py). Derived from SECRET_KEY
    # unless set; set it on its own to be free to change SECRET_KEY later: a new hash key
    # lets every earlier signer sign a second time.
    EMAIL_HASH_KEY: str
    SQLALCHEMY_DATABASE_URI: str
    BASE_URL: str
    MAIL_SERVER: str | None
    MAIL_PORT: int
    MAIL_USE_TLS: bool
    MAIL_USE_SSL: bool
    MAIL_USERNAME: str | None
    MAIL_PASSWORD: str | None
    # The certificate authorities a TLS mail server's certificate must chain to (a PEM
    # file), for a relay with a private CA; unset: the system's. Always verified, with the
    # host name: mail carries links that confirm, unmask or withdraw a signature.
    MAIL_TLS_CA_FILE: str | None
    MAIL_DEFAULT_SENDER: str
    REDIS_URL: str | None
    # The bearer token Prometheus sends to scrape /metrics (petition/metrics.py); unset, there
    # is no /metrics at all.
    METRICS_TOKEN: str | None
    # Where delivery packages are built and served from (unset: `deliveries/` in the instance
    # folder), and where organisations' logos are kept (unset: `logos/` there). Several web
    # hosts need storage they all share; backups take whatever these point at.
    DELIVERY_DIR: str | None
    LOGO_FOLDER: str | None
    # Seconds a person needs at least between opening a form and sending it.
    SIGN_MIN_SECONDS: float = 3.0
    # How many confirmation links one pending signature may receive.
    CONFIRM_LINKS_PER_SIGNATURE: int = 5
    # How many "you have already signed" mails (each with a manage link) one confirmed
    # signature may receive in 24 hours, however often its address is submitted.
    ALREADY_SIGNED_MAILS_PER_DAY: int = 3
    CONFIRM_TOKEN_HOURS: int = 72
    # One reminder, with a fresh link, to a signer who has not confirmed this many hours
    # after the first link was sent; 0 sends none. Off by default: until it is sent, the
    # reminder holds the signer's address in the clear (petition/signing/reminders.py).
    CONFIRM_REMINDER_HOURS: int = 0
    # The most signers the staff console sends one campaign update to. The console opens
    # every recipient's sealed address and queues their mail within one web request, which
    # the server's time limit ends; `flask updates send` has none, and sends larger ones.
    UPDATE_CONSOLE_MAX_RECIPIENTS: int = 20_000
    COUNTS_TTL_SECONDS: float = 10.0
    # How long each process keeps an open campaign's id and text hashes for signing
    # (petition/campaigns/signable.py explains why that cannot let a wrong signature in).
    CAMPAIGN_SNAPSHOT_SECONDS: float = 5.0
    MAX_CONTENT_LENGTH: int = 3 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE: int = 64 * 1024
    # How many proxies (load balancers) stand in front and set X-Forwarded-For/-Proto.
    PROXY_COUNT: int = 0
    SESSION_COOKIE_SECURE: bool = False
    # Strict-Transport-Security for every subdomain too: only when all of them serve HTTPS.
    HSTS_INCLUDE_SUBDOMAINS: bool = False
    SESSION_COOKIE_HTTPONLY: bool = True
    SESSION_COOKIE_SAMESITE: str = "Strict"
    STAFF_IDLE_MINUTES: int = 30
    STAFF_ABSOLUTE_HOURS: int = 12
    STAFF_PASSWORD_LINK_HOURS: int = 24
    # Failed staff sign-ins: per client address, and per account (short, so an attacker
    # cannot keep a real person out for long).
    RATELIMIT_STAFF_SIGN_IN_CLIENT: str = "20 per 10 minutes"
    RATELIMIT_STAFF_SIGN_IN_ACCOUNT: str = "6 per 10 minutes"
    # Form posts (signing, confirming, new links, joining) per client address. A university
    # or newsroom behind one address still fits dozens of signers a minute.
    RATELIMIT_PUBLIC_BURST: str = "60 per minute"
    RATELIMIT_PUBLIC_SUSTAINED: str = "600 per hour"
    # Addresses (or networks, comma-separated) that many people share, such as the local tor
    # daemon of an onion service (127.0.0.1, ::1): a per-address limit would lock all of them
    # out together, so their posts draw on per-form and site-wide budgets instead
    # (`petition/public_limits.py`). A request with no client address at all counts as shared.
    SHARED_CLIENT_ADDRESSES: str = ""
    # Posts one form (one browser session) from a shared address may send.
    RATELIMIT_SHARED_PER_FORM: str = "10 per hour"
    # Posts all shared clients together may send: the ceiling of a flood over Tor.
    RATELIMIT_SHARED_BURST: str = "120 per minute"
    RATELIMIT_SHARED_SUSTAINED: str = "2400 per hour"
    # The site's onion service, http://<56 characters>.onion: public HTML pages over HTTPS
    # name it in `Onion-Location`, so Tor Browser offers to switch (`petition/onion.py`).
    ONION_LOCATION: str = ""
    RATELIMIT_STAFF_PASSWORD_RESET: str = "5 per hour"  # noqa: S105 - a limit, not a secret
    RATELIMIT_STORAGE_URI: str = "memory://"
    # The namespace of this site's own keys in a shared Redis (the day's client-hash key).
    REDIS_KEY_PREFIX: str = "petition"
    RATELIMIT_KEY_PREFIX: str = "petition"
    # A failing limit store lets requests through (logged) rather than answering 500.
    RATELIMIT_SWALLOW_ERRORS: bool = True
    # How long a signer's manage-or-withdraw link works.
    MANAGE_LINK_DAYS: int = 180
    # Retention (petition/retention.py): run by `flask purge` and hourly by the outbox worker.
    RETENTION_UNCONFIRMED_DAYS: int = 7
    RETENTION_SPENT_LINK_DAYS: int = 7
    RETENTION_CLIENT_HASH_DAYS: int = 30
    RETENTION_OUTBOX_DAYS: int = 7
    RETENTION_AFTER_CLOSE_DAYS: int = 180
    RETENTION_STAFF_SESSION_DAYS: int = 30
    RETENTION_ORPHAN_LOGO_HOURS: int = 24
    PURGE_INTERVAL_MINUTES: int = 60
    # How long a worker holds a delivery package it builds before another worker may take it
    # over (petition/delivery/background.py). On PostgreSQL each progress step, seconds
    # apart, renews it; on SQLite it must outlast a whole build. A 1M-signer package builds
    # in about a minute: 10 leaves a wide margin, and a dead worker's package waits at most 10.
    DELIVERY_LEASE_MINUTES: int = 10
    # TrueType fonts for delivery packages: Noto Sans, static (Debian: fonts-noto-core).
    PDF_FONT_DIR: str = "/usr/share/fonts/truetype/noto"
    # `text`, or `json` for one JSON object per line with a request id (petition/logs.py).
    LOG_FORMAT: str = "text"

    @classmethod
    def from_env(cls, instance_path: Path, *, secret_key: str | None = None) -> Settings:
        """Read the environment; `secret_key`, when given, stands in for SECRET_KEY.

        Without SECRET_KEY a local key is kept in the instance folder, for the command line,
        the debug server and tests; `wsgi.py`, which production serves, refuses to start
        without one.
        """
        env = os.environ
        secret = secret_key or env.get("SECRET_KEY") or dev_secret_key(instance_path)
        base_url = (env.get("BASE_URL") or default_base_url(env, instance_path)).rstrip("/")
        redis_url = env.get("REDIS_URL") or None
        computed: dict[str, Any] = {
            "SECRET_KEY": secret,
            "EMAIL_HASH_KEY": env.get("EMAIL_HASH_KEY") or derived_key(secret, "email-hash"),
            "SQLALCHEMY_DATABASE_URI": database_url(env.get("DATABASE_URL"), instance_path),
            "BASE_URL": base_url,
            "MAIL_SERVER": env.get("MAIL_SERVER") or None,
            "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
            "MAIL_USE_TLS": _flag(env.get("MAIL_USE_TLS")),
            "MAIL_USE_SSL": _flag(env.get("MAIL_USE_SSL")),
            "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
            "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
            "MAIL_TLS_CA_FILE": env.get("MAIL_TLS_CA_FILE") or None,
            "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", DEFAULT_SENDER),
            "REDIS_URL": redis_url,
            "METRICS_TOKEN": env.get("METRICS_TOKEN") or None,
            "DELIVERY_DIR": absolute_folder(env, "DELIVERY_DIR"),
            "LOGO_FOLDER": absolute_folder(env, "LOGO_FOLDER"),
            "SESSION_COOKIE_SECURE": base_url.startswith("https://"),
            "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        }
        return cls(**(computed | tunables_from(env)))

    def as_flask_config(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in fields(self)}
