from django.contrib.auth import views as auth_views
from django.urls import path

from .views import browse, files, periods, search, sessions

app_name = "council"

briefing = "sessions/<int:session_id>/<slug:code>/"
quarter = "periods/<int:year>/<int:quarter>/"

urlpatterns = [
    path("", sessions.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="council/login.html", next_page="council:home"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="council:home"), name="logout"),
    path("sessions/<int:session_id>/", sessions.session, name="session"),
    path("sessions/<int:session_id>/booklet.pdf", sessions.booklet_pdf, name="booklet_pdf"),
    path(briefing, sessions.briefing, name="briefing"),
    path(briefing + "briefing.pdf", sessions.briefing_pdf, name="briefing_pdf"),
    path(briefing + "<slug:kind>/", sessions.briefing_section, name="briefing_section"),
    path(
        briefing + "<slug:kind>/<slug:table>.<str:fmt>",
        sessions.briefing_table,
        name="briefing_table",
    ),
    path("periods/", periods.periods, name="periods"),
    path(quarter, periods.period, name="period"),
    path(quarter + "<slug:code>/", periods.period_report_page, name="period_report"),
    path(quarter + "<slug:code>/<slug:kind>/", periods.period_section, name="period_section"),
    path(
        quarter + "<slug:code>/<slug:kind>/<slug:table>.<str:fmt>",
        periods.period_table,
        name="period_table",
    ),
    path("departments/", browse.departments, name="departments"),
    path("departments/<slug:code>/", browse.department, name="department"),
    path(
        "departments/<slug:code>/programs/<int:year>/<slug:kind>/<int:order>/",
        browse.program,
        name="program",
    ),
    path("committees/", browse.committees, name="committees"),
    path("committees/<int:pk>/", browse.committee, name="committee"),
    path("search/", search.search, name="search"),
    path("images/<str:sha>/<path:name>", files.block_image, name="block_image"),
]
