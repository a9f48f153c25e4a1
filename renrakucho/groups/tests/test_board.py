"""Board services: threads, replies, attachments (checked, location stripped, nothing saved on
a refusal), announcement-only groups, pin/close, read receipts, audit rows, notifications,
pushes."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.groups import board, services
from renrakucho.groups.models import ReplyRead, ThreadRead
from renrakucho.networks.models import Suspension
from renrakucho.notifications.models import Kind, Notification
from renrakucho.testing.files import HTML_PAGE, has_gps, jpeg_with_gps, pdf_bytes, upload

pytestmark = pytest.mark.django_db


def test_suspended_member_cannot_act(personas, council, group_access):
    Suspension.objects.create(
        network=personas.net_a,
        user=personas.nurse,
        reason="調査中",
        suspended_by=personas.operator_a,
    )
    with pytest.raises(Http404):
        group_access(personas.nurse, council)
    with pytest.raises(Http404):
        board.thread_create(actor=personas.nurse, group=council, title="t", body="b")


def test_thread_create_notifies_members_and_pushes(
    personas, council, django_capture_on_commit_callbacks, monkeypatch
):
    pushed = []
    # board pushes through services.push_to_group, which publishes from services.
    monkeypatch.setattr(services, "publish_on_commit", lambda g, m: pushed.append((g, m)))
    thread = board.thread_create(
        actor=personas.nurse,
        group=council,
        title="研修会のご案内",
        body="12月の研修会です",
        files=[upload("案内.pdf", pdf_bytes(), "application/pdf")],
    )
    assert thread.attachments.count() == 1
    assert list(
        Notification.objects.filter(kind=Kind.GROUP_POST).values_list("user", flat=True)
    ) == [personas.caremanager.pk]
    assert (f"group.{council.uuid}", {"type": "thread.created", "id": str(thread.uuid)}) in pushed
    event = AuditEvent.objects.get(action=Action.THREAD_CREATE)
    assert event.target_id == str(thread.uuid)
    assert event.detail["attachments"]


def test_thread_photo_loses_its_location(personas, council):
    thread = board.thread_create(
        actor=personas.nurse,
        group=council,
        title="写真",
        body="",
        files=[upload("photo.jpg", jpeg_with_gps(), "image/jpeg")],
    )
    stored = thread.attachments.get()
    assert not has_gps(stored.file.read())


def test_thread_refuses_bad_files_and_saves_nothing(personas, council):
    with pytest.raises(ValidationError) as error:
        board.thread_create(
            actor=personas.nurse,
            group=council,
            title="x",
            body="y",
            files=[upload("a.pdf", HTML_PAGE, "application/pdf")],
        )
    assert error.value.error_dict["files"][0].code == "bad_type"
    assert not council.threads.exists()


def test_thread_needs_a_title(personas, council):
    with pytest.raises(ValidationError) as error:
        board.thread_create(actor=personas.nurse, group=council, title=" ", body="本文")
    assert "title" in error.value.message_dict


def test_announcement_group_only_owners_post(personas, announcements, group_access):
    services.group_join(
        actor=personas.nurse, access=group_access(personas.nurse, announcements, False)
    )
    with pytest.raises(PermissionDenied):
        board.thread_create(actor=personas.nurse, group=announcements, title="t", body="b")
    thread = board.thread_create(
        actor=personas.operator_a, group=announcements, title="お知らせ", body="本文"
    )
    # Members still reply.
    board.reply_create(
        actor=personas.nurse,
        access=group_access(personas.nurse, announcements),
        thread=thread,
        body="承知しました",
    )


def test_non_member_cannot_post(personas, doctors_group):
    with pytest.raises(Http404):
        board.thread_create(actor=personas.pharmacist, group=doctors_group, title="t", body="b")


def test_reply_updates_activity_and_notifies_participants(personas, council, group_access):
    thread = board.thread_create(actor=personas.nurse, group=council, title="t", body="b")
    Notification.objects.all().delete()
    owner = group_access(personas.caremanager, council)
    reply = board.reply_create(actor=personas.caremanager, access=owner, thread=thread, body="了解")
    thread.refresh_from_db()
    assert thread.reply_count == 1
    assert thread.last_activity_at == reply.created_at
    assert list(Notification.objects.values_list("user", flat=True)) == [personas.nurse.pk]
    assert AuditEvent.objects.filter(action=Action.REPLY_CREATE, target_id=str(reply.uuid)).exists()


def test_closed_thread_refuses_replies(personas, council, group_access):
    thread = board.thread_create(actor=personas.nurse, group=council, title="t", body="b")
    owner = group_access(personas.caremanager, council)
    board.thread_set_closed(actor=personas.caremanager, access=owner, thread=thread, closed=True)
    with pytest.raises(ValidationError) as error:
        board.reply_create(
            actor=personas.nurse,
            access=group_access(personas.nurse, council),
            thread=thread,
            body="まだ",
        )
    assert error.value.code == "closed"
    assert "締め切られて" in error.value.messages[0]


def test_only_owners_pin(personas, council, group_access):
    thread = board.thread_create(actor=personas.nurse, group=council, title="t", body="b")
    with pytest.raises(PermissionDenied):
        board.thread_set_pinned(
            actor=personas.nurse,
            access=group_access(personas.nurse, council),
            thread=thread,
            pinned=True,
        )
    board.thread_set_pinned(
        actor=personas.caremanager,
        access=group_access(personas.caremanager, council),
        thread=thread,
        pinned=True,
    )
    thread.refresh_from_db()
    assert thread.pinned
    assert AuditEvent.objects.filter(action=Action.THREAD_UPDATE).exists()


def test_mark_read_is_batched_and_idempotent(
    personas, council, group_access, django_assert_num_queries
):
    thread = board.thread_create(actor=personas.nurse, group=council, title="t", body="b")
    owner = group_access(personas.caremanager, council)
    nurse = group_access(personas.nurse, council)
    replies = [
        board.reply_create(actor=personas.nurse, access=nurse, thread=thread, body=f"r{i}")
        for i in range(5)
    ]
    thread = thread.__class__.objects.select_related("group").get(pk=thread.pk)
    assert board.mark_read(user=personas.caremanager, thread=thread, replies=replies) == 6
    assert ReplyRead.objects.filter(user=personas.caremanager).count() == 5
    assert ThreadRead.objects.filter(user=personas.caremanager).count() == 1
    # Nothing new: the two look-ups (in a savepoint) and no insert.
    with django_assert_num_queries(4):
        assert board.mark_read(user=personas.caremanager, thread=thread, replies=replies) == 0
    assert owner.is_owner
