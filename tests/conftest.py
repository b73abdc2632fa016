import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: database ids repeat between tests (rollback)."""
    cache.clear()
    yield
