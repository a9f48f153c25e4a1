"""Group pages: happy paths, 404 for same-Network outsiders and other Networks on every page
of a board (a pharmacist cannot open the doctors-only group or its files), 403 for writes a
member may not do, forms keeping what was typed, audit rows of downloads."""

from __future__ import annotations

import pytest
from django.urls import reverse

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.groups import board, services
from renrakucho.groups.models import GroupMembership, ReplyRead, Thread, ThreadRead
from renrakucho.testing.files import HTML_PAGE, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def doctors_thread(personas, doctors_group):
    return board.thread_create(
        actor=personas.doctor,
        group=doctors_group,
        title="厚労省通知の共有",
        body="会員限定の資料です",
        files=[upload("通知.pdf", pdf_bytes(), "application/pdf")],
    )


def board_urls(group, thread):
    attachment = thread.attachments.first()
    urls = [
        reverse("groups:group", args=[group.uuid]),
        reverse("groups:group", args=[group.uuid]) + "?fragment=1",
        reverse("groups:search", args=[group.uuid]) + "?q=通知",
        reverse("groups:members", args=[group.uuid]),
        reverse("groups:thread_new", args=[group.uuid]),
        reverse("groups:edit", args=[group.uuid]),
        reverse("groups:thread", args=[thread.uuid]),
        reverse("groups:thread", args=[thread.uuid]) + "?fragment=1",
    ]
    if attachment is not None:
        urls.append(reverse("groups:attachment", args=[attachment.uuid]))
    return urls


@pytest.mark.parametrize("who", ["pharmacist", "nurse", "nurse_b", "operator_c", "operator_a"])
def test_outsiders_get_404_on_everything(personas, client_for, doctors_group, doctors_thread, who):
    client = client_for(getattr(personas, who))
    for url in board_urls(doctors_group, doctors_thread):
        assert client.get(url).status_code == 404, url
    posts = [
        reverse("groups:join", args=[doctors_group.uuid]),
        reverse("groups:thread", args=[doctors_thread.uuid]),
        reverse("groups:thread_pin", args=[doctors_thread.uuid]),
        reverse("groups:thread_close", args=[doctors_thread.uuid]),
        reverse("groups:thread_new", args=[doctors_group.uuid]),
    ]
    for url in posts:
        assert client.post(url, {"body": "x", "title": "x"}).status_code == 404, url
    assert not Thread.objects.exclude(pk=doctors_thread.pk).exists()
    assert not doctors_thread.replies.exists()


def test_anonymous_is_sent_to_login(doctors_group, client):
    response = client.get(reverse("groups:group", args=[doctors_group.uuid]))
    assert response.status_code == 302


def test_member_sees_board_and_thread_and_marks_read(
    personas, client_for, council, django_capture_on_commit_callbacks
):
    thread = board.thread_create(actor=personas.nurse, group=council, title="研修会", body="12月")
    client = client_for(personas.caremanager)
    response = client.get(reverse("groups:group", args=[council.uuid]))
    assert response.status_code == 200
    assert "研修会" in response.content.decode()
    assert 'data-realtime-group="/ws/groups/' in response.content.decode()
    assert f"/meetings/new/?group={council.uuid}" in response.content.decode()
    # The realtime fragment does not mark read.
    client.get(reverse("groups:thread", args=[thread.uuid]) + "?fragment=1")
    assert not ThreadRead.objects.exists()
    response = client.get(reverse("groups:thread", args=[thread.uuid]))
    assert response.status_code == 200
    assert ThreadRead.objects.filter(user=personas.caremanager, thread=thread).exists()
    response = client_for(personas.nurse).get(reverse("groups:thread", args=[thread.uuid]))
    assert "既読 1" in response.content.decode()


def test_reply_through_the_form_and_readers(personas, client_for, council):
    thread = board.thread_create(actor=personas.nurse, group=council, title="t", body="b")
    client = client_for(personas.caremanager)
    url = reverse("groups:thread", args=[thread.uuid])
    response = client.post(url, {"body": "参加します"})
    assert response.status_code == 302
    reply = thread.replies.get()
    client_for(personas.nurse).get(url)
    assert ReplyRead.objects.filter(reply=reply, user=personas.nurse).exists()


def test_closed_thread_shows_the_message_and_refuses_replies(personas, client_for, council):
    thread = board.thread_create(actor=personas.nurse, group=council, title="t", body="b")
    owner = client_for(personas.caremanager)
    assert (
        owner.post(reverse("groups:thread_close", args=[thread.uuid]), {"closed": "1"}).status_code
        == 302
    )
    client = client_for(personas.nurse)
    response = client.post(reverse("groups:thread", args=[thread.uuid]), {"body": "まだ"})
    assert response.status_code == 200
    assert "このスレッドは締め切られているため返信できません。" in response.content.decode()
    assert not thread.replies.exists()


def test_member_may_not_pin(personas, client_for, council):
    thread = board.thread_create(actor=personas.nurse, group=council, title="t", body="b")
    response = client_for(personas.nurse).post(
        reverse("groups:thread_pin", args=[thread.uuid]), {"pinned": "1"}
    )
    assert response.status_code == 403


def test_announcement_group_refuses_members_thread_form(personas, client_for, announcements):
    client = client_for(personas.nurse)
    client.post(reverse("groups:join", args=[announcements.uuid]))
    assert client.get(reverse("groups:group", args=[announcements.uuid])).status_code == 200
    assert client.get(reverse("groups:thread_new", args=[announcements.uuid])).status_code == 403


def test_new_thread_form_keeps_input_and_shows_file_errors(personas, client_for, council):
    client = client_for(personas.nurse)
    url = reverse("groups:thread_new", args=[council.uuid])
    response = client.post(
        url,
        {"title": "研修資料", "body": "本文です", "files": [upload("a.pdf", HTML_PAGE)]},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "本文です" in content and "研修資料" in content
    assert "1件目のファイル" in content
    response = client.post(
        url, {"title": "写真", "body": "", "files": [upload("p.png", png_bytes(), "image/png")]}
    )
    assert response.status_code == 302
    thread = Thread.objects.get(title="写真")
    attachment = thread.attachments.get()
    download = client.get(reverse("groups:attachment", args=[attachment.uuid]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(
        action=Action.BOARD_FILE, target_id=str(attachment.uuid)
    ).exists()
    thumbnail = client.get(reverse("groups:attachment_thumbnail", args=[attachment.uuid]))
    assert thumbnail.status_code == 200


def test_group_list_shows_mine_invitations_and_discoverable(
    personas, client_for, doctors_group, council, announcements
):
    client = client_for(personas.pharmacist)
    content = client.get(reverse("groups:list")).content.decode()
    assert "介護事業所連絡会" in content and "伊那市からのお知らせ" in content
    assert "伊那市医師会" not in content  # doctors only
    content = client_for(personas.nurse_b).get(reverse("groups:list")).content.decode()
    assert "介護事業所連絡会" not in content


def test_card_of_a_group_to_join_and_request(personas, client_for, council):
    client = client_for(personas.pharmacist)
    url = reverse("groups:group", args=[council.uuid])
    response = client.get(url)
    assert response.status_code == 200
    assert "参加を申請する" in response.content.decode()
    assert client.get(url + "?fragment=1").status_code == 404
    client.post(reverse("groups:join", args=[council.uuid]))
    membership = GroupMembership.objects.get(group=council, user=personas.pharmacist)
    assert membership.status == "requested"
    owner = client_for(personas.caremanager)
    page = owner.get(reverse("groups:members", args=[council.uuid])).content.decode()
    assert personas.pharmacist.name in page
    owner.post(reverse("groups:member_action", args=[council.uuid, membership.uuid, "approve"]))
    assert client.get(url).status_code == 200
    assert "スレッド" in client.get(url).content.decode()


def test_owner_invites_by_login_id_and_invitee_accepts(personas, client_for, doctors_group):
    owner = client_for(personas.doctor)
    url = reverse("groups:members", args=[doctors_group.uuid])
    response = owner.post(url, {"username": personas.pharmacist.username})
    assert response.status_code == 200
    assert "参加条件に当てはまらない" in response.content.decode()
    response = owner.post(url, {"username": "nobody-here"})
    assert "参加条件に当てはまらない" in response.content.decode()


def test_invitation_only_group_card_is_404_for_others(personas, client_for):
    group = services.group_create(
        actor=personas.nurse, network=personas.net_a, name="内緒の会", policy="invitation"
    )
    url = reverse("groups:group", args=[group.uuid])
    assert client_for(personas.caremanager).get(url).status_code == 404
    services.group_invite(
        actor=personas.nurse,
        access=__import__("renrakucho.groups.access", fromlist=["x"]).access_group(
            personas.nurse, group.uuid
        ),
        invitee=personas.caremanager,
    )
    client = client_for(personas.caremanager)
    assert client.get(url).status_code == 200
    membership = GroupMembership.objects.get(group=group, user=personas.caremanager)
    client.post(reverse("groups:invitation", args=[membership.uuid, "accept"]))
    membership.refresh_from_db()
    assert membership.status == "active"


def test_create_group_page(personas, client_for):
    client = client_for(personas.nurse)
    assert client.get(reverse("groups:new")).status_code == 200
    response = client.post(
        reverse("groups:new"),
        {
            "network": personas.net_a.pk,
            "name": "看護師の会",
            "policy": "request",
            "occupations": ["nurse"],
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("groups:new"),
        {"network": personas.net_a.pk, "name": "看護師の会", "policy": "request"},
    )
    assert "同じ名前のグループが既にあります。" in response.content.decode()


def test_operator_creates_announcement_group(personas, client_for):
    client = client_for(personas.operator_a)
    response = client.post(
        reverse("groups:new"),
        {
            "network": personas.net_a.pk,
            "name": "市からのお知らせ",
            "policy": "open",
            "announcement_only": "on",
        },
    )
    assert response.status_code == 302


def test_search_is_kana_and_width_insensitive(personas, client_for, council):
    board.thread_create(actor=personas.nurse, group=council, title="ケアカンファレンス", body="")
    board.thread_create(actor=personas.nurse, group=council, title="別件", body="")
    client = client_for(personas.caremanager)
    url = reverse("groups:search", args=[council.uuid])
    for query in ("けあかんふぁれんす", "ｹｱｶﾝﾌｧﾚﾝｽ"):
        content = client.get(url, {"q": query}).content.decode()
        assert "ケアカンファレンス" in content and "別件" not in content


def test_leave_page_asks_last_owner_for_successor(personas, client_for, council):
    client = client_for(personas.caremanager)
    url = reverse("groups:leave", args=[council.uuid])
    response = client.post(url, {})
    assert response.status_code == 200
    assert "次の管理者" in response.content.decode()
    nurse = GroupMembership.objects.get(group=council, user=personas.nurse)
    assert client.post(url, {"successor": str(nurse.uuid)}).status_code == 302
    nurse.refresh_from_db()
    assert nurse.is_owner


def test_nav_badge(personas, client_for, council):
    board.thread_create(actor=personas.nurse, group=council, title="t", body="b")
    client = client_for(personas.caremanager)
    page = client.get(reverse("groups:list")).content.decode()
    assert 'id="nav-groups"' in page
    badge = client.get(reverse("groups:badge")).content.decode()
    assert ">1<" in badge
