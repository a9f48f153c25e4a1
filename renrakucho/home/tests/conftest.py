"""Fixtures of the dashboard tests: the residents app's data builders, reused."""

from renrakucho.residents.tests.conftest import count_queries, more_residents  # noqa: F401
from renrakucho.timeline.tests.conftest import access_for  # noqa: F401, E402
