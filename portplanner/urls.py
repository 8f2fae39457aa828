from django.contrib import admin
from django.urls import path

from portplanner import http
from portplanner.composer import views as composer
from portplanner.exchange import views as exchange
from portplanner.fleet import views as fleet

urlpatterns = [
    path("", fleet.home, name="home"),
    path("healthz", http.healthz, name="healthz"),
    path("readyz", http.readyz, name="readyz"),
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
