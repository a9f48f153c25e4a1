from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "renrakucho.audit"
    label = "audit"

    def ready(self):
        from . import receivers

        receivers.connect()
