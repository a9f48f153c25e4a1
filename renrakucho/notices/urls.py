from django.urls import path

from . import views

app_name = "notices"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.create, name="create"),
    path("manage/<uuid:notice_uuid>/", views.tracking, name="tracking"),
    path("manage/<uuid:notice_uuid>/remind/", views.remind, name="remind"),
    path("<uuid:notice_uuid>/", views.detail, name="detail"),
    path("<uuid:notice_uuid>/confirm/", views.confirm, name="confirm"),
    path(
        "<uuid:notice_uuid>/files/<uuid:attachment_uuid>/",
        views.attachment,
        name="attachment",
    ),
]
