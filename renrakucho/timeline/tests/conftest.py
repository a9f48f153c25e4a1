"""Fixtures of the timeline tests (the shared personas come from renrakucho/conftest; real
files for uploads from renrakucho.testing.files)."""

from __future__ import annotations

import pytest

from renrakucho.testing.timeline import bulk_posts as bulk_timeline
from renrakucho.timeline.access import access_timeline


@pytest.fixture
def access_for(personas):
    """access_for(user, resident=None) → the user's TimelineAccess to the resident."""

    def make(user, resident=None):
        return access_timeline(user, (resident or personas.resident).uuid)

    return make


@pytest.fixture
def bulk_posts(personas):
    """bulk_posts(n, author=None, resident=None) → n posts written straight to the database
    (see renrakucho.testing.timeline), from alternating authors."""

    def make(n, *, author=None, resident=None):
        authors = [author] if author else [personas.nurse, personas.doctor, personas.caremanager]
        return bulk_timeline(resident or personas.resident, authors, n)

    return make
