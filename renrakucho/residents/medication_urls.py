"""URLs of the 服薬・病名 screens, appended to residents.urls (namespace "residents")."""

from django.urls import path

from . import medication_views as views

_R = "residents/<uuid:resident_uuid>"
urlpatterns = [
    path(f"{_R}/medications/", views.lists, name="medications"),
    path(f"{_R}/medications/add/", views.medication_add, name="medication_add"),
    path(
        f"{_R}/medications/<uuid:medication_uuid>/edit/",
        views.medication_edit,
        name="medication_edit",
    ),
    path(
        f"{_R}/medications/<uuid:medication_uuid>/end/",
        views.medication_end,
        name="medication_end",
    ),
    path(
        f"{_R}/medications/<uuid:medication_uuid>/history/",
        views.medication_history,
        name="medication_history",
    ),
    path(f"{_R}/diagnoses/add/", views.diagnosis_add, name="diagnosis_add"),
    path(
        f"{_R}/diagnoses/<uuid:diagnosis_uuid>/edit/",
        views.diagnosis_edit,
        name="diagnosis_edit",
    ),
    path(
        f"{_R}/diagnoses/<uuid:diagnosis_uuid>/end/",
        views.diagnosis_end,
        name="diagnosis_end",
    ),
    path(
        f"{_R}/diagnoses/<uuid:diagnosis_uuid>/history/",
        views.diagnosis_history,
        name="diagnosis_history",
    ),
]
