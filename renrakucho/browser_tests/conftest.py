"""Real-browser journeys: Playwright for Python driving Debian's Chromium against live_server,
with one browser held by the main thread for the session (renrakucho/testing/browser.py has
the rest: the Chromium check, the launch, phone-sized pages, CSP refusals)."""

import os

import pytest

from renrakucho.testing.browser import launch_chromium, new_page, require_chromium


@pytest.fixture(scope="session")
def browser():
    require_chromium()
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself (fixtures) are synchronous and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    page = new_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def demo_data(transactional_db):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
