"""The meeting pages: every page, file and form is 404 for a user of another Network and for
a same-Network outsider; the forms keep what was typed; the join button shows only from 10
minutes before the start until the end; downloads are attachments."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.meetings.models import Meeting, MeetingInvitation, MeetingSettings, Minutes
from renrakucho.testing.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db

# Not invited / not on R's team: a pharmacist of A, a nurse of B, the operator of C; and A's
# operator, who reaches R but was not invited.
OUTSIDERS = ["pharmacist", "nurse_b", "operator_c", "operator_a"]


@pytest.fixture
def meeting(team_meeting):
    return team_meeting(files=[upload("資料.pdf", pdf_bytes())])


def _urls(meeting):
    attachment = meeting.attachments.get()
    base = f"/meetings/{meeting.uuid}/"
    return {
        "get": [
            base,
            base + "?fragment=join",
            base + "minutes/",
            f"{base}files/{attachment.uuid}",
        ],
        "post": [base + "respond", base + "cancel", base + "files", base + "minutes/"],
    }


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_everywhere(personas, client_for, meeting, who):
    client = client_for(getattr(personas, who))
    urls = _urls(meeting)
    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url in urls["post"]:
        assert client.post(url, {"response": "attend"}).status_code == 404, url
    # Nothing of the meeting shows in their list.
    assert str(meeting.uuid) not in client.get("/meetings/").content.decode()
    assert MeetingInvitation.objects.filter(meeting=meeting, response="attend").count() == 1


def test_a_member_who_leaves_the_team_loses_the_meeting(personas, client_for, meeting):
    from renrakucho.residents.models import CareTeamMember

    client = client_for(personas.nurse)
    assert client.get(f"/meetings/{meeting.uuid}/").status_code == 200
    CareTeamMember.objects.filter(user=personas.nurse).update(status="left")
    assert client.get(f"/meetings/{meeting.uuid}/").status_code == 404
    assert str(meeting.uuid) not in client.get("/meetings/").content.decode()


def test_anonymous_is_sent_to_login(client, meeting):
    response = client.get(f"/meetings/{meeting.uuid}/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_unknown_and_malformed_ids(personas, client_for):
    client = client_for(personas.nurse)
    assert client.get("/meetings/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/meetings/new/?resident=not-a-uuid").status_code == 404
    assert client.get("/meetings/new/?group=not-a-uuid").status_code == 404


def test_detail_page_and_audit(personas, client_for, meeting):
    client = client_for(personas.nurse)
    page = client.get(f"/meetings/{meeting.uuid}/").content.decode()
    assert meeting.title in page and "山田 花子" in page and "退院後の訪問体制" in page
    assert "資料1（PDF）" in page and "資料.pdf" not in page
    event = AuditEvent.objects.filter(action=Action.MEETING_VIEW).latest("id")
    assert event.actor == personas.nurse and event.target_id == str(meeting.uuid)
    assert event.resident_uuid == personas.resident.uuid
    assert event.detail == {"view": "meeting", "meetings": [str(meeting.uuid)]}
    assert not AuditEvent.objects.filter(action=Action.RESIDENT_VIEW).exists()
    assert client.post(f"/meetings/{meeting.uuid}/", {}).status_code == 405


def test_attachment_download(personas, client_for, meeting):
    attachment = meeting.attachments.get()
    response = client_for(personas.doctor).get(f"/meetings/{meeting.uuid}/files/{attachment.uuid}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "資料" not in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    event = AuditEvent.objects.filter(action=Action.MEETING_FILE).get()
    assert event.target_id == str(attachment.uuid) and event.resident_uuid == personas.resident.uuid


def _join_block(client, meeting):
    return client.get(f"/meetings/{meeting.uuid}/?fragment=join").content.decode()


def test_join_button_only_shortly_before_until_the_end(personas, client_for, team_meeting):
    # Within the session's lifetime (12 hours) of the signed-in client.
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(hours=1)
    meeting = team_meeting(starts_in=start - timezone.now(), duration_minutes=30)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=start)  # exactly, for the edges
    client = client_for(personas.nurse)
    moments = {
        start - datetime.timedelta(minutes=30): False,
        start - datetime.timedelta(minutes=11): False,
        start - datetime.timedelta(minutes=10): True,
        start: True,
        start + datetime.timedelta(minutes=29): True,
        start + datetime.timedelta(minutes=30): False,
    }
    for moment, shown in moments.items():
        with time_machine.travel(moment, tick=False):
            block = _join_block(client, meeting)
            assert ('id="join-button"' in block) is shown, moment
            assert (meeting.join_url in block) is shown, moment
            page = client.get(f"/meetings/{meeting.uuid}/").content.decode()
            assert ('id="join-button"' in page) is shown, moment
    Meeting.objects.filter(pk=meeting.pk).update(cancelled_at=timezone.now())
    with time_machine.travel(start, tick=False):
        block = _join_block(client, meeting)
        assert 'id="join-button"' not in block and "中止" in block


def test_respond_and_cancel_through_the_page(personas, client_for, meeting):
    nurse = client_for(personas.nurse)
    response = nurse.post(f"/meetings/{meeting.uuid}/respond", {"response": "decline"})
    assert response.status_code == 302
    assert MeetingInvitation.objects.get(meeting=meeting, user=personas.nurse).response == "decline"
    assert nurse.post(f"/meetings/{meeting.uuid}/cancel").status_code == 403
    organizer = client_for(personas.caremanager)
    assert organizer.post(f"/meetings/{meeting.uuid}/cancel").status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_cancelled


def test_schedule_a_team_meeting_through_the_page(personas, client_for):
    client = client_for(personas.caremanager)
    url = f"/meetings/new/?resident={personas.resident.uuid}"
    page = client.get(url).content.decode()
    assert "伊那 一郎" in page and "看護 花子" in page and "薬 太郎" not in page
    start = timezone.localtime() + datetime.timedelta(days=3)
    bad = client.post(
        url,
        {
            "kind": "discharge",
            "title": "",
            "starts_at": f"{start:%Y-%m-%dT%H:%M}",
            "duration_minutes": "60",
            "agenda": "議題の下書き",
        },
    )
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "件名を入力してください。" in text and "議題の下書き" in text  # kept
    response = client.post(
        url,
        {
            "kind": "discharge",
            "title": "退院前カンファレンス",
            "starts_at": f"{start:%Y-%m-%dT%H:%M}",
            "duration_minutes": "45",
            "invitees": [str(personas.doctor.uuid)],
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert response["Location"] == f"/meetings/{meeting.uuid}/"
    assert meeting.resident == personas.resident and meeting.duration_minutes == 45
    assert set(meeting.invitations.values_list("user_id", flat=True)) == {
        personas.caremanager.pk,
        personas.doctor.pk,
    }
    # Outsiders cannot open the team's form; an operator (not on the team) may not schedule.
    assert client_for(personas.pharmacist).get(url).status_code == 404
    assert client_for(personas.nurse_b).get(url).status_code == 404
    assert client_for(personas.operator_a).get(url).status_code == 403


def test_schedule_with_login_ids(personas, client_for):
    client = client_for(personas.doctor)
    start = timezone.localtime() + datetime.timedelta(days=3)
    data = {
        "kind": "study",
        "title": "勉強会",
        "starts_at": f"{start:%Y-%m-%dT%H:%M}",
        "duration_minutes": "60",
        "invitees": "p-pharmacist p-nurse-b",
    }
    response = client.post("/meetings/new/", data)
    assert response.status_code == 200
    assert (
        "同じネットワークに見つからないログインIDがあります: p-nurse-b" in response.content.decode()
    )
    data["invitees"] = "p-pharmacist、p-nurse"
    assert client.post("/meetings/new/", data).status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.resident is None and meeting.invitations.count() == 3


def test_manual_provider_asks_for_the_url(personas, client_for):
    MeetingSettings.objects.create(network=personas.net_a, provider="manual")
    client = client_for(personas.doctor)
    page = client.get("/meetings/new/").content.decode()
    assert 'name="join_url"' in page
    start = timezone.localtime() + datetime.timedelta(days=3)
    response = client.post(
        "/meetings/new/",
        {
            "kind": "study",
            "title": "勉強会",
            "starts_at": f"{start:%Y-%m-%dT%H:%M}",
            "duration_minutes": "60",
            "invitees": "p-pharmacist",
            "join_url": "http://zoom.example.jp/j/1",
        },
    )
    assert "https:// で始まるURL" in response.content.decode()


def test_minutes_page(personas, client_for, meeting):
    client = client_for(personas.caremanager)
    url = f"/meetings/{meeting.uuid}/minutes/"
    assert client.get(url).status_code == 403  # not started yet
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert client.get(url).status_code == 200
    due = timezone.localdate() + datetime.timedelta(days=5)
    response = client.post(
        url,
        {
            "body": "在宅復帰に向けた確認を行った。",
            "decisions": "退院日確定",
            "fu0_text": "福祉用具の手配",
            "fu0_assignee": str(personas.nurse.uuid),
            "fu0_due_on": due.isoformat(),
        },
    )
    assert response.status_code == 302
    minutes = Minutes.objects.get()
    assert minutes.shared_post is not None and minutes.follow_ups.count() == 1
    page = client_for(personas.doctor).get(f"/meetings/{meeting.uuid}/").content.decode()
    assert "在宅復帰に向けた確認を行った。" in page and "福祉用具の手配" in page
    assert "タイムラインに共有済み" in page
    # The doctor did not write them: no edit link, and the page is refused.
    assert client_for(personas.doctor).get(url).status_code == 403


def test_add_files_as_organizer(personas, client_for, meeting):
    url = f"/meetings/{meeting.uuid}/files"
    assert client_for(personas.nurse).post(url).status_code == 403
    client = client_for(personas.caremanager)
    response = client.post(url, {"files": [upload("追加.pdf", pdf_bytes())]})
    assert response.status_code == 302 and meeting.attachments.count() == 2
    refused = client.post(url, {"files": [upload("x.pdf", b"<html>not a pdf</html>")]})
    assert refused.status_code == 422 and "1件目のファイル" in refused.content.decode()


def test_calendar_page_shows_the_url_once(personas, client_for):
    client = client_for(personas.nurse)
    assert "URLを発行する" in client.get("/meetings/calendar/").content.decode()
    issued = client.post("/meetings/calendar/", {"action": "issue"})
    text = issued.content.decode()
    assert "/meetings/calendar/cal_" in text and issued["Cache-Control"] == "no-store"
    again = client.get("/meetings/calendar/").content.decode()
    assert "/meetings/calendar/cal_" not in again and "有効なURLがあります" in again
    assert client.post("/meetings/calendar/", {"action": "revoke"}).status_code == 302
    assert "URLを発行する" in client.get("/meetings/calendar/").content.decode()


def test_provider_settings_for_operators_only(personas, client_for):
    for who in ["nurse", "pharmacist", "nurse_b"]:
        assert client_for(getattr(personas, who)).get("/meetings/settings/").status_code == 404
    operator_c = client_for(personas.operator_c)
    assert personas.net_a.name not in operator_c.get("/meetings/settings/").content.decode()
    assert (
        operator_c.post(
            "/meetings/settings/", {"network": str(personas.net_a.uuid), "provider": "manual"}
        ).status_code
        == 404
    )
    client = client_for(personas.operator_a)
    response = client.post(
        "/meetings/settings/", {"network": str(personas.net_a.uuid), "provider": "manual"}
    )
    assert response.status_code == 302
    assert MeetingSettings.objects.get(network=personas.net_a).provider == "manual"
    teams = client.post(
        "/meetings/settings/", {"network": str(personas.net_a.uuid), "provider": "teams"}
    )
    assert "MS_GRAPH_" in teams.content.decode()


def test_nav_entry(personas, client_for):
    page = client_for(personas.nurse).get("/meetings/").content.decode()
    assert '<a href="/meetings/">会議</a>' in page


def test_list_upcoming_and_past(personas, client_for, team_meeting, users_meeting):
    upcoming = team_meeting()
    past = users_meeting(invitees=[personas.nurse])
    Meeting.objects.filter(pk=past.pk).update(starts_at=timezone.now() - datetime.timedelta(days=3))
    client = client_for(personas.nurse)
    page = client.get("/meetings/").content.decode()
    assert str(upcoming.uuid) in page and str(past.uuid) not in page
    assert "山田 花子" in page  # the team's own list shows the resident
    page = client.get("/meetings/?when=past").content.decode()
    assert str(past.uuid) in page and str(upcoming.uuid) not in page
    # One MEETING_VIEW row per resident shown, naming the team meetings only.
    (event,) = AuditEvent.objects.filter(action=Action.MEETING_VIEW, actor=personas.nurse)
    assert event.resident_uuid == personas.resident.uuid
    assert event.detail == {"view": "meetings", "meetings": [str(upcoming.uuid)]}
    assert not AuditEvent.objects.filter(action=Action.RESIDENT_LIST).exists()


def test_group_meeting_through_the_page(personas, client_for):
    from renrakucho.groups import services as group_services
    from renrakucho.groups.models import GroupMembership, Policy

    group = group_services.group_create(
        actor=personas.caremanager,
        network=personas.net_a,
        name="地域ケア会議",
        policy=Policy.REQUEST,
    )
    GroupMembership.objects.create(
        group=group, user=personas.pharmacist, status="active", joined_at=timezone.now()
    )
    url = f"/meetings/new/?group={group.uuid}"
    client = client_for(personas.caremanager)
    page = client.get(url).content.decode()
    assert (
        "グループ「地域ケア会議」の会議" in page and "薬 太郎" in page and "看護 花子" not in page
    )
    assert 'value="community"' in page and 'value="discharge"' not in page
    for who in ["nurse", "nurse_b", "operator_c"]:
        assert client_for(getattr(personas, who)).get(url).status_code == 404
    start = timezone.localtime() + datetime.timedelta(days=3)
    response = client.post(
        url,
        {
            "kind": "community",
            "title": "第1回 地域ケア会議",
            "starts_at": f"{start:%Y-%m-%dT%H:%M}",
            "duration_minutes": "90",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.group == group and meeting.resident is None
    assert meeting.invitations.count() == 2
    page = client_for(personas.pharmacist).get(f"/meetings/{meeting.uuid}/").content.decode()
    assert "地域ケア会議" in page
    assert client_for(personas.nurse).get(f"/meetings/{meeting.uuid}/").status_code == 404


def test_create_page_offers_my_teams_and_groups(personas, client_for):
    from renrakucho.groups import services as group_services
    from renrakucho.groups.models import Policy

    group = group_services.group_create(
        actor=personas.nurse, network=personas.net_a, name="看護連絡会", policy=Policy.REQUEST
    )
    page = client_for(personas.nurse).get("/meetings/new/").content.decode()
    assert f"/meetings/new/?resident={personas.resident.uuid}" in page and "山田 花子" in page
    assert f"/meetings/new/?group={group.uuid}" in page
    assert AuditEvent.objects.filter(action=Action.RESIDENT_LIST, actor=personas.nurse).exists()
    outsider = client_for(personas.pharmacist).get("/meetings/new/").content.decode()
    assert "山田 花子" not in outsider and "看護連絡会" not in outsider
    operator = client_for(personas.operator_a).get("/meetings/").content.decode()
    assert "/meetings/settings/" in operator
    assert (
        "/meetings/settings/" not in client_for(personas.nurse).get("/meetings/").content.decode()
    )
