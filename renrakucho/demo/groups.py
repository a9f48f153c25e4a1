"""Demo data of the groups app (issue 4): filled in with the app."""

from __future__ import annotations

from collections import Counter


def seed_groups(users: dict, facilities: dict, networks: dict, created: Counter) -> None:
    """Create whatever of this app's demo data is missing, through its services."""
