"""More of the group pages: wrong methods, the realtime fragments, editing, owners' member
actions, declining an invitation, reply pages (keyset) and the audit rows of page writes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.groups import board, services
from renrakucho.groups.access import access_group
from renrakucho.groups.models import GroupMembership, Reply

pytestmark = pytest.mark.django_db


def test_wrong_methods(personas, client_for, council):
    client = client_for(personas.caremanager)
    thread = board.thread_create(actor=personas.nurse, group=council, title="t", body="b")
    assert client.post(reverse("groups:list")).status_code == 405
    assert client.get(reverse("groups:join", args=[council.uuid])).status_code == 405
    assert client.get(reverse("groups:thread_pin", args=[thread.uuid])).status_code == 405
    assert client.post(reverse("groups:badge")).status_code == 405


def test_fragments_are_only_the_list(personas, client_for, council, bulk_threads):
    bulk_threads(council, personas.nurse, 25)
    client = client_for(personas.caremanager)
    url = reverse("groups:group", args=[council.uuid])
    fragment = client.get(url, {"fragment": "1"}).content.decode()
    assert "<html" not in fragment and 'id="group-threads"' in fragment
    htmx = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in htmx
    page = client.get(url).content.decode()
    assert "<html" in page and "?after=" in page
    cursor = page.split("?after=")[1].split('"')[0]
    second = client.get(url, {"after": cursor}).content.decode()
    assert second.count('class="thread-row') == 5
    assert "最新のスレッドに戻る" in second


def test_reply_pages(personas, client_for, council, bulk_threads, settings):
    bulk_threads(council, personas.nurse, 1, replies=105)
    thread = council.threads.get()
    client = client_for(personas.caremanager)
    url = reverse("groups:thread", args=[thread.uuid])
    page = client.get(url).content.decode()
    assert page.count('class="post reply"') == 100
    cursor = page.split("?after=")[1].split('"')[0]
    rest = client.get(url, {"after": cursor}).content.decode()
    assert rest.count('class="post reply"') == 5
    # Every reply shown was marked read, in two batches.
    assert Reply.objects.filter(thread=thread, reads__user=personas.caremanager).count() == 105


def test_edit_group(personas, client_for, council):
    url = reverse("groups:edit", args=[council.uuid])
    assert client_for(personas.nurse).get(url).status_code == 403
    client = client_for(personas.caremanager)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"name": "介護事業所連絡会（伊那）", "description": "", "policy": "open"}
    )
    assert response.status_code == 200  # "open" is not offered to an owner who is no operator
    council.refresh_from_db()
    assert council.policy == "request"
    response = client.post(url, {"name": "介護事業所連絡会（伊那）", "policy": "invitation"})
    assert response.status_code == 302
    council.refresh_from_db()
    assert council.name == "介護事業所連絡会（伊那）" and council.policy == "invitation"
    event = AuditEvent.objects.get(action=Action.GROUP_UPDATE)
    assert set(event.detail["changed"]) == {"name", "policy"}


def test_owner_member_actions(personas, client_for, council):
    client = client_for(personas.caremanager)
    nurse = GroupMembership.objects.get(group=council, user=personas.nurse)

    def act(membership, action):
        return client.post(
            reverse("groups:member_action", args=[council.uuid, membership.uuid, action])
        )

    assert act(nurse, "owner").status_code == 302
    nurse.refresh_from_db()
    assert nurse.role == "owner"
    act(nurse, "member")
    nurse.refresh_from_db()
    assert nurse.role == "member"
    assert act(nurse, "nonsense").status_code == 404
    assert (
        client_for(personas.nurse)
        .post(reverse("groups:member_action", args=[council.uuid, nurse.uuid, "remove"]))
        .status_code
        == 403
    )
    act(nurse, "remove")
    nurse.refresh_from_db()
    assert nurse.status == "removed"
    assert AuditEvent.objects.filter(action=Action.GROUP_MEMBER, detail__change="remove").exists()
    # A request rejected from the page.
    services.group_join(
        actor=personas.pharmacist,
        access=access_group(personas.pharmacist, council.uuid, board=False),
    )
    request = GroupMembership.objects.get(group=council, user=personas.pharmacist)
    act(request, "reject")
    request.refresh_from_db()
    assert request.status == "rejected"


def test_membership_of_another_group_is_404(personas, client_for, council, doctors_group):
    doctor = GroupMembership.objects.get(group=doctors_group, user=personas.doctor)
    response = client_for(personas.caremanager).post(
        reverse("groups:member_action", args=[council.uuid, doctor.uuid, "remove"])
    )
    assert response.status_code == 404


def test_decline_invitation(personas, client_for, doctors_group):
    owner = access_group(personas.doctor, doctors_group.uuid)
    from renrakucho.testing.personas import make_user

    colleague = make_user("p-doctor-2", "医師 二郎", "イシ ジロウ", "doctor", personas.clinic_a)
    services.group_invite(actor=personas.doctor, access=owner, invitee=colleague)
    membership = GroupMembership.objects.get(group=doctors_group, user=colleague)
    # Nobody else can answer it.
    url = reverse("groups:invitation", args=[membership.uuid, "decline"])
    assert client_for(personas.nurse).post(url).status_code == 404
    client = client_for(colleague)
    assert "伊那市医師会" in client.get(reverse("groups:list")).content.decode()
    assert client.post(url).status_code == 302
    membership.refresh_from_db()
    assert membership.status == "declined"
    assert client.get(reverse("groups:group", args=[doctors_group.uuid])).status_code == 200


def test_page_writes_are_audited(personas, client_for, council):
    client = client_for(personas.nurse)
    client.post(
        reverse("groups:thread_new", args=[council.uuid]), {"title": "件名", "body": "本文"}
    )
    thread = council.threads.get()
    client.post(reverse("groups:thread", args=[thread.uuid]), {"body": "返信"})
    client.post(reverse("groups:thread_close", args=[thread.uuid]), {"closed": "1"})
    actions = list(
        AuditEvent.objects.filter(actor=personas.nurse)
        .exclude(action=Action.LOGIN)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [Action.THREAD_CREATE, Action.REPLY_CREATE, Action.THREAD_UPDATE]
    event = AuditEvent.objects.get(action=Action.THREAD_CREATE)
    assert event.network_id == personas.net_a.pk and event.target_id == str(thread.uuid)
    # No personal data in the detail: UUIDs only.
    assert "件名" not in str(event.detail) and "本文" not in str(event.detail)
