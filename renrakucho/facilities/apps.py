from django.apps import AppConfig


class FacilitiesConfig(AppConfig):
    name = "renrakucho.facilities"
    label = "facilities"
