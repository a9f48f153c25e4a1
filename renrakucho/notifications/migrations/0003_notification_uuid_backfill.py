# Backfill: one uuid4 per existing notification.

import uuid

from django.db import migrations


def backfill(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    batch = []
    for row in Notification.objects.filter(uuid__isnull=True).only("id").iterator():
        row.uuid = uuid.uuid4()
        batch.append(row)
        if len(batch) == 1000:
            Notification.objects.bulk_update(batch, ["uuid"])
            batch = []
    if batch:
        Notification.objects.bulk_update(batch, ["uuid"])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_notification_uuid_expand")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
