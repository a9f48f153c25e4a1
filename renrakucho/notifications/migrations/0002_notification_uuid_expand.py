# Expand: a nullable uuid column; 0003 fills it, 0004 makes it unique and required.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="uuid",
            field=models.UUIDField(null=True, editable=False),
        ),
    ]
