from django.contrib import admin
from django.urls import path

from portplanner import exchange_views, fleet_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("clusters/new/", fleet_views.cluster_new, name="cluster_new"),
    path("clusters/<slug:cluster>/", fleet_views.cluster_apps, name="cluster_apps"),
    path(
        "clusters/<slug:cluster>/collisions/",
        fleet_views.cluster_collisions_report,
        name="cluster_collisions",
    ),
    path("clusters/<slug:cluster>/map/", fleet_views.cluster_port_map, name="cluster_port_map"),
    path(
        "clusters/<slug:cluster>/settings/", fleet_views.cluster_settings, name="cluster_settings"
    ),
    path("clusters/<slug:cluster>/apps/new/", views.app_new, name="app_new"),
    path("clusters/<slug:cluster>/apps/new/preview/", views.app_preview, name="app_preview_new"),
    path("clusters/<slug:cluster>/apps/<int:pk>/", views.app_edit, name="app_edit"),
    path("clusters/<slug:cluster>/apps/<int:pk>/preview/", views.app_preview, name="app_preview"),
    path("clusters/<slug:cluster>/import/", exchange_views.cluster_import, name="cluster_import"),
    path("clusters/<slug:cluster>/export/", exchange_views.cluster_export, name="cluster_export"),
    path(
        "clusters/<slug:cluster>/apps/<int:pk>/export/",
        exchange_views.app_export,
        name="app_export",
    ),
    path("admin/", admin.site.urls),
]
