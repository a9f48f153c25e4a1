from django.urls import path

from . import views

app_name = "agreements"
urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("new/", views.propose, name="propose"),
    path("overview/", views.overview, name="overview"),
    path("<uuid:agreement_uuid>/", views.detail, name="detail"),
    path("<uuid:agreement_uuid>/accept/", views.accept, name="accept"),
    path("<uuid:agreement_uuid>/decline/", views.decline, name="decline"),
    path("<uuid:agreement_uuid>/leave/", views.leave, name="leave"),
    path("<uuid:agreement_uuid>/end/", views.end, name="end"),
    path("<uuid:agreement_uuid>/invite/", views.invite, name="invite"),
]
