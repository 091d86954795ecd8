"""Staff accounts and sign-in: argon2id passwords, TOTP, recovery codes, server-side sessions."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import or_, select, update

from petition import audit
from petition.extensions import db
from petition.models import (
    RecoveryCode,
    Role,
    StaffSession,
    StaffUser,
    TokenPurpose,
)
from petition.models.staff import normalise_staff_email
from petition.models.types import utcnow
from petition.tokens import find_token, hash_token, issue_password_token

ISSUER = "Petition staff"
RECOVERY_CODES = 8
MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


@cache
def _dummy_hash() -> str:
    """Verified when an address is unknown, so it costs the same time as a wrong password.
    Made on first use, not at import: hashing takes a moment and 64 MB."""
    return _hasher.hash(secrets.token_urlsafe(16))


class AccountExists(Exception):
    """An account with that address already exists."""


class PasswordTooWeak(Exception):
    """The new password is too short."""


@dataclass(frozen=True)
class NewAccount:
    user: StaffUser
    totp_uri: str
    password_token: str


def find_staff(email: str) -> StaffUser | None:
    return db.session.scalar(
        select(StaffUser).where(StaffUser.email == normalise_staff_email(email))
    )


def add_staff(email: str, role: Role) -> NewAccount:
    """A new account with a TOTP secret and a one-time link to choose a password."""
    if find_staff(email) is not None:
        raise AccountExists(email)
    user = StaffUser(
        email=normalise_staff_email(email), role=role, totp_secret=pyotp.random_base32()
    )
    db.session.add(user)
    db.session.flush()
    return NewAccount(user, totp_uri(user), issue_password_token(user))


def totp_uri(user: StaffUser) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def password_token_user(raw: str) -> StaffUser | None:
    """The account a password link is for, if the link is unused and unexpired."""
    token = find_token(raw, TokenPurpose.SET_PASSWORD)
    if token is None or token.used_at is not None or token.expires_at <= utcnow():
        return None
    user = token.staff_user
    return user if user is not None and user.disabled_at is None else None


def set_password(raw_token: str, password: str) -> StaffUser | None:
    """Use the link to set a password; every open session of the account ends."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooWeak
    token = find_token(raw_token, TokenPurpose.SET_PASSWORD, for_update=True)
    user = password_token_user(raw_token)
    if token is None or user is None:
        return None
    token.used_at = utcnow()
    user.password_hash = hash_password(password)
    end_all_sessions(user)
    audit.record("staff.password_set", actor=user)
    return user


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(email: str, password: str) -> StaffUser | None:
    """The active account with this address and password, else None (in the same time);
    a failure is recorded in the audit trail, against the account if there is one."""
    user = find_staff(email)
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    if not _verifies(stored, password) or user is None or not user.is_active:
        audit.record("staff.sign_in_failed", actor=user, detail="password")
        return None
    if _hasher.check_needs_rehash(stored):
        user.password_hash = hash_password(password)
    return user


def _verifies(stored: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


def check_second_factor(user: StaffUser, code: str) -> bool:
    """A current TOTP code (each accepted once) or an unused recovery code; a wrong one is
    recorded in the audit trail."""
    code = "".join(code.split()).upper()
    if code.isdigit() and len(code) == 6:
        right = _check_totp(user, code)
    else:
        right = _use_recovery_code(user, code)
    if not right:
        audit.record("staff.sign_in_failed", actor=user, detail="second factor")
    return right


def _check_totp(user: StaffUser, code: str) -> bool:
    totp = pyotp.TOTP(user.totp_secret)
    now = utcnow()
    for drift in (0, -1, 1):  # one step of clock drift either way
        moment = now + timedelta(seconds=drift * totp.interval)
        # Bytes: compare_digest refuses str with non-ASCII, such as other scripts' digits.
        if secrets.compare_digest(totp.at(moment).encode(), code.encode()):
            return _claim_totp_step(user, totp.timecode(moment))
    return False


def _claim_totp_step(user: StaffUser, step: int) -> bool:
    """Record `step` as used, in one conditional statement: of requests racing with one code,
    the row lock lets the first through and the others find the step taken (a replay)."""
    claimed = db.session.scalar(
        update(StaffUser)
        .where(
            StaffUser.id == user.id,
            or_(StaffUser.totp_last_step.is_(None), StaffUser.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .returning(StaffUser.id)
        .execution_options(synchronize_session="fetch")
    )
    return claimed is not None


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").encode()).hexdigest()


def _use_recovery_code(user: StaffUser, code: str) -> bool:
    """Mark an unused recovery code used, in one conditional statement, so it works once
    however many requests present it at the same moment."""
    used = db.session.scalar(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .returning(RecoveryCode.id)
        .execution_options(synchronize_session="fetch")
    )
    return used is not None


def enrol_second_factor(user: StaffUser, code: str) -> list[str] | None:
    """Finish TOTP enrolment with a first code; returns fresh recovery codes to show once."""
    if not _check_totp(user, "".join(code.split())):
        return None
    user.totp_enrolled_at = utcnow()
    audit.record("staff.second_factor_enrolled", actor=user)
    return replace_recovery_codes(user)


def replace_recovery_codes(user: StaffUser) -> list[str]:
    user.recovery_codes.clear()
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(5).upper()
        codes.append(f"{raw[:5]}-{raw[5:]}")
        user.recovery_codes.append(RecoveryCode(code_hash=_recovery_hash(raw)))
    return codes


def reset_second_factor(user: StaffUser) -> None:
    """An admin's reset: signed out everywhere, a new secret to enrol, and a new password
    to choose first, so a leaked password alone can never enrol an attacker's phone."""
    user.password_hash = None
    user.totp_secret = pyotp.random_base32()
    user.totp_enrolled_at = None
    user.totp_last_step = None
    user.recovery_codes.clear()
    end_all_sessions(user)


def start_session(user: StaffUser) -> str:
    """A new server-side session, once both steps of sign-in passed; the raw id goes in the
    cookie, its hash in the database."""
    raw = secrets.token_urlsafe(32)
    db.session.add(StaffSession(token_hash=hash_token(raw), user=user))
    audit.record("staff.sign_in", actor=user)
    return raw


def session_user(raw: str) -> StaffUser | None:
    """The account behind a session id, if the session is open, recent and not too old."""
    staff_session = db.session.scalar(
        select(StaffSession).where(StaffSession.token_hash == hash_token(raw))
    )
    if staff_session is None or staff_session.ended_at is not None:
        return None
    now = utcnow()
    config = current_app.config
    idle = now - staff_session.last_seen_at > timedelta(minutes=config["STAFF_IDLE_MINUTES"])
    too_old = now - staff_session.created_at > timedelta(hours=config["STAFF_ABSOLUTE_HOURS"])
    if idle or too_old or not staff_session.user.is_active:
        staff_session.ended_at = now
        return None
    if now - staff_session.last_seen_at > timedelta(minutes=1):
        staff_session.last_seen_at = now
    user = staff_session.user
    user.bind_session(raw)
    return user


def sign_out(user: StaffUser, raw: str) -> None:
    end_session(raw)
    audit.record("staff.sign_out", actor=user)


def sign_out_everywhere(user: StaffUser) -> None:
    end_all_sessions(user)
    audit.record("staff.sign_out_everywhere", actor=user)


def end_session(raw: str) -> None:
    db.session.execute(
        update(StaffSession)
        .where(StaffSession.token_hash == hash_token(raw), StaffSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def end_all_sessions(user: StaffUser) -> None:
    db.session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
