from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "renrakucho.api"
    label = "api"
