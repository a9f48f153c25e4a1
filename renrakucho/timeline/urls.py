from django.urls import include, path

from . import views

app_name = "timeline"

urlpatterns = [
    path("residents/<uuid:resident_uuid>/timeline/", views.timeline, name="timeline"),
    path("residents/<uuid:resident_uuid>/timeline/print/", views.timeline_print, name="print"),
    path("residents/<uuid:resident_uuid>/vitals/", views.vitals, name="vitals"),
    path("residents/<uuid:resident_uuid>/vitals.json", views.vitals_json, name="vitals_json"),
    path("posts/<uuid:post_uuid>/", views.post_detail, name="post_detail"),
    path("posts/<uuid:post_uuid>/edit/", views.post_edit, name="post_edit"),
    path("posts/<uuid:post_uuid>/history/", views.post_history, name="post_history"),
    path("posts/<uuid:post_uuid>/retract/", views.post_retract, name="post_retract"),
    path("attachments/<uuid:attachment_uuid>/", views.attachment, name="attachment"),
    path(
        "attachments/<uuid:attachment_uuid>/thumbnail/",
        views.attachment_thumbnail,
        name="attachment_thumbnail",
    ),
    # Read receipts, acknowledgements, comments, requests and search (interactions engineer).
    path("", include("renrakucho.timeline.interaction_urls")),
]
