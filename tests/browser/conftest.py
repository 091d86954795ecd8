"""A real browser for the tests in this folder: Debian's chromium driven by Playwright.

The browser is launched once per session (tests/chromium.py); each test gets a fresh
context, so no cookie, cache entry or storage leaks from one test into the next. Nothing
is fetched from another host: axe-core is read from the local `node_modules` and injected
into the page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import BrowserContext, FrameLocator, Page, expect

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Counts are recomputed on every request, so a page shows each change at once."""
    return {"COUNTS_TTL_SECONDS": 0}


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    """A page in a fresh context, which enforces the site's Content-Security-Policy."""
    return new_context().new_page()


@pytest.fixture
def axe_page(new_context: Callable[..., BrowserContext]) -> Page:
    """A page whose context lets axe-core be injected despite the site's CSP.

    The CSP forbids inline scripts, and `add_script_tag` injects one; the site's own
    scripts and styles load exactly as in `page`.
    """
    return new_context(bypass_csp=True).new_page()


def _describe(violation: dict[str, Any]) -> str:
    lines = [f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"]
    lines.append(f"  {violation['helpUrl']}")
    for node in violation["nodes"]:
        target = " ".join(str(part) for part in node["target"])
        # The summary's first line is "Fix any of the following:"; the reasons follow.
        reasons = [line.strip() for line in node.get("failureSummary", "").splitlines()[1:]]
        lines.append(f"    at {target}: {'; '.join(reasons)}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page) -> None:
    """Run axe-core with its default rules on the page as it is now; fail listing what it finds."""
    if not AXE_SCRIPT.is_file():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run `npm ci`.", pytrace=False)
    page.add_script_tag(path=AXE_SCRIPT)
    violations = page.evaluate("async () => (await axe.run(document)).violations")
    if violations:
        report = "\n".join(_describe(violation) for violation in violations)
        pytest.fail(
            f"axe-core found {len(violations)} violation(s) on {page.url}:\n{report}",
            pytrace=False,
        )


def ui_text(lang: str, message: str) -> str:
    """What the site shows for `message` in `lang`, from the same catalogues it uses."""
    with force_locale(lang):
        return str(gettext(message))


def fill_sign_form(
    page: Page | FrameLocator, lang: str, *, name: str, email: str, country: str
) -> None:
    """Fill in the open signing form as a person would, by the labels they read."""
    page.get_by_label(ui_text(lang, "Your name"), exact=True).fill(name)
    page.get_by_label(ui_text(lang, "Email address"), exact=True).fill(email)
    page.get_by_label(ui_text(lang, "Country"), exact=True).select_option(label=country)


def submit_sign_form(page: Page | FrameLocator, lang: str) -> None:
    page.get_by_role("button", name=ui_text(lang, "Sign"), exact=True).click()


def expect_check_email_page(page: Page, base_url: str, lang: str, slug: str) -> None:
    expect(page).to_have_url(f"{base_url}/{lang}/{slug}/check-email")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(ui_text(lang, "Check your email"))
