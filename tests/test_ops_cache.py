"""CACHE_URL: one Redis shared by every process instead of each process's own memory."""

import uuid

from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase, override_settings

from reports_site.settings import cache_settings

from .tools import needs_redis

REDIS_URL = "redis://127.0.0.1:6379/0"


class CacheSettingsTests(SimpleTestCase):
    def test_without_cache_url_each_process_keeps_its_own(self):
        self.assertEqual(
            cache_settings("", 5000),
            {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "KEY_PREFIX": "",
                "OPTIONS": {"MAX_ENTRIES": 5000},
            },
        )

    def test_a_redis_url_selects_djangos_redis_backend(self):
        self.assertEqual(
            cache_settings("redis://cache.internal:6379/2", 5000, "release-42"),
            {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://cache.internal:6379/2",
                "KEY_PREFIX": "release-42",
            },
        )

    def test_another_scheme_is_refused(self):
        with self.assertRaises(ImproperlyConfigured):
            cache_settings("memcached://127.0.0.1:11211", 5000)


@needs_redis
class RedisRoundTripTests(SimpleTestCase):
    def test_a_value_goes_through_the_local_redis_and_back(self):
        # A prefix of our own, and no clear(): that would empty the whole Redis database.
        config = cache_settings(REDIS_URL, 5000, key_prefix=f"test-{uuid.uuid4().hex}")
        with override_settings(CACHES={"default": config}):
            cache = caches["default"]
            self.assertEqual(type(cache).__name__, "RedisCache")
            value = {"부서": "총무과", "pages": [1, 2, 3]}
            cache.set("section", value, timeout=30)
            try:
                self.assertEqual(cache.get("section"), value)
                self.assertTrue(cache.add("counter", 1, timeout=30))
                self.assertEqual(cache.incr("counter"), 2)
            finally:
                cache.delete_many(["section", "counter"])
            self.assertIsNone(cache.get("section"))
            cache.close()
