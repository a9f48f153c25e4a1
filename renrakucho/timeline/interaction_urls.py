"""URLs of read receipts, acknowledgements, comments, requests and search.

No `app_name`: included from the timeline's urls.py, these names live in its `timeline`
namespace (e.g. `timeline:post_readers`)."""

from django.urls import path

from . import interaction_views as views

urlpatterns = [
    path("residents/<uuid:resident_uuid>/timeline/read", views.read_up_to, name="read_up_to"),
    path(
        "residents/<uuid:resident_uuid>/timeline/search/",
        views.search_resident,
        name="search_resident",
    ),
    path("timeline/search/", views.search_all, name="search"),
    path("posts/<uuid:post_uuid>/readers/", views.post_readers, name="post_readers"),
    path("posts/<uuid:post_uuid>/footer/", views.post_footer, name="post_footer"),
    path("posts/<uuid:post_uuid>/ack/", views.post_ack, name="post_ack"),
    path("posts/<uuid:post_uuid>/comments/", views.post_comments, name="post_comments"),
    path("posts/<uuid:post_uuid>/request/", views.post_request, name="post_request"),
    path("posts/<uuid:post_uuid>/request/status/", views.request_status, name="request_status"),
]
