"""Fixtures of the dashboard tests: the residents app's data builders, reused."""

from renrakucho.residents.tests.conftest import count_queries, more_residents  # noqa: F401
