from django.core.management.base import BaseCommand, CommandError

from renrakucho.audit.services import audit_verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain (exit status 1 when it is broken)."

    def handle(self, *args, **options):
        checked, broken = audit_verify()
        if broken is not None:
            where = "the chain head" if broken == -1 else f"event id {broken}"
            raise CommandError(f"audit chain broken at {where} after {checked} valid events")
        self.stdout.write(f"audit chain OK: {checked} events")
