from django.urls import path

from . import views

app_name = "facility_status"
urlpatterns = [
    path("", views.board, name="board"),
    path("request/", views.request_create, name="request"),
    path("requests/<uuid:request_uuid>/remind/", views.request_remind, name="remind"),
    path("facilities/<uuid:facility_uuid>/", views.facility, name="facility"),
    path("facilities/<uuid:facility_uuid>/update/", views.update, name="update"),
]
