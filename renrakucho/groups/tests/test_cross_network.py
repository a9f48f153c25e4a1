"""Cross-Network groups (広域連携): a group opened to partners by an owner who operates its
Network, only under an Agreement in force allowing groups; B's nurse discovers, joins, reads
and posts; C's nurse gets 404; ending the Agreement (or closing the group to partners)
removes B's access at once (pages, files; the API in api/tests/test_groups_cross_network.py,
the websocket in test_cross_network_socket.py); members from elsewhere are marked."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from renrakucho.groups import board, selectors, services
from renrakucho.groups.access import access_group
from renrakucho.groups.models import GroupMembership
from renrakucho.testing.files import png_bytes, upload

from .crossnet import cross_group, end_agreement, make_agreement, make_nurse_c, nurses_group

pytestmark = pytest.mark.django_db


def _update(actor, group, **changes):
    values = {"name": group.name, "description": group.description, "policy": group.policy}
    values.update(changes)
    return services.group_update(actor=actor, access=access_group(actor, group.uuid), **values)


# --- Opening a group to partners --------------------------------------------------------------


def test_opening_needs_an_agreement_in_force_allowing_groups(personas):
    group = nurses_group(personas, open_to_partners=False)
    with pytest.raises(ValidationError) as error:
        _update(personas.operator_a, group, open_to_partners=True)
    assert "広域連携協定が結ばれていない" in error.value.message_dict["open_to_partners"][0]
    # An Agreement allowing teams only does not do.
    make_agreement(
        personas.net_a, personas.net_b, proposer=personas.operator_a, allows_groups=False
    )
    with pytest.raises(ValidationError):
        _update(personas.operator_a, group, open_to_partners=True)
    make_agreement(personas.net_a, personas.net_c, proposer=personas.operator_a)
    assert _update(personas.operator_a, group, open_to_partners=True).open_to_partners


def test_only_an_owner_operating_the_network_opens_it(personas, council):
    make_agreement(personas.net_a, personas.net_b, proposer=personas.operator_a)
    with pytest.raises(PermissionDenied):  # the care manager owns it but operates nothing
        _update(personas.caremanager, council, open_to_partners=True)
    assert not council.open_to_partners


def test_edit_page_offers_the_switch_to_operators_only(personas, client_for, council):
    group = nurses_group(personas, open_to_partners=False)
    url = reverse("groups:edit", args=[group.uuid])
    client = client_for(personas.operator_a)
    assert "広域連携協定を結んだネットワークにも公開する" in client.get(url).content.decode()
    response = client.post(
        url, {"name": group.name, "policy": group.policy, "open_to_partners": "on"}
    )
    assert response.status_code == 200  # refused: no Agreement yet, said in Japanese
    assert "広域連携協定が結ばれていない" in response.content.decode()
    make_agreement(personas.net_a, personas.net_b, proposer=personas.operator_a)
    response = client.post(
        url, {"name": group.name, "policy": group.policy, "open_to_partners": "on"}
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.open_to_partners
    owner_page = client_for(personas.caremanager).get(reverse("groups:edit", args=[council.uuid]))
    assert "広域連携協定を結んだネットワークにも公開する" not in owner_page.content.decode()


# --- B's nurse ---------------------------------------------------------------------------------


def test_external_nurse_discovers_joins_reads_and_posts(personas, client_for):
    _, group = cross_group(personas, join=False)
    client = client_for(personas.nurse_b)
    listing = client.get(reverse("groups:list")).content.decode()
    assert group.name in listing and "伊那市電子連絡帳" in listing and "広域連携" in listing
    assert client.post(reverse("groups:join", args=[group.uuid])).status_code == 302
    assert access_group(personas.nurse_b, group.uuid).external
    response = client.post(
        reverse("groups:thread_new", args=[group.uuid]),
        {
            "title": "研修会のご案内",
            "body": "南箕輪村から参加します。",
            "files": [upload("案内.png", png_bytes(), "image/png")],
        },
    )
    assert response.status_code == 302
    thread = group.threads.get(title="研修会のご案内")
    board_page = client.get(reverse("groups:group", args=[group.uuid])).content.decode()
    assert "他のネットワークから参加" in board_page and "会議を予定する" not in board_page
    page = client.get(reverse("groups:thread", args=[thread.uuid]))
    assert page.status_code == 200
    reply = client.post(reverse("groups:thread", args=[thread.uuid]), {"body": "よろしく"})
    assert reply.status_code == 302
    attachment = thread.attachments.get()
    assert client.get(reverse("groups:attachment", args=[attachment.uuid])).status_code == 200
    # A's nurse (a local member) sees B's nurse marked with her Network.
    board.thread_create(actor=personas.operator_a, group=group, title="A", body="本文")
    services.group_join(
        actor=personas.nurse, access=access_group(personas.nurse, group.uuid, board=False)
    )
    members = client_for(personas.nurse).get(reverse("groups:members", args=[group.uuid]))
    text = members.content.decode()
    assert "外部（南箕輪村電子連絡帳）" in text
    assert text.count("外部（") == 1


def test_nurse_of_c_and_a_closed_group_give_404(personas, client_for, council):
    _, group = cross_group(personas)
    thread = board.thread_create(actor=personas.nurse_b, group=group, title="件名", body="本文")
    nurse_c = make_nurse_c(personas)
    client = client_for(nurse_c)
    for url in (
        reverse("groups:group", args=[group.uuid]),
        reverse("groups:members", args=[group.uuid]),
        reverse("groups:thread", args=[thread.uuid]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("groups:join", args=[group.uuid])).status_code == 404
    assert group.name not in client.get(reverse("groups:list")).content.decode()
    # A group of A not opened to partners stays closed to B, Agreement or not.
    b = client_for(personas.nurse_b)
    assert b.get(reverse("groups:group", args=[council.uuid])).status_code == 404
    # Same-Network outsider of a by-request group's board: 404 too (the card only).
    assert (
        client_for(personas.pharmacist)
        .get(reverse("groups:thread", args=[thread.uuid]))
        .status_code
        == 404
    )


def test_eligibility_applies_to_external_users(personas):
    _, group = cross_group(personas, join=False)
    # B has no pharmacy; a B user without a visiting nursing station is not eligible.
    from renrakucho.testing.personas import make_facility, make_user

    clinic_b = make_facility(personas.net_b, "みなみ診療所", "clinic")
    doctor_b = make_user("p-doctor-b", "南 医師", "ミナミ イシ", "doctor", clinic_b)
    with pytest.raises(Http404):
        access_group(doctor_b, group.uuid, board=False)
    assert group not in selectors.discoverable_groups(doctor_b)
    assert group in selectors.discoverable_groups(personas.nurse_b)


@pytest.mark.parametrize("how", ["end", "close"])
def test_ending_the_agreement_removes_access_at_once(personas, client_for, how):
    agreement, group = cross_group(personas)
    thread = board.thread_create(
        actor=personas.nurse_b,
        group=group,
        title="件名",
        body="本文",
        files=[upload("写真.png", png_bytes(), "image/png")],
    )
    attachment = thread.attachments.get()
    client = client_for(personas.nurse_b)
    urls = [
        reverse("groups:group", args=[group.uuid]),
        reverse("groups:thread", args=[thread.uuid]),
        reverse("groups:members", args=[group.uuid]),
        reverse("groups:attachment", args=[attachment.uuid]),
    ]
    assert [client.get(url).status_code for url in urls] == [200, 200, 200, 200]
    if how == "end":
        end_agreement(agreement, personas.operator_a)
    else:
        _update(personas.operator_a, group, open_to_partners=False)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404, 404]
    assert (
        client.post(reverse("groups:thread", args=[thread.uuid]), {"body": "x"}).status_code == 404
    )
    assert group.name not in client.get(reverse("groups:list")).content.decode()
    # The membership row is kept (history); the owner sees it marked as not counting.
    assert GroupMembership.objects.filter(group=group, user=personas.nurse_b, status="active")
    members = client_for(personas.operator_a).get(reverse("groups:members", args=[group.uuid]))
    assert "協定外のため参加停止中" in members.content.decode()
    # Local members are not affected.
    assert client_for(personas.operator_a).get(urls[1]).status_code == 200


def test_no_notification_reaches_an_external_member_once_the_agreement_ends(personas):
    from renrakucho.notifications.models import Notification

    agreement, group = cross_group(personas)
    received = Notification.objects.filter(user=personas.nurse_b)
    board.thread_create(actor=personas.operator_a, group=group, title="件名", body="本文")
    assert received.count() == 1
    assert personas.nurse_b.pk in selectors.member_user_ids(group)
    end_agreement(agreement, personas.operator_a)
    assert personas.nurse_b.pk not in selectors.member_user_ids(group)
    assert personas.operator_a.pk in selectors.member_user_ids(group)
    board.thread_create(actor=personas.operator_a, group=group, title="件名2", body="本文")
    assert received.count() == 1


def test_owners_invite_partners_and_requests_follow_the_policy(personas, client_for):
    from renrakucho.groups.models import Policy

    make_agreement(personas.net_a, personas.net_b, proposer=personas.operator_a)
    group = nurses_group(personas, policy=Policy.REQUEST)
    owner = access_group(personas.operator_a, group.uuid)
    services.group_invite(actor=personas.operator_a, access=owner, invitee=personas.nurse_b)
    invitation = client_for(personas.nurse_b).get(reverse("groups:list")).content.decode()
    assert "招待されているグループ" in invitation and group.name in invitation
    with pytest.raises(ValidationError):  # C is in no Agreement with A
        services.group_invite(
            actor=personas.operator_a, access=owner, invitee=make_nurse_c(personas)
        )
