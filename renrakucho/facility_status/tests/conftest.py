import pytest

from renrakucho.audit.models import AuditChainHead
from renrakucho.facility_status.access import access_facility
from renrakucho.facility_status.services import facility_status_update


@pytest.fixture(autouse=True)
def _audit_chain_started(db):
    # The first audit row ever also creates the chain head; start it so that query counts
    # measure the steady state.
    AuditChainHead.objects.get_or_create(pk=1)


@pytest.fixture
def report():
    """report(user, facility, status="normal", **fields) -> a report through the service."""

    def make(user, facility, status="normal", **fields):
        return facility_status_update(
            actor=user,
            access=access_facility(user, facility.uuid, write=True),
            status=status,
            **fields,
        )

    return make
