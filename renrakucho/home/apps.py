from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "renrakucho.home"
    label = "home"
