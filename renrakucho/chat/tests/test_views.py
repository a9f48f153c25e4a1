"""Chat pages: members only (404 for everyone else), sending with and without htmx, the
fragments chat.js fetches, read state, members and name, edit/delete, files, search."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.chat.models import ConversationMember, Message
from renrakucho.testing.files import jpeg_with_gps

pytestmark = pytest.mark.django_db

NO_ACCESS = "支援対象者へのリンク（閲覧権限がありません）"


def conversation_urls(conversation, message=None, attachment=None):
    urls = [
        ("get", reverse("chat:conversation", args=[conversation.uuid])),
        ("get", reverse("chat:messages", args=[conversation.uuid]) + "?after_seq=0"),
        ("get", reverse("chat:messages", args=[conversation.uuid]) + "?before_seq=99"),
        ("post", reverse("chat:messages", args=[conversation.uuid])),
        ("post", reverse("chat:read", args=[conversation.uuid])),
        ("get", reverse("chat:read_state", args=[conversation.uuid])),
        ("get", reverse("chat:members", args=[conversation.uuid])),
        ("post", reverse("chat:members", args=[conversation.uuid])),
    ]
    if message is not None:
        urls += [
            ("get", reverse("chat:message_edit", args=[message.uuid])),
            ("post", reverse("chat:message_edit", args=[message.uuid])),
            ("get", reverse("chat:message_delete", args=[message.uuid])),
            ("post", reverse("chat:message_delete", args=[message.uuid])),
        ]
    if attachment is not None:
        urls += [
            ("get", reverse("chat:attachment", args=[attachment.uuid])),
            ("get", reverse("chat:attachment_thumbnail", args=[attachment.uuid])),
        ]
    return urls


@pytest.fixture
def with_photo(personas, direct, send):
    photo = SimpleUploadedFile("a.jpg", jpeg_with_gps((320, 240)), "image/jpeg")
    return send(personas.nurse, direct, "写真です", files=[photo])


@pytest.mark.parametrize(
    "who", ["pharmacist", "nurse_b", "operator_a", "operator_c", "caremanager"]
)
def test_outsiders_get_404_everywhere(personas, client_for, direct, with_photo, who):
    client = client_for(getattr(personas, who))
    attachment = with_photo.attachments.get()
    for method, url in conversation_urls(direct, with_photo, attachment):
        response = getattr(client, method)(url, {"seq": "1", "body": "x", "action": "leave"})
        assert response.status_code == 404, (who, method, url)
    assert not Message.objects.filter(author=getattr(personas, who)).exists()
    assert ConversationMember.objects.filter(conversation=direct, left_at__isnull=True).count() == 2


def test_a_member_who_left_gets_404(personas, client_for, direct, with_photo):
    doctor = client_for(personas.doctor)
    response = doctor.post(reverse("chat:members", args=[direct.uuid]), {"action": "leave"})
    assert response.status_code == 302
    attachment = with_photo.attachments.get()
    for method, url in conversation_urls(direct, None, attachment):
        assert getattr(doctor, method)(url).status_code == 404, url


def test_anonymous_is_sent_to_login(direct, client):
    response = client.get(reverse("chat:conversation", args=[direct.uuid]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_conversation_page_shows_messages_and_marks_read(personas, client_for, direct, send):
    send(personas.nurse, direct, "明日10時に伺います")
    response = client_for(personas.doctor).get(reverse("chat:conversation", args=[direct.uuid]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "明日10時に伺います" in body
    assert f'data-chat-socket="/ws/chat/{direct.uuid}/"' in body
    assert (
        ConversationMember.objects.get(conversation=direct, user=personas.doctor).last_read_seq == 1
    )
    # The nurse's own message now shows 既読 1.
    mine = client_for(personas.nurse).get(reverse("chat:conversation", args=[direct.uuid]))
    assert "既読 1" in mine.content.decode()


def test_send_without_javascript_redirects(personas, client_for, direct):
    client = client_for(personas.nurse)
    url = reverse("chat:messages", args=[direct.uuid])
    response = client.post(url, {"body": "よろしくお願いします"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/chat/{direct.uuid}/#latest")
    assert Message.objects.get().body == "よろしくお願いします"
    # An empty message keeps the page with a Japanese error.
    response = client.post(url, {"body": "  "})
    assert response.status_code == 200
    assert "メッセージを入力してください。" in response.content.decode()


def test_send_with_htmx_answers_with_the_composer(personas, client_for, direct):
    client = client_for(personas.nurse)
    url = reverse("chat:messages", args=[direct.uuid])
    response = client.post(url, {"body": "了解です"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    content = response.content.decode()
    assert content.strip().startswith('<section id="composer"')
    assert "了解です" not in content  # a fresh composer
    response = client.post(url, {"body": ""}, HTTP_HX_REQUEST="true")
    assert "メッセージを入力してください。" in response.content.decode()


def test_fragments_after_and_before_seq(personas, client_for, direct, send, bulk):
    bulk(direct, [personas.nurse, personas.doctor], 40)
    client = client_for(personas.doctor)
    url = reverse("chat:messages", args=[direct.uuid])
    after = client.get(url, {"after_seq": 35}).content.decode()
    assert [s for s in range(36, 41) if f'data-seq="{s}"' in after] == [36, 37, 38, 39, 40]
    assert 'data-seq="35"' not in after and 'data-has-later="0"' in after
    capped = client.get(url, {"after_seq": 0, "limit": 10}).content.decode()
    assert 'data-has-later="1"' in capped and 'data-seq="10"' in capped
    assert 'data-seq="11"' not in capped
    before = client.get(url, {"before_seq": 11}).content.decode()
    assert 'data-seq="1"' in before and 'data-seq="10"' in before
    assert 'data-seq="11"' not in before and 'data-has-earlier="0"' in before
    # Without either parameter there is no fragment.
    assert client.get(url).status_code == 404


def test_page_shows_the_newest_and_a_link_to_earlier(personas, client_for, direct, bulk):
    bulk(direct, [personas.nurse], 45)
    client = client_for(personas.doctor)
    url = reverse("chat:conversation", args=[direct.uuid])
    body = client.get(url).content.decode()
    assert 'data-seq="45"' in body and 'data-seq="16"' in body and 'data-seq="15"' not in body
    assert "?before_seq=16" in body
    older = client.get(url, {"before_seq": 16}).content.decode()
    assert 'data-seq="15"' in older and 'data-seq="16"' not in older
    assert "data-chat-socket" not in older  # an older page is not live


def test_read_endpoint_and_read_state(personas, client_for, direct, send):
    for n in range(3):
        send(personas.nurse, direct, f"{n}")
    doctor = client_for(personas.doctor)
    assert doctor.post(reverse("chat:read", args=[direct.uuid]), {"seq": "2"}).status_code == 204
    assert doctor.post(reverse("chat:read", args=[direct.uuid]), {"seq": "x"}).status_code == 400
    state = doctor.get(reverse("chat:read_state", args=[direct.uuid])).json()["members"]
    assert {row["user"]: row["seq"] for row in state} == {
        str(personas.nurse.uuid): 3,
        str(personas.doctor.uuid): 2,
    }


def test_resident_link_shows_the_name_only_to_those_with_access(personas, client_for, group, send):
    from renrakucho.chat import services
    from renrakucho.chat.access import access_conversation

    services.members_add(
        actor=personas.nurse,
        access=access_conversation(personas.nurse, group.uuid),
        members=[personas.pharmacist.uuid],
    )
    send(personas.nurse, group, "この方の退院調整です", resident_uuid=personas.resident.uuid)
    url = reverse("chat:conversation", args=[group.uuid])
    doctor = client_for(personas.doctor).get(url).content.decode()
    assert "支援対象者: 山田 花子" in doctor
    assert f'href="/residents/{personas.resident.uuid}/"' in doctor
    pharmacist = client_for(personas.pharmacist).get(url).content.decode()
    assert "山田 花子" not in pharmacist and NO_ACCESS in pharmacist
    # The link itself still leads to the resident's page, which refuses him.
    assert (
        client_for(personas.pharmacist).get(f"/residents/{personas.resident.uuid}/").status_code
        == 404
    )


def test_composer_offers_only_my_residents(personas, client_for, direct):
    nurse = client_for(personas.nurse).get(reverse("chat:conversation", args=[direct.uuid]))
    assert "山田 花子" in nurse.content.decode()
    # Choosing a resident not on the team is refused.
    client = client_for(personas.nurse)
    response = client.post(
        reverse("chat:messages", args=[direct.uuid]),
        {"body": "x", "resident": "6f1c1f8e-8a57-4d8e-9d8a-3c0c6f1b2a11"},
    )
    assert response.status_code == 200 and not Message.objects.exists()


def test_edit_and_delete_pages(personas, client_for, direct, send):
    message = send(personas.nurse, direct, "10時に伺います")
    nurse = client_for(personas.nurse)
    edit = reverse("chat:message_edit", args=[message.uuid])
    assert nurse.get(edit).status_code == 200
    assert nurse.post(edit, {"body": "11時に伺います"}).status_code == 302
    assert client_for(personas.doctor).get(edit).status_code == 403
    page = client_for(personas.doctor).get(reverse("chat:conversation", args=[direct.uuid]))
    assert "11時に伺います" in page.content.decode() and "（編集済み）" in page.content.decode()
    delete = reverse("chat:message_delete", args=[message.uuid])
    assert client_for(personas.doctor).post(delete).status_code == 403
    assert nurse.post(delete).status_code == 302
    page = client_for(personas.doctor).get(reverse("chat:conversation", args=[direct.uuid]))
    content = page.content.decode()
    assert "このメッセージは削除されました" in content and "11時に伺います" not in content
    assert AuditEvent.objects.filter(action=Action.CHAT_EDIT).count() == 1
    assert AuditEvent.objects.filter(action=Action.CHAT_DELETE).count() == 1


def test_attachment_download_is_audited(personas, client_for, direct, with_photo):
    attachment = with_photo.attachments.get()
    client = client_for(personas.doctor)
    response = client.get(reverse("chat:attachment", args=[attachment.uuid]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    event = AuditEvent.objects.get(action=Action.CHAT_FILE)
    assert event.actor == personas.doctor and event.target_id == str(attachment.uuid)
    thumb = client.get(reverse("chat:attachment_thumbnail", args=[attachment.uuid]))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    # A deleted message's files are no longer served.
    client_for(personas.nurse).post(reverse("chat:message_delete", args=[with_photo.uuid]))
    assert client.get(reverse("chat:attachment", args=[attachment.uuid])).status_code == 404


def test_new_conversation_page(personas, client_for):
    client = client_for(personas.nurse)
    page = client.get(reverse("chat:new"), {"q": "いな"}).content.decode()
    assert "伊那 一郎" in page and "いーなクリニック" in page
    everyone = client.get(reverse("chat:new")).content.decode()
    assert "南 看護" not in everyone  # Network B
    assert "薬 太郎" in everyone
    response = client.post(reverse("chat:new"), {"members": [str(personas.doctor.uuid)]})
    assert response.status_code == 302
    again = client.post(reverse("chat:new"), {"members": [str(personas.doctor.uuid)]})
    assert again["Location"] == response["Location"]
    refused = client.post(reverse("chat:new"), {"members": [str(personas.nurse_b.uuid)]})
    assert refused.status_code == 200
    assert (
        "同じネットワークの利用者ではない方は、会話に追加できません。" in refused.content.decode()
    )
    fragment = client.get(reverse("chat:new"), {"q": "くすり"}, HTTP_HX_REQUEST="true")
    assert fragment.content.decode().strip().startswith('<div id="people"')


def test_list_members_search_and_badge(personas, client_for, group, send):
    send(personas.nurse, group, "カンファレンスは金曜です")
    doctor = client_for(personas.doctor)
    listing = doctor.get(reverse("chat:list")).content.decode()
    assert "山田さん担当" in listing and "カンファレンスは金曜です" in listing
    badge = doctor.get(reverse("chat:badge")).content.decode()
    assert ">1<" in badge
    members = doctor.get(reverse("chat:members", args=[group.uuid])).content.decode()
    assert "介護 支援" in members
    found = doctor.get(reverse("chat:search"), {"q": "ｶﾝﾌｧﾚﾝｽ"}).content.decode()
    assert "カンファレンスは金曜です" in found
    assert (
        "カンファレンス"
        not in client_for(personas.pharmacist)
        .get(reverse("chat:search"), {"q": "カンファレンス"})
        .content.decode()
        .split("</form>")[-1]
    )
    response = doctor.post(
        reverse("chat:members", args=[group.uuid]), {"action": "rename", "title": "退院調整"}
    )
    assert response.status_code == 302
    response = doctor.post(
        reverse("chat:members", args=[group.uuid]),
        {"action": "add", "members": [str(personas.nurse_b.uuid)]},
    )
    assert "同じネットワークの利用者ではない方は" in response.content.decode()
    response = doctor.post(
        reverse("chat:members", args=[group.uuid]),
        {"action": "remove", "member": str(personas.caremanager.uuid)},
    )
    assert response.status_code == 403  # only the creator removes others
