import sqlite3

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def sqlite_query_params(sender, connection, **kwargs):
    """Let bulk writes use SQLite's real limit on query parameters, not Django's 999.

    Django 5.2 assumes SQLite's old compile-time default, so a bulk write of 1,000 rows of
    nine columns took nine statements; SQLite since 3.32 allows 32,766 (Debian's: 250,000).
    Django 6.0 reads the limit the same way.
    """
    if connection.vendor == "sqlite":
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        connection.features.max_query_params = limit


class DepartmentsConfig(AppConfig):
    name = "departments"
    verbose_name = _("부서·인력·시설")

    def ready(self):
        connection_created.connect(sqlite_query_params)
