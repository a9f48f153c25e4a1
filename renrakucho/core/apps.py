from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "renrakucho.core"
    label = "core"
