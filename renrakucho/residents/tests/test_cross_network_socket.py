"""The resident's websocket across Networks: B's nurse follows R's timeline while the
Agreement is in force, and is refused the moment it ends (through the real ASGI app)."""

from __future__ import annotations

import pytest

from renrakucho.notifications.consumers import REFUSED
from renrakucho.timeline.tests.test_realtime import (  # noqa: F401 (the autouse fixture)
    _occupations,
    connect_result,
    run,
    socket,
    timeline_path,
)

from .crossnet import cross_team, end_agreement, leave_agreement, make_nurse_c

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("how", ["end", "leave"])
def test_external_member_is_refused_once_the_agreement_ends(personas, client_for, how):
    agreement = cross_team(personas)
    client = client_for(personas.nurse_b)
    assert run(connect_result, socket(timeline_path(personas), client)) == (True, None)
    if how == "end":
        end_agreement(agreement, personas.operator_a)
    else:
        leave_agreement(agreement, personas.net_a)
    assert run(connect_result, socket(timeline_path(personas), client)) == (False, REFUSED)
    # The local team is not affected.
    local = socket(timeline_path(personas), client_for(personas.nurse))
    assert run(connect_result, local) == (True, None)


def test_nurse_of_c_is_refused(personas, client_for):
    cross_team(personas)
    nurse_c = make_nurse_c(personas)
    communicator = socket(timeline_path(personas), client_for(nurse_c))
    assert run(connect_result, communicator) == (False, REFUSED)
