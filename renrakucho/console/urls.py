from django.urls import path

from . import views

app_name = "console"
urlpatterns = [
    path("", views.index, name="index"),
    path("facilities/", views.facilities, name="facilities"),
    path("facilities/<uuid:facility_uuid>/", views.facility, name="facility"),
    path(
        "facilities/<uuid:facility_uuid>/approve/",
        views.facility_approve,
        name="facility_approve",
    ),
    path("facilities/<uuid:facility_uuid>/reject/", views.facility_reject, name="facility_reject"),
    path("users/", views.users, name="users"),
    path("users/<uuid:user_uuid>/", views.user, name="user"),
    path("users/<uuid:user_uuid>/suspend/", views.user_suspend, name="user_suspend"),
    path("users/<uuid:user_uuid>/unsuspend/", views.user_unsuspend, name="user_unsuspend"),
    path("audit/", views.audit, name="audit"),
    path("networks/<uuid:network_uuid>/settings/", views.network_settings, name="network_settings"),
]
