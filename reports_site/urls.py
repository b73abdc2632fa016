from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import security
from .health import healthz

admin.site.site_header = _("의회 업무보고 관리")
admin.site.site_title = _("의회 업무보고")
admin.site.index_title = _("부서 자료 관리")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("session/extend/", security.extend_session, name="session_extend"),
    path("", include("council.urls")),
]
