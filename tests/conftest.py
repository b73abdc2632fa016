import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: database ids repeat between tests (rollback)."""
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in English leaves English active
    in the thread (LocaleMiddleware activates it; nothing deactivates it)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
