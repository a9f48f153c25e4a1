from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "renrakucho.networks"
    label = "networks"
