"""`/ws/groups/<uuid>/` across Networks: B's nurse follows a group of A open to partners
while the Agreement is in force, and is refused the moment it ends; C's nurse never."""

from __future__ import annotations

import pytest

from renrakucho.notifications.consumers import REFUSED
from renrakucho.timeline.tests.test_realtime import (  # noqa: F401 (the autouse fixture)
    _occupations,
    connect_result,
    run,
    socket,
)

from .crossnet import cross_group, end_agreement, make_nurse_c

pytestmark = pytest.mark.django_db(transaction=True)


def path_of(group) -> str:
    return f"/ws/groups/{group.uuid}/"


def test_external_member_is_refused_once_the_agreement_ends(personas, client_for):
    agreement, group = cross_group(personas)
    client = client_for(personas.nurse_b)
    assert run(connect_result, socket(path_of(group), client)) == (True, None)
    end_agreement(agreement, personas.operator_a)
    assert run(connect_result, socket(path_of(group), client)) == (False, REFUSED)
    local = socket(path_of(group), client_for(personas.operator_a))
    assert run(connect_result, local) == (True, None)


def test_nurse_of_c_is_refused(personas, client_for):
    _, group = cross_group(personas)
    communicator = socket(path_of(group), client_for(make_nurse_c(personas)))
    assert run(connect_result, communicator) == (False, REFUSED)
