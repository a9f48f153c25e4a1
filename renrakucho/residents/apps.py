from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    name = "renrakucho.residents"
    label = "residents"
