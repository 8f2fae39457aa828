from django.contrib import admin
from django.contrib.auth import views as auth
from django.urls import path

from portplanner import http
from portplanner.accounts import views as accounts
from portplanner.composer import views as composer
from portplanner.exchange import views as exchange
from portplanner.fleet import views as fleet
from portplanner.history import views as history
from portplanner.review import views as review

urlpatterns = [
    path("", fleet.home, name="home"),
    path("healthz", http.healthz, name="healthz"),
    path("readyz", http.readyz, name="readyz"),
    path("accounts/login/", accounts.SignIn.as_view(), name="login"),
    path("accounts/logout/", auth.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("clusters/<slug:cluster>/members/", accounts.cluster_members, name="cluster_members"),
    path(
        "clusters/<slug:cluster>/settings/review/",
        fleet.cluster_review_settings,
        name="cluster_review_settings",
    ),
    path("clusters/<slug:cluster>/delete/", fleet.cluster_delete, name="cluster_delete"),
    path("clusters/<slug:cluster>/activity/", history.cluster_activity, name="cluster_activity"),
    path(
        "clusters/<slug:cluster>/history/<path:app_id>",
        history.app_history,
        name="app_history",
    ),
    path(
        "clusters/<slug:cluster>/revisions/<int:pk>/",
        history.revision_detail,
        name="revision_detail",
    ),
    path("clusters/<slug:cluster>/apps/<int:pk>/delete/", fleet.app_delete, name="app_delete"),
    path("clusters/<slug:cluster>/requests/", review.request_list, name="request_list"),
    path(
        "clusters/<slug:cluster>/requests/<int:number>/",
        review.request_detail,
        name="request_detail",
    ),
    path(
        "clusters/<slug:cluster>/requests/<int:number>/group.json",
        review.request_group,
        name="request_group",
    ),
    path("clusters/new/", fleet.cluster_new, name="cluster_new"),
    path("clusters/<slug:cluster>/", fleet.cluster_apps, name="cluster_apps"),
    path(
        "clusters/<slug:cluster>/collisions/",
        fleet.cluster_collisions_report,
        name="cluster_collisions",
    ),
    path("clusters/<slug:cluster>/map/", fleet.cluster_port_map, name="cluster_port_map"),
    path("clusters/<slug:cluster>/settings/", fleet.cluster_settings, name="cluster_settings"),
    path("clusters/<slug:cluster>/apps/new/", composer.app_new, name="app_new"),
    path("clusters/<slug:cluster>/apps/new/preview/", composer.app_preview, name="app_preview_new"),
    path("clusters/<slug:cluster>/apps/<int:pk>/", composer.app_edit, name="app_edit"),
    path(
        "clusters/<slug:cluster>/apps/<int:pk>/preview/", composer.app_preview, name="app_preview"
    ),
    path("clusters/<slug:cluster>/import/", exchange.cluster_import, name="cluster_import"),
    path("clusters/<slug:cluster>/export/", exchange.cluster_export, name="cluster_export"),
    path(
        "clusters/<slug:cluster>/apps/<int:pk>/export/",
        exchange.app_export,
        name="app_export",
    ),
    path("admin/", admin.site.urls),
]
handler400 = "portplanner.http.bad_request"
