# Contract: every notification has its uuid now; make it required and unique.

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_notification_uuid_backfill")]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
