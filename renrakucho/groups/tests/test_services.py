"""Group services: creation rights, eligibility on join/request/invite/approval, members,
owners, leaving; audit rows and notifications. The board's services are tested in
test_board.py."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.groups import selectors, services
from renrakucho.groups.models import GroupMembership, Policy
from renrakucho.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


def test_creator_becomes_owner_and_creation_is_audited(personas, doctors_group):
    membership = GroupMembership.objects.get(group=doctors_group, user=personas.doctor)
    assert membership.is_owner
    assert AuditEvent.objects.filter(
        action=Action.GROUP_CREATE, target_id=str(doctors_group.uuid)
    ).exists()
    assert selectors.member_user_ids(doctors_group) == [personas.doctor.pk]


def test_only_operators_create_open_or_announcement_groups(personas):
    for kwargs in ({"policy": Policy.OPEN}, {"announcement_only": True}):
        with pytest.raises(PermissionDenied):
            services.group_create(
                actor=personas.nurse, network=personas.net_a, name="看護の会", **kwargs
            )


def test_nobody_creates_a_group_in_another_network(personas):
    with pytest.raises(PermissionDenied):
        services.group_create(actor=personas.nurse_b, network=personas.net_a, name="x")


def test_creator_must_be_eligible(personas):
    with pytest.raises(ValidationError) as error:
        services.group_create(
            actor=personas.nurse,
            network=personas.net_a,
            name="医師だけ",
            occupation_codes=["doctor"],
        )
    assert "occupations" in error.value.message_dict


def test_operator_sets_up_a_restricted_group_and_hands_it_over(personas, group_access):
    group = services.group_create(
        actor=personas.operator_a,
        network=personas.net_a,
        name="伊那市医師会",
        occupation_codes=["doctor"],
    )
    operator = group_access(personas.operator_a, group)
    membership = services.group_invite(
        actor=personas.operator_a, access=operator, invitee=personas.doctor
    )
    services.group_join(actor=personas.doctor, access=group_access(personas.doctor, group, False))
    services.member_set_role(
        actor=personas.operator_a, access=operator, membership=membership, owner=True
    )
    services.group_leave(actor=personas.operator_a, access=operator)
    assert selectors.member_user_ids(group) == [personas.doctor.pk]
    assert group_access(personas.doctor, group).is_owner


def test_group_name_is_required_and_unique(personas, council):
    with pytest.raises(ValidationError) as error:
        services.group_create(actor=personas.nurse, network=personas.net_a, name="介護事業所連絡会")
    assert "同じ名前" in error.value.message_dict["name"][0]
    with pytest.raises(ValidationError):
        services.group_create(actor=personas.nurse, network=personas.net_a, name=" ")


def test_pharmacist_cannot_request_doctors_group(personas, doctors_group, group_access):
    # The card is not even visible to someone not eligible.
    with pytest.raises(Http404):
        group_access(personas.pharmacist, doctors_group, board=False)


def test_request_notifies_owners_and_approval_makes_a_member(
    personas, council, group_access, django_capture_on_commit_callbacks
):
    access = group_access(personas.pharmacist, council, board=False)
    membership = services.group_join(actor=personas.pharmacist, access=access)
    assert membership.status == "requested"
    assert Notification.objects.filter(user=personas.caremanager, kind=Kind.GROUP_REQUEST).exists()
    with pytest.raises(ValidationError):
        services.group_join(
            actor=personas.pharmacist, access=group_access(personas.pharmacist, council, False)
        )
    with pytest.raises(PermissionDenied):
        services.request_decide(
            actor=personas.nurse,
            access=group_access(personas.nurse, council),
            membership=membership,
            approve=True,
        )
    owner = group_access(personas.caremanager, council)
    services.request_decide(
        actor=personas.caremanager, access=owner, membership=membership, approve=True
    )
    assert group_access(personas.pharmacist, council).is_member
    assert AuditEvent.objects.filter(action=Action.GROUP_MEMBER, detail__change="approve").exists()


def test_open_group_joins_at_once(personas, announcements, group_access):
    access = group_access(personas.nurse, announcements, board=False)
    membership = services.group_join(actor=personas.nurse, access=access)
    assert membership.status == "active"
    assert AuditEvent.objects.filter(action=Action.GROUP_JOIN).exists()


def test_invitation_only_group_is_invisible_until_invited(personas, group_access):
    group = services.group_create(
        actor=personas.doctor, network=personas.net_a, name="在宅医療の会", policy=Policy.INVITATION
    )
    with pytest.raises(Http404):
        group_access(personas.nurse, group, board=False)
    owner = group_access(personas.doctor, group)
    services.group_invite(actor=personas.doctor, access=owner, invitee=personas.nurse)
    assert Notification.objects.filter(user=personas.nurse, kind=Kind.GROUP_REQUEST).exists()
    access = group_access(personas.nurse, group, board=False)
    assert access.is_invited
    services.group_join(actor=personas.nurse, access=access)
    assert group_access(personas.nurse, group).is_member


def test_invite_checks_eligibility_and_network(personas, doctors_group, group_access):
    owner = group_access(personas.doctor, doctors_group)
    for invitee in (personas.pharmacist, personas.nurse_b):
        with pytest.raises(ValidationError) as error:
            services.group_invite(actor=personas.doctor, access=owner, invitee=invitee)
        assert "user" in error.value.message_dict


def test_last_owner_names_a_successor_to_leave(personas, council, group_access):
    owner = group_access(personas.caremanager, council)
    with pytest.raises(ValidationError) as error:
        services.group_leave(actor=personas.caremanager, access=owner)
    assert "successor" in error.value.message_dict
    nurse = GroupMembership.objects.get(group=council, user=personas.nurse)
    services.group_leave(actor=personas.caremanager, access=owner, successor=nurse)
    assert group_access(personas.nurse, council).is_owner
    with pytest.raises(Http404):
        group_access(personas.caremanager, council)


def test_owner_removes_member_but_not_the_last_owner(personas, council, group_access):
    owner = group_access(personas.caremanager, council)
    nurse = GroupMembership.objects.get(group=council, user=personas.nurse)
    services.member_remove(actor=personas.caremanager, access=owner, membership=nurse)
    with pytest.raises(Http404):
        group_access(personas.nurse, council)
    with pytest.raises(ValidationError):
        services.member_remove(
            actor=personas.caremanager, access=owner, membership=owner.membership
        )
