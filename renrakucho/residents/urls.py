from django.urls import path

from . import medication_urls, views

# Mounted at the site root; every page is under /residents/ (the dashboard "/" is home's).
app_name = "residents"
urlpatterns = [
    path("residents/", views.resident_list, name="list"),
    path("residents/new/", views.resident_create, name="create"),
    path(
        "residents/invitations/<uuid:membership_uuid>/accept/",
        views.invitation_accept,
        name="invitation_accept",
    ),
    path(
        "residents/invitations/<uuid:membership_uuid>/decline/",
        views.invitation_decline,
        name="invitation_decline",
    ),
    path("residents/<uuid:resident_uuid>/", views.resident_detail, name="detail"),
    path("residents/<uuid:resident_uuid>/edit/", views.resident_edit, name="edit"),
    path("residents/<uuid:resident_uuid>/access/", views.access_history, name="access_history"),
    path("residents/<uuid:resident_uuid>/consents/", views.consents, name="consents"),
    path(
        "residents/<uuid:resident_uuid>/consents/<uuid:consent_uuid>/revoke/",
        views.consent_revoke,
        name="consent_revoke",
    ),
    path(
        "residents/<uuid:resident_uuid>/consents/<uuid:consent_uuid>/file/",
        views.consent_file,
        name="consent_file",
    ),
    path("residents/<uuid:resident_uuid>/team/", views.team, name="team"),
    path("residents/<uuid:resident_uuid>/team/invite/", views.team_invite, name="team_invite"),
    path("residents/<uuid:resident_uuid>/team/leave/", views.team_leave, name="team_leave"),
    path(
        "residents/<uuid:resident_uuid>/team/<uuid:member_uuid>/remove/",
        views.team_remove,
        name="team_remove",
    ),
    path(
        "residents/<uuid:resident_uuid>/team/<uuid:member_uuid>/lead/",
        views.team_set_lead,
        name="team_set_lead",
    ),
]

# 服薬・病名 (medication and disease lists).
urlpatterns += medication_urls.urlpatterns
