from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("badge/", views.badge, name="badge"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("settings/", views.notification_settings, name="settings"),
    path("<uuid:notification_uuid>/open/", views.notification_open, name="open"),
    path("<uuid:notification_uuid>/read/", views.notification_read, name="read"),
]
