from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "renrakucho.files"
    label = "files"
    verbose_name = "ファイル"
