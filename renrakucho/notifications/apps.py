from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "renrakucho.notifications"
    label = "notifications"
