import pytest
from django.conf import settings
from django.core.cache import cache

from .require_all import pytest_sessionfinish  # noqa: F401 (a hook pytest finds here)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: database ids repeat between tests (rollback)."""
    cache.clear()
    yield


def pytest_configure(config):
    # Test accounts need no protection; the default hasher costs a third of a second a user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
