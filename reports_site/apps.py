from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReportsSiteConfig(AppConfig):
    name = "reports_site"
    verbose_name = _("회기·업무보고")

    def ready(self):
        from . import security  # noqa: F401 (connects the login signal)
        from .roles import sync_roles

        # Permissions are created by post_migrate too; this runs after them (app order).
        post_migrate.connect(sync_roles, sender=self)
