"""The staff console in a real browser: an admin signs in with a password and a TOTP code,
then every staff screen goes through axe-core at full width and at 390 px, and is opened
again with JavaScript off.

The screens are not a list kept by hand alone: every GET route of the staff blueprint (the
permission table `ENDPOINT_PERMISSIONS` names the guarded ones) must be known below, with
the objects its URL needs, so a new screen fails this file until it is checked too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyotp
import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import Error as PlaywrightError
from werkzeug.exceptions import HTTPException

from petition.delivery.background import build_queued_packages, queue_package
from petition.extensions import db
from petition.models import (
    CampaignStatus,
    CampaignTextVersion,
    CampaignUpdate,
    Listing,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    PaperBatch,
    Role,
    SignatureStatus,
    Target,
)
from petition.models.types import utcnow
from petition.staff.permissions import ENDPOINT_PERMISSIONS
from tests.browser.conftest import assert_no_axe_violations
from tests.conftest import Clock
from tests.factories import STAFF_PASSWORD, make_campaign, make_signature, make_staff

pytestmark = pytest.mark.browser

WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 390, "height": 844}
LOCALES = {"en": "en-GB", "uk": "uk-UA", "ru": "ru-RU"}

# Every GET screen of the console for a signed-in staff member, with what its URL needs:
# each value names one of the objects that `console_objects` makes.
SCREENS: dict[str, dict[str, str]] = {
    "staff.home": {},
    "staff.campaigns": {},
    "staff.campaign_new": {},
    "staff.campaign_edit": {"campaign_id": "campaign"},
    "staff.campaign_text": {"campaign_id": "campaign", "lang": "lang"},
    "staff.campaign_dashboard": {"campaign_id": "campaign"},
    "staff.campaign_updates": {"campaign_id": "campaign"},
    "staff.letter_template": {"campaign_id": "campaign", "lang": "lang"},
    "staff.letterhead": {"campaign_id": "campaign"},
    "staff.campaign_embedding": {"campaign_id": "campaign"},
    "staff.campaign_paper": {"campaign_id": "campaign"},
    "staff.paper_batch_void": {"campaign_id": "campaign", "batch_id": "batch"},
    "staff.campaign_partners": {"campaign_id": "campaign"},
    "staff.targets": {},
    "staff.target_new": {},
    "staff.target_edit": {"target_id": "target"},
    "staff.signatures": {},
    "staff.signature": {"signature_id": "signature"},
    "staff.organisations": {},
    "staff.organisation_review": {"organisation_id": "organisation"},
    "staff.exports": {},
    "staff.deliveries": {},
    "staff.delivery": {"package_id": "package"},
    "staff.accounts": {},
    "staff.account_new": {},
    "staff.account_edit": {"user_id": "colleague"},
    "staff.audit_trail": {},
}
# GET routes that answer with a file rather than a screen, and the type of that file.
DOWNLOADS: dict[str, tuple[dict[str, str], str]] = {
    "staff.delivery_download": ({"package_id": "package"}, "application/zip"),
}
# The steps before sign-in, open to anyone: `test_sign_in_screens` walks through them.
SIGN_IN_SCREENS = {
    "staff.sign_in",
    "staff.forgot_password",
    "staff.set_password",
    "staff.enrol",
    "staff.second_factor",
}


def staff_get_endpoints(app: Flask) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("staff.") and "GET" in (rule.methods or ())
    }


def test_every_staff_get_route_is_opened_here(app: Flask) -> None:
    """A new GET route of the console must be added above, so it is checked like the rest."""
    guarded = staff_get_endpoints(app) & ENDPOINT_PERMISSIONS.keys()
    assert guarded, "the permission table is empty: were the staff views imported?"
    assert guarded == SCREENS.keys() | DOWNLOADS.keys()
    assert staff_get_endpoints(app) - guarded == SIGN_IN_SCREENS
    needs = SCREENS | {endpoint: needs for endpoint, (needs, _) in DOWNLOADS.items()}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in needs:
            assert set(rule.arguments) == needs[rule.endpoint].keys(), rule.endpoint


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    return {"COUNTS_TTL_SECONDS": 0, "DELIVERY_DIR": str(tmp_path / "deliveries")}


def console_objects() -> dict[str, int | str]:
    """Something real behind every screen: a campaign with signatures, a kept text version
    and a sent update; an organisation waiting for review; a negotiating party with a built
    package; a colleague's account."""
    campaign = make_campaign()
    for days_ago, country in enumerate(["UA", "UA", "PL", "DE", "GE"]):
        make_signature(
            campaign,
            country=country,
            confirmed_at=utcnow() - timedelta(days=days_ago),
            wants_updates=True,
            lang="uk",
        )
    make_signature(campaign, status=SignatureStatus.PENDING)
    signature = make_signature(campaign, status=SignatureStatus.INVALIDATED, country="PL")
    make_campaign("draft-one", CampaignStatus.DRAFT)

    text = campaign.texts["uk"]
    version = CampaignTextVersion(
        campaign_id=campaign.id,
        lang="uk",
        sha256="ab" * 32,
        title=text.title,
        summary=text.summary,
        statement=text.statement,
        demands=text.demands,
    )
    organisation = Organisation(
        campaign_id=campaign.id,
        name="Invented Rights Group",
        country="UA",
        kind=OrganisationKind.HUMAN_RIGHTS,
        website="https://rights.example.org",
        website_domain="rights.example.org",
        rep_name="Oksana Director",
        rep_role="Director",
        rep_email="director@rights.example.org",
        rep_email_normalised="director@rights.example.org",
        statement="We stand with the detainees and their families.",
        listing=Listing.PUBLIC,
        status=OrganisationStatus.AWAITING_REVIEW,
        lang="en",
        statement_sha256="0" * 64,
        confirmed_at=utcnow() - timedelta(hours=3),
    )
    target = Target(
        name="Ministry of Justice",
        lang="uk",
        salutation="Шановні колеги",
        office="Міністерство юстиції",
        postal_address="вул. Городецького, 13\nКиїв",
    )
    campaign.targets.append(target)
    update = CampaignUpdate(
        campaign_id=campaign.id,
        lang="uk",
        subject="Новини кампанії",
        body="Дякуємо всім, хто підписав.",
        recipients=5,
        idempotency_key="0" * 64,
    )
    batches = [
        PaperBatch(
            campaign_id=campaign.id,
            country=country,
            count=count,
            source="вуличний намет, Харків, 14 листопада",
            gathered_on=(utcnow() - timedelta(days=3)).date(),
            scan_sha256=digit * 64,
            idempotency_key=digit * 32,
            voided_at=utcnow() if reason else None,
            void_reason=reason,
        )
        for country, count, digit, reason in (("UA", 240, "1", None), ("PL", 35, "2", "Twice"))
    ]
    db.session.add_all([version, organisation, target, update, *batches])
    package = queue_package(campaign, target, cutoff=utcnow(), actor=None)
    db.session.commit()
    assert build_queued_packages() == 1
    colleague = make_staff(Role.MODERATOR, "colleague@staff.example.org")
    return {
        "campaign": campaign.id,
        "lang": "uk",
        "target": target.id,
        "signature": signature.id,
        "organisation": organisation.id,
        "package": package.id,
        "colleague": colleague.id,
        "batch": batches[0].id,
    }


def screen_path(app: Flask, endpoint: str, needs: dict[str, str], objects: dict[str, Any]) -> str:
    adapter = app.url_map.bind("localhost")
    return adapter.build(endpoint, {name: objects[what] for name, what in needs.items()})


class Problems:
    """What went wrong on any screen, gathered so that one run reports every screen."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def check(self, what: str, step: Callable[..., object], *args: Any) -> None:
        try:
            step(*args)
        except (AssertionError, PlaywrightError, pytest.fail.Exception) as error:
            self.found.append(f"{what}: {error}")

    def assert_none(self) -> None:
        assert not self.found, "\n\n".join(self.found)


def expect_one_main_heading(page: Page) -> None:
    heading = page.get_by_role("main").get_by_role("heading", level=1)
    expect(heading).to_have_count(1)
    expect(heading).to_be_visible()
    expect(heading).not_to_have_text("")


def open_screen(page: Page, url: str) -> None:
    """Open a screen: it answers 200 itself (not a redirect to sign-in) with one visible main
    heading inside its main landmark."""
    response = page.goto(url)
    assert response is not None, url
    assert urlsplit(page.url).path == urlsplit(url).path, f"{url} led to {page.url}"
    assert response.status == 200, f"{url} answered {response.status}"
    expect_one_main_heading(page)


def open_every_disclosure(page: Page) -> None:
    """What a <details> hides counts too: axe and the width check see it opened."""
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => (d.open = true))")


# The outermost elements reaching past the right edge of the viewport (or, when no box
# does, the innermost whose content does), to name in a failure.
STICKING_OUT = """() => {
  const width = window.innerWidth;
  const all = [...document.body.querySelectorAll("*")];
  const boxOut = (el) => el.getBoundingClientRect().right > width + 0.5;
  const textOut = (el) => el.getBoundingClientRect().left + el.scrollWidth > width + 0.5;
  let found = all.filter((el) => boxOut(el) && !(el.parentElement && boxOut(el.parentElement)));
  if (!found.length) {
    found = all.filter((el) => textOut(el) && ![...el.children].some(textOut));
  }
  return found.slice(0, 5).map((el) => {
    const name = el.tagName.toLowerCase() + (el.className ? "." + el.className : "");
    return `${name} "${el.textContent.trim().slice(0, 30)}"`;
  });
}"""


def assert_fits_the_width(page: Page) -> None:
    scroll_width, width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    if scroll_width > width:
        wide = ", ".join(page.evaluate(STICKING_OUT))
        raise AssertionError(f"scrolls sideways: {scroll_width} px wide in {width} px: {wide}")


# Boxes that scroll sideways on their own (a wide table's), unless a keyboard can reach them
# and they are named for whoever reaches them.
UNNAMED_SCROLLING = """() => [...document.body.querySelectorAll("*")]
  .filter((el) => !el.matches("textarea, select, input"))
  .filter((el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX))
  .filter((el) => el.scrollWidth > el.clientWidth)
  .filter((el) => {
    const labels = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean);
    const named = labels.some((id) => document.getElementById(id)?.textContent.trim());
    return !(el.tabIndex >= 0 && (named || el.getAttribute("aria-label")?.trim()));
  })
  .map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""))"""


def assert_scrolling_boxes_are_reachable(page: Page) -> None:
    unreachable = page.evaluate(UNNAMED_SCROLLING)
    assert not unreachable, f"scrolls sideways without a name or a keyboard stop: {unreachable}"


def check_at_both_widths(page: Page, what: str, problems: Problems) -> None:
    """axe on the screen as loaded at full width, then at 390 px, where it must not scroll
    sideways either."""
    open_every_disclosure(page)
    problems.check(what, assert_no_axe_violations, page)
    page.set_viewport_size(NARROW)
    problems.check(f"{what} at 390 px", assert_fits_the_width, page)
    problems.check(f"{what} at 390 px", assert_scrolling_boxes_are_reachable, page)
    problems.check(f"{what} at 390 px", assert_no_axe_violations, page)
    page.set_viewport_size(WIDE)


# Each form as a browser without JavaScript would send it.
FORMS = """() => [...document.forms].map((form) => ({
  method: (form.getAttribute("method") || "get").toUpperCase(),
  // getAttribute: `form.action` would be a field of the form named "action", if any.
  action: new URL(form.getAttribute("action") ?? "", document.baseURI).pathname,
  csrf: form.querySelectorAll("input[type=hidden][name=csrf_token]").length,
  submits: [...form.elements].filter(
    (el) => (el.type === "submit" || el.type === "image") && el.checkVisibility()
  ).length,
}))"""


def assert_forms_work_without_javascript(app: Flask, page: Page) -> None:
    """Each form is a plain HTML form: a method, an action the app answers with that method,
    a CSRF token when it posts, and a visible submit button."""
    adapter = app.url_map.bind("localhost")
    for form in page.evaluate(FORMS):
        where = f"form {form['method']} {form['action']}"
        try:
            adapter.match(form["action"], method=form["method"])
        except HTTPException as error:
            raise AssertionError(f"{where}: the app does not answer it ({error})") from None
        if form["method"] == "POST":
            assert form["csrf"] == 1, f"{where} has no CSRF token"
        assert form["submits"] >= 1, f"{where} has no visible submit button"


def submit_search_forms(page: Page) -> None:
    """A form that only searches (method GET) is sent for real: the answer is a screen."""
    searches = page.locator("main form[method=get]")
    for index in range(searches.count()):
        with page.expect_navigation() as navigation:
            searches.nth(index).locator("[type=submit]").first.click()
        response = navigation.value
        assert response is not None, f"search form {index} went nowhere"
        assert response.status == 200, f"search form {index} answered {response.status}"
        expect_one_main_heading(page)
        page.go_back()


def preview_text(page: Page, url: str) -> None:
    """The Preview button renders the preview on the server: no script is needed for it."""
    page.goto(url)
    page.get_by_role("button", name="Preview", exact=True).click()
    expect(page.get_by_role("heading", name="Preview", exact=True)).to_be_visible()


def sign_in_with_totp(page: Page, base: str, email: str, secret: str) -> None:
    """The real sign-in form: password, then the code from the authenticator."""
    send_password(page, base, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Second step")
    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).at(utcnow()))
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")


def send_password(page: Page, base: str, email: str) -> None:
    page.goto(base + "/staff/sign-in")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Continue", exact=True).click()


def check_wording_fits(page: Page, url: str, lang: str) -> None:
    open_screen(page, url)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    open_every_disclosure(page)
    assert_fits_the_width(page)
    assert_scrolling_boxes_are_reachable(page)


def test_every_staff_screen(
    app: Flask, live_server: str, new_context: Callable[..., BrowserContext], clock: Clock
) -> None:
    """One sign-in; then each screen through axe at full width and at 390 px, each again
    with JavaScript off, and the longer Ukrainian and Russian wording at 390 px."""
    objects = console_objects()
    admin = make_staff(Role.ADMIN, "admin.console@staff.example.org")
    email, secret = admin.email, admin.totp_secret
    db.session.commit()  # on SQLite an open read would keep the server from writing
    urls = {
        endpoint: live_server + screen_path(app, endpoint, needs, objects)
        for endpoint, needs in SCREENS.items()
    }
    text_url = urls["staff.campaign_text"]
    problems = Problems()

    page = new_context(bypass_csp=True, locale=LOCALES["en"], viewport=WIDE).new_page()
    sign_in_with_totp(page, live_server, email, secret)
    signed_in = page.context.storage_state()
    for endpoint, url in urls.items():
        problems.check(endpoint, open_screen, page, url)
        check_at_both_widths(page, endpoint, problems)
    problems.check("staff.campaign_text preview", preview_text, page, text_url)
    check_at_both_widths(page, "staff.campaign_text with its preview", problems)
    for endpoint, (needs, content_type) in DOWNLOADS.items():
        response = page.request.get(live_server + screen_path(app, endpoint, needs, objects))
        assert response.status == 200, endpoint
        assert response.headers["content-type"] == content_type, endpoint

    no_script = new_context(
        java_script_enabled=False, locale=LOCALES["en"], storage_state=signed_in
    ).new_page()
    for endpoint, url in urls.items():
        what = f"{endpoint} without JavaScript"
        problems.check(what, open_screen, no_script, url)
        problems.check(what, assert_forms_work_without_javascript, app, no_script)
        problems.check(what, submit_search_forms, no_script)
    problems.check(
        "staff.campaign_text preview without JavaScript", preview_text, no_script, text_url
    )

    for lang in ("uk", "ru"):
        narrow = new_context(
            bypass_csp=True, locale=LOCALES[lang], viewport=NARROW, storage_state=signed_in
        ).new_page()
        for endpoint, url in urls.items():
            problems.check(f"{endpoint} at 390 px in {lang}", check_wording_fits, narrow, url, lang)
    problems.assert_none()


def test_sign_in_screens(
    app: Flask, live_server: str, new_context: Callable[..., BrowserContext], clock: Clock
) -> None:
    """Each step before sign-in with JavaScript off, where the password and the code are
    sent for real; then each through axe at full width and at 390 px."""
    admin = make_staff(Role.ADMIN, "admin.console@staff.example.org")
    newcomer = make_staff(Role.MODERATOR, "newcomer@staff.example.org", enrolled=False)
    result = app.test_cli_runner().invoke(
        args=["staff", "add", "invited@staff.example.org", "--role", "exporter"]
    )
    assert result.exit_code == 0, result.output
    password_link = re.search(r"http://localhost(/staff/password/\S+)", result.output).group(1)
    totp_secrets = {user.email: user.totp_secret for user in (admin, newcomer)}
    admin_email, newcomer_email = admin.email, newcomer.email
    db.session.commit()  # on SQLite an open read would keep the server from writing
    adapter = app.url_map.bind("localhost")
    problems = Problems()
    # Each step: the screen it reaches, and how (a path to open, or the address of the account
    # whose password is sent). Without JavaScript the admin signs in at the end; with it, the
    # newcomer enrols at the end (a signed-in browser is not shown the sign-in form again).
    opened = [
        ("staff.sign_in", "/staff/sign-in"),
        ("staff.forgot_password", "/staff/forgot-password"),
        ("staff.set_password", password_link),
    ]
    no_script_steps = [
        *opened,
        ("staff.enrol", newcomer_email),
        ("staff.second_factor", admin_email),
    ]
    axe_steps = [*opened, ("staff.second_factor", admin_email), ("staff.enrol", newcomer_email)]
    for steps in (no_script_steps, axe_steps):
        assert {endpoint for endpoint, _ in steps} == SIGN_IN_SCREENS

    def reach(page: Page, endpoint: str, how: str) -> None:
        if how.startswith("/"):
            page.goto(live_server + how)
        else:
            send_password(page, live_server, how)
        expect_one_main_heading(page)
        assert adapter.match(urlsplit(page.url).path)[0] == endpoint, page.url

    def enter_code(page: Page, email: str, button: str, heading: str) -> None:
        page.get_by_label("Code", exact=True).fill(pyotp.TOTP(totp_secrets[email]).at(utcnow()))
        page.get_by_role("button", name=button, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)

    no_script = new_context(java_script_enabled=False, locale=LOCALES["en"]).new_page()
    for endpoint, how in no_script_steps:
        reach(no_script, endpoint, how)
        problems.check(
            f"{endpoint} without JavaScript", assert_forms_work_without_javascript, app, no_script
        )
    enter_code(no_script, admin_email, "Sign in", "Dashboard")

    page = new_context(bypass_csp=True, locale=LOCALES["en"], viewport=WIDE).new_page()
    for endpoint, how in axe_steps:
        reach(page, endpoint, how)
        check_at_both_widths(page, endpoint, problems)
    # Enrolling shows the recovery codes, once: the one screen that no GET route leads to.
    enter_code(page, newcomer_email, "Confirm and sign in", "Your recovery codes")
    check_at_both_widths(page, "recovery codes", problems)
    problems.assert_none()
