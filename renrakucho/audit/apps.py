from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "renrakucho.audit"
    label = "audit"
