"""Demo data of the meetings app (issue 4): filled in with the app."""

from __future__ import annotations

from collections import Counter


def seed_meetings(users: dict, facilities: dict, networks: dict, created: Counter) -> None:
    """Create whatever of this app's demo data is missing, through its services."""
