from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "renrakucho.console"
    label = "console"
