"""Every admin page of every registered model renders for each role that may see it."""

from django.contrib import admin
from django.test import TestCase
from django.urls import reverse

from departments.access import Role
from departments.models import Department

from .factories import ROW_BUILDERS, make_department, make_grade, make_user, make_vehicle_size


class AdminPagesRenderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.department = make_department("총무과")
        make_grade()
        make_vehicle_size()
        for model, build in ROW_BUILDERS.items():
            if model is not Department:
                build(cls.department)
        cls.users = [
            make_user(None),
            make_user(Role.CLERK),
            make_user(Role.STAFF, cls.department),
            make_user(Role.REVIEWER, cls.department),
        ]

    def test_changelist_add_change_and_history_pages_render(self):
        for user in self.users:
            self.client.force_login(user)
            for model, model_admin in admin.site._registry.items():
                request = self.client.get("/").wsgi_request
                request.user = user
                if not model_admin.has_view_permission(request):
                    continue
                prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
                urls = [reverse(f"{prefix}_changelist")]
                if model_admin.has_add_permission(request):
                    urls.append(reverse(f"{prefix}_add"))
                obj = model_admin.get_queryset(request).first()
                if obj is not None:
                    urls += [
                        reverse(f"{prefix}_change", args=[obj.pk]),
                        reverse(f"{prefix}_history", args=[obj.pk]),
                    ]
                for url in urls:
                    with self.subTest(user=user.username, url=url):
                        self.assertEqual(self.client.get(url).status_code, 200)

    def test_the_admin_index_speaks_korean(self):
        self.client.force_login(self.users[2])
        page = self.client.get(reverse("admin:index")).content.decode()
        self.assertIn("인력 현황", page)
        self.assertIn("로그아웃", page)
