from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "renrakucho.accounts"
    label = "accounts"
