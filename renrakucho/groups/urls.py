from django.urls import path

from . import views

app_name = "groups"
urlpatterns = [
    path("", views.group_list, name="list"),
    path("new/", views.group_new, name="new"),
    path("badge/", views.badge, name="badge"),
    path("<uuid:group_uuid>/", views.group_board, name="group"),
    path("<uuid:group_uuid>/edit/", views.group_edit, name="edit"),
    path("<uuid:group_uuid>/join/", views.group_join, name="join"),
    path("<uuid:group_uuid>/leave/", views.group_leave, name="leave"),
    path("<uuid:group_uuid>/members/", views.members, name="members"),
    path(
        "<uuid:group_uuid>/members/<uuid:membership_uuid>/<str:action>/",
        views.member_action,
        name="member_action",
    ),
    path("<uuid:group_uuid>/search/", views.search, name="search"),
    path("<uuid:group_uuid>/threads/new/", views.thread_new, name="thread_new"),
    path("invitations/<uuid:membership_uuid>/<str:answer>/", views.invitation, name="invitation"),
    path("threads/<uuid:thread_uuid>/", views.thread, name="thread"),
    path("threads/<uuid:thread_uuid>/pin/", views.thread_pin, name="thread_pin"),
    path("threads/<uuid:thread_uuid>/close/", views.thread_close, name="thread_close"),
    path("files/<uuid:attachment_uuid>/", views.attachment, name="attachment"),
    path(
        "files/<uuid:attachment_uuid>/thumbnail/",
        views.attachment_thumbnail,
        name="attachment_thumbnail",
    ),
]
