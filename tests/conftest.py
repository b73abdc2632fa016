import pytest
from django.core.cache import cache

from .require_all import pytest_sessionfinish  # noqa: F401 (a hook pytest finds here)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: database ids repeat between tests (rollback)."""
    cache.clear()
    yield
