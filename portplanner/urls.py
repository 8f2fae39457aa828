from django.contrib import admin
from django.urls import path

from portplanner import exchange_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("clusters/<slug:cluster>/", views.cluster_apps, name="cluster_apps"),
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
