from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "renrakucho.timeline"
    label = "timeline"
