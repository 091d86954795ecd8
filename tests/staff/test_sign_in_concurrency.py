"""One second-factor code, presented by many requests at once, signs in exactly one."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from petition.extensions import db
from petition.models import Role, StaffUser
from petition.staff.auth import replace_recovery_codes
from tests.factories import STAFF_PASSWORD, make_staff
from tests.pages import hidden_inputs, submit_form, totp_now

RACERS = 12


@pytest.fixture
def app_config():
    """Throttles stay out of the way: the race, not the limit, decides."""
    return {
        "RATELIMIT_STAFF_SIGN_IN_CLIENT": "1000 per minute",
        "RATELIMIT_STAFF_SIGN_IN_ACCOUNT": "1000 per minute",
    }


def _recovery_code(user: StaffUser) -> str:
    [code, *_] = replace_recovery_codes(db.session.get(StaffUser, user.id))
    db.session.commit()
    return code


CODES: dict[str, Callable[[StaffUser], str]] = {"totp": totp_now, "recovery": _recovery_code}


@pytest.mark.postgresql
@pytest.mark.parametrize("kind", CODES)
def test_racing_requests_with_one_code_sign_in_once(app, kind):
    user = make_staff(Role.ADMIN)
    browsers = [app.test_client() for _ in range(RACERS)]
    forms = []
    for browser in browsers:
        first = submit_form(browser, "/staff/sign-in", email=user.email, password=STAFF_PASSWORD)
        page = browser.get(first.headers["Location"]).get_data(as_text=True)
        forms.append(hidden_inputs(page))
    code = CODES[kind](user)
    start = threading.Barrier(RACERS)
    statuses: list[int] = []
    lock = threading.Lock()

    def present(index: int) -> None:
        start.wait()
        response = browsers[index].post("/staff/sign-in/code", data={**forms[index], "code": code})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=present, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(statuses) == [302] + [401] * (RACERS - 1)
    signed_in = [b for b in browsers if b.get("/staff/").status_code == 200]
    assert len(signed_in) == 1
