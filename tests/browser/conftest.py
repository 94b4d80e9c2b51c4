"""Browser tests: Playwright's sync API drives Debian's Chromium against pytest-django's
live server. Every context a test opens through `browser` (and so `page`) is watched for
Content-Security-Policy violations: one fails the test (tests/browser/csp.py)."""

import io
import os

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from tests.browser.csp import CspWatchedBrowser, describe

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to run.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", "/tmp")


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def browser(chromium):
    """Chromium for one test: its contexts are closed after it, and any CSP violation one of
    their pages reported fails the test."""
    watched = CspWatchedBrowser(chromium)
    yield watched
    watched.close_contexts()
    if watched.violations:
        pytest.fail(
            "Content-Security-Policy violations:\n" + describe(watched.violations), pytrace=False
        )


@pytest.fixture
def site(live_server, transactional_db):
    return live_server.url


@pytest.fixture
def page(browser, site):
    """A fresh browser tab (own cookies) whose browser asks for French, as in France."""
    context = browser.new_context(
        locale="fr-FR", base_url=site, viewport={"width": 1360, "height": 900}
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def session_cookie(user, site: str) -> dict:
    """A logged-in session cookie for `user`, to hand to a browser context."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    return {"name": cookie.key, "value": cookie.value, "url": site}


@pytest.fixture
def log_in(page, site):
    """Open a session for a user without the login form (that form has its own test)."""

    def open_session(user) -> None:
        page.context.add_cookies([session_cookie(user, site)])

    return open_session


def screenshot(page, name: str) -> str:
    path = os.path.join(SCREENSHOTS, f"connect-{name}.png")
    page.screenshot(path=path, full_page=True)
    return path


def create_ops(username: str = "camille") -> tuple[str, str]:
    """An ops user made the way an admin makes one, `manage.py createuser`; its name and the
    password the command printed."""
    out = io.StringIO()
    call_command("createuser", username, "--role", "ops", stdout=out)
    return username, out.getvalue().rsplit(": ", 1)[1].strip()


def sign_in(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("navigation", name="Menu principal")).to_be_visible()
