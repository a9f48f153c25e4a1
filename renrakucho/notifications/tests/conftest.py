import pytest

from renrakucho.notifications.models import Kind, Notification


@pytest.fixture(autouse=True)
def _huey_immediate():
    """Tasks run at once, in the test's thread and transaction (no queue file)."""
    from huey.contrib.djhuey import HUEY

    previous = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = previous


@pytest.fixture
def make_notifications(personas):
    """make_notifications(user, n, **fields) -> the rows, oldest first (bulk, one statement)."""

    def make(user, n=1, **fields):
        fields.setdefault("kind", Kind.NEW_POST)
        fields.setdefault("url", f"/residents/{personas.resident.uuid}/")
        fields.setdefault("resident_uuid", personas.resident.uuid)
        return Notification.objects.bulk_create(
            [Notification(user=user, **fields) for _ in range(n)]
        )

    return make
