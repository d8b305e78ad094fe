from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from casework import week_views
from core import views as core_views

urlpatterns = [
    path("", week_views.home, name="home"),
    # The admin's desk: links to all an admin does, placement import, survey rounds.
    path("desk/", include("reports.desk_urls")),
    # Placement import in the browser (casework), a door of the desk.
    path("desk/import/", include("casework.import_urls")),
    # Two-factor and password change: accounts:two_factor_setup, accounts:password_change, ...
    path("accounts/", include("accounts.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accessibility/", core_views.accessibility_statement, name="accessibility"),
    path("participants/", include("casework.urls")),
    path("transfers/", include("casework.transfer_urls")),
    path("followups/", include("followup.urls")),
    path("workplaces/", include("placements.urls")),
    path("dashboard/", include("reports.urls")),
    path("reports/", include("reports.annual.urls")),
    path("audit/", include("audit.urls")),
    # Before survey.urls, whose public "<token>/" would otherwise take "results/".
    path("survey/results/", include("reports.survey_urls")),
    path("survey/", include("survey.urls")),
    path("privacy/", include("privacy.urls")),
    path("admin/", admin.site.urls),
]
