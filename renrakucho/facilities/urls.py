from django.urls import path

from . import views

app_name = "facilities"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("apply/<slug:slug>/", views.apply, name="apply"),
    path("apply/<slug:slug>/done/", views.apply_done, name="apply_done"),
    # "done" before the token pattern; tokens are 43 characters and never collide.
    path("join/done/", views.join_done, name="join_done"),
    path("join/<str:token>/", views.join, name="join"),
    path("<uuid:facility_uuid>/staff/", views.staff, name="staff"),
    path(
        "<uuid:facility_uuid>/staff/<uuid:affiliation_uuid>/approve/",
        views.staff_approve,
        name="staff_approve",
    ),
    path(
        "<uuid:facility_uuid>/staff/<uuid:affiliation_uuid>/reject/",
        views.staff_reject,
        name="staff_reject",
    ),
    path(
        "<uuid:facility_uuid>/staff/<uuid:affiliation_uuid>/end/",
        views.staff_end,
        name="staff_end",
    ),
    path(
        "<uuid:facility_uuid>/staff/<uuid:affiliation_uuid>/admin/",
        views.staff_admin,
        name="staff_admin",
    ),
    path("<uuid:facility_uuid>/invitations/", views.invite, name="invite"),
    path(
        "<uuid:facility_uuid>/invitations/<uuid:invitation_uuid>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
