from django.urls import path

from . import views

app_name = "chat"

urlpatterns = [
    path("", views.conversation_list, name="list"),
    path("new/", views.conversation_new, name="new"),
    path("search/", views.search, name="search"),
    path("badge/", views.badge, name="badge"),
    path("<uuid:conversation_uuid>/", views.conversation, name="conversation"),
    path("<uuid:conversation_uuid>/messages/", views.messages_view, name="messages"),
    path("<uuid:conversation_uuid>/read/", views.mark_read, name="read"),
    path("<uuid:conversation_uuid>/read-state/", views.read_state, name="read_state"),
    path("<uuid:conversation_uuid>/members/", views.conversation_members, name="members"),
    path("messages/<uuid:message_uuid>/edit/", views.message_edit, name="message_edit"),
    path("messages/<uuid:message_uuid>/delete/", views.message_delete, name="message_delete"),
    path("files/<uuid:attachment_uuid>/", views.attachment, name="attachment"),
    path(
        "files/<uuid:attachment_uuid>/thumbnail/",
        views.attachment_thumbnail,
        name="attachment_thumbnail",
    ),
]
