"""chat.services: conversations, members, messages, read state, and their audit rows."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.chat import services
from renrakucho.chat.access import access_conversation
from renrakucho.chat.models import Conversation, ConversationMember, Message, MessageVersion
from renrakucho.notifications.models import Kind, Notification
from renrakucho.testing.files import has_gps, jpeg_with_gps

pytestmark = pytest.mark.django_db


def test_direct_conversation_is_created_once(personas, direct):
    again, created = services.conversation_create(
        actor=personas.doctor, members=[personas.nurse.uuid]
    )
    assert not created and again == direct
    assert direct.kind == Conversation.Kind.DIRECT
    assert direct.network == personas.net_a
    assert set(direct.members.values_list("user__username", flat=True)) == {"p-nurse", "p-doctor"}
    assert (
        AuditEvent.objects.filter(action=Action.CHAT_CREATE, target_id=str(direct.uuid)).count()
        == 1
    )


def test_members_of_another_network_are_refused(personas):
    with pytest.raises(ValidationError) as error:
        services.conversation_create(actor=personas.nurse, members=[personas.nurse_b.uuid])
    assert error.value.error_dict["members"][0].code == "other_network"
    assert "同じネットワーク" in error.value.messages[0]
    assert not Conversation.objects.exists()


def test_no_members_and_unknown_ids(personas):
    with pytest.raises(ValidationError):
        services.conversation_create(actor=personas.nurse, members=[])
    with pytest.raises(ValidationError):
        services.conversation_create(actor=personas.nurse, members=[personas.nurse.uuid])
    with pytest.raises(ValidationError):
        services.conversation_create(actor=personas.nurse, members=["not-a-uuid"])


def test_group_with_title(personas, group):
    assert group.kind == Conversation.Kind.GROUP
    assert group.title == "山田さん担当"
    assert group.members.filter(left_at__isnull=True).count() == 3


def test_seq_is_consecutive_and_the_author_has_read(personas, direct, send):
    first = send(personas.nurse, direct, "1")
    second = send(personas.doctor, direct, "2")
    third = send(personas.nurse, direct, "3")
    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    direct.refresh_from_db()
    assert direct.last_seq == 3
    nurse = ConversationMember.objects.get(conversation=direct, user=personas.nurse)
    doctor = ConversationMember.objects.get(conversation=direct, user=personas.doctor)
    assert (nurse.last_read_seq, doctor.last_read_seq) == (3, 2)


def test_send_needs_membership_and_content(personas, direct, send):
    with pytest.raises(PermissionDenied):
        send(personas.pharmacist, direct)
    with pytest.raises(ValidationError) as error:
        send(personas.nurse, direct, "   ")
    assert "body" in error.value.error_dict
    with pytest.raises(ValidationError):
        send(personas.nurse, direct, "あ" * (services.MAX_BODY + 1))
    assert not Message.objects.exists()


def test_photo_is_stored_without_location(personas, direct, send):
    photo = SimpleUploadedFile("IMG_0001.jpg", jpeg_with_gps((320, 240)), "image/jpeg")
    message = send(personas.nurse, direct, "", files=[photo])
    attachment = message.attachments.get()
    assert attachment.kind == "photo" and attachment.thumbnail
    with attachment.file.open("rb") as handle:
        assert not has_gps(handle.read())


def test_refused_file_saves_nothing(personas, direct, send):
    fake = SimpleUploadedFile(
        "report.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"
    )
    with pytest.raises(ValidationError) as error:
        send(personas.nurse, direct, "見てください", files=[fake])
    assert error.value.error_dict["files"][0].code == "bad_type"
    direct.refresh_from_db()
    assert direct.last_seq == 0 and not Message.objects.exists()


def test_resident_link_only_to_a_reachable_resident(personas, direct, send):
    message = send(personas.nurse, direct, "この方の件です", resident_uuid=personas.resident.uuid)
    assert message.resident_uuid == personas.resident.uuid
    services.conversation_create(actor=personas.pharmacist, members=[personas.nurse.uuid])
    pharmacy_chat = Conversation.objects.get(
        direct_key__isnull=False, members__user=personas.pharmacist
    )
    with pytest.raises(ValidationError) as error:
        send(personas.pharmacist, pharmacy_chat, "見て", resident_uuid=personas.resident.uuid)
    assert "resident" in error.value.error_dict


def test_edit_keeps_the_previous_text_and_is_audited(personas, direct, send):
    message = send(personas.nurse, direct, "明日の訪問は10時です")
    access = access_conversation(personas.nurse, direct.uuid)
    services.message_edit(
        actor=personas.nurse, access=access, message=message, body="明日の訪問は11時です"
    )
    message.refresh_from_db()
    assert message.body == "明日の訪問は11時です" and message.edited_at
    assert MessageVersion.objects.get(message=message).body == "明日の訪問は10時です"
    event = AuditEvent.objects.get(action=Action.CHAT_EDIT)
    assert event.target_id == str(message.uuid) and event.network_id == personas.net_a.pk
    with pytest.raises(PermissionDenied):
        services.message_edit(
            actor=personas.doctor,
            access=access_conversation(personas.doctor, direct.uuid),
            message=message,
            body="x",
        )


def test_delete_leaves_a_marker_and_is_audited(personas, direct, send):
    message = send(personas.nurse, direct, "間違えました")
    access = access_conversation(personas.nurse, direct.uuid)
    services.message_delete(actor=personas.nurse, access=access, message=message)
    message.refresh_from_db()
    assert message.is_deleted and message.body == "間違えました"  # kept, no longer shown
    assert AuditEvent.objects.filter(
        action=Action.CHAT_DELETE, target_id=str(message.uuid)
    ).exists()
    with pytest.raises(ValidationError) as error:
        services.message_delete(actor=personas.nurse, access=access, message=message)
    assert error.value.code == "retracted"
    with pytest.raises(ValidationError):
        services.message_edit(actor=personas.nurse, access=access, message=message, body="x")


def test_mark_read_moves_forward_only(personas, direct, send):
    for n in range(3):
        send(personas.nurse, direct, str(n))
    access = access_conversation(personas.doctor, direct.uuid)
    assert services.conversation_mark_read(actor=personas.doctor, access=access, seq=2) == 2
    assert services.conversation_mark_read(actor=personas.doctor, access=access, seq=1) == 2
    assert services.conversation_mark_read(actor=personas.doctor, access=access, seq=99) == 3


def test_one_notification_while_away(personas, direct, send):
    send(personas.nurse, direct, "1")
    send(personas.nurse, direct, "2")
    rows = Notification.objects.filter(user=personas.doctor, kind=Kind.CHAT_MESSAGE)
    assert rows.count() == 1  # not one per message
    assert rows.get().url == f"/chat/{direct.uuid}/"
    # Reading everything clears it; someone reading right now is not notified again.
    access = access_conversation(personas.doctor, direct.uuid)
    services.conversation_mark_read(actor=personas.doctor, access=access)
    assert not rows.filter(read_at__isnull=True).exists()
    send(personas.nurse, direct, "3")
    assert not rows.filter(read_at__isnull=True).exists()
    # After a quiet spell, the next message notifies again.
    ConversationMember.objects.filter(user=personas.doctor).update(
        last_read_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    send(personas.nurse, direct, "4")
    assert rows.filter(read_at__isnull=True).count() == 1


def test_leave_and_rejoin_a_direct_conversation(personas, direct):
    access = access_conversation(personas.doctor, direct.uuid)
    services.conversation_leave(actor=personas.doctor, access=access)
    with pytest.raises(Http404):
        access_conversation(personas.doctor, direct.uuid)
    again, created = services.conversation_create(actor=personas.doctor, members=[personas.nurse])
    assert again == direct and not created
    assert access_conversation(personas.doctor, direct.uuid)


def test_group_members_rename_add_remove(personas, group):
    nurse = access_conversation(personas.nurse, group.uuid)
    doctor = access_conversation(personas.doctor, group.uuid)
    services.conversation_rename(actor=personas.doctor, access=doctor, title="退院調整")
    group.refresh_from_db()
    assert group.title == "退院調整"
    added = services.members_add(
        actor=personas.doctor, access=doctor, members=[personas.pharmacist.uuid]
    )
    assert added == [personas.pharmacist]
    with pytest.raises(ValidationError):
        services.members_add(actor=personas.doctor, access=doctor, members=[personas.nurse_b.uuid])
    with pytest.raises(PermissionDenied):  # only the creator removes others
        services.member_remove(
            actor=personas.doctor, access=doctor, member_uuid=personas.pharmacist.uuid
        )
    services.member_remove(actor=personas.nurse, access=nurse, member_uuid=personas.pharmacist.uuid)
    with pytest.raises(Http404):
        access_conversation(personas.pharmacist, group.uuid)
    changes = list(
        AuditEvent.objects.filter(action=Action.CHAT_MEMBERS)
        .order_by("id")
        .values_list("detail__change", flat=True)
    )
    assert changes == ["rename", "add", "remove"]


def test_direct_conversation_cannot_be_renamed(personas, direct):
    access = access_conversation(personas.nurse, direct.uuid)
    with pytest.raises(ValidationError):
        services.conversation_rename(actor=personas.nurse, access=access, title="x")


def test_suspended_member_loses_access(personas, direct):
    from renrakucho.networks.models import Suspension

    Suspension.objects.create(
        network=personas.net_a,
        user=personas.doctor,
        reason="調査中",
        suspended_by=personas.operator_a,
    )
    with pytest.raises(Http404):
        access_conversation(personas.doctor, direct.uuid)
