from django.core.management.base import BaseCommand

from renrakucho.demo.data import DEMO_LOGINS, PASSWORD
from renrakucho.demo.seed import seed_demo


class Command(BaseCommand):
    help = (
        "Load the demo Networks of 上伊那 with facilities, staff, residents and teams. "
        "Idempotent: only missing rows are created."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--logins", action="store_true", help="Print the demo logins and their password."
        )

    def handle(self, *args, logins=False, **options):
        created = seed_demo()
        if created.total():
            summary = ", ".join(f"{n} {what}" for what, n in created.items() if n)
            self.stdout.write(f"demo data created: {summary}")
        else:
            self.stdout.write("demo data already present; nothing changed")
        if logins:
            self.stdout.write(f"demo logins (password: {PASSWORD}):")
            for username, description in DEMO_LOGINS:
                self.stdout.write(f"  {username:<18} {description}")
