"""Online meetings and conferences (会議・カンファレンス): invitations, video links, minutes, iCalendar feeds."""

from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="create"),
    path("settings/", views.provider_settings, name="provider_settings"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="feed"),
    path("<uuid:meeting_uuid>/", views.meeting_detail, name="detail"),
    path("<uuid:meeting_uuid>/respond", views.meeting_respond, name="respond"),
    path("<uuid:meeting_uuid>/edit/", views.meeting_edit, name="edit"),
    path("<uuid:meeting_uuid>/cancel", views.meeting_cancel, name="cancel"),
    path("<uuid:meeting_uuid>/files", views.meeting_attach, name="attach"),
    path(
        "<uuid:meeting_uuid>/files/<uuid:attachment_uuid>",
        views.attachment,
        name="attachment",
    ),
    path("<uuid:meeting_uuid>/minutes/", views.minutes_edit, name="minutes"),
]
