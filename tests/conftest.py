import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from .require_all import pytest_sessionfinish  # noqa: F401 (a hook pytest finds here)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: database ids repeat between tests (rollback)."""
    cache.clear()
    yield


def pytest_configure(config):
    # Test accounts need no protection; the default hasher costs a third of a second a user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in English leaves English active
    in the thread (LocaleMiddleware activates it; nothing deactivates it)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (the system's), one per test module."""
    from playwright.sync_api import sync_playwright

    from .tools import CHROMIUM

    # Playwright's sync API runs an event loop in this thread; Django refuses database work
    # from a thread with a running loop unless told it is safe (it is: the loop is idle).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
