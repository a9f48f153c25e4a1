import uuid

from django.db import models


class TimeStampedModel(models.Model):
    """created_at/updated_at on every row; `uuid` is the only identifier shown outside."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
