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
