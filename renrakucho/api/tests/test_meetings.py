"""GET/POST /meetings, GET /meetings/{id}, POST /meetings/{id}/respond,
GET/PUT /meetings/{id}/minutes, GET /meetings/{id}/attachments/{id}: access (404 for
non-invitees and other Networks, and for a team meeting without current access to the
resident), errors, audit rows, query counts at two sizes."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.meetings import services
from renrakucho.meetings.models import Meeting, MeetingInvitation, MeetingSettings, Minutes
from renrakucho.residents.models import CareTeamMember
from renrakucho.testing.files import pdf_bytes, upload
from renrakucho.timeline.access import access_timeline
from renrakucho.timeline.models import CareRequest

pytestmark = pytest.mark.django_db

OUTSIDERS = ["pharmacist", "nurse_b", "operator_c", "operator_a"]


@pytest.fixture
def team_meeting(personas):
    def make(organizer=None, *, starts_in=datetime.timedelta(days=1), **fields):
        organizer = organizer or personas.caremanager
        fields.setdefault("kind", "discharge")
        fields.setdefault("title", "山田 花子さん 退院時カンファレンス")
        fields.setdefault("duration_minutes", 60)
        return services.meeting_create(
            actor=organizer,
            network=personas.net_a,
            starts_at=timezone.now() + starts_in,
            audience=services.Audience(timeline=access_timeline(organizer, personas.resident.uuid)),
            **fields,
        )

    return make


def _start(hours=24):
    return (timezone.now() + datetime.timedelta(hours=hours)).isoformat()


def test_create_a_team_meeting(personas, api_for, last_audit):
    api = api_for(personas.caremanager)
    response = api.post(
        "/meetings",
        {
            "kind": "discharge",
            "title": "退院前カンファレンス",
            "starts_at": _start(),
            "duration_minutes": 45,
            "agenda": "退院後の体制",
            "resident": str(personas.resident.uuid),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["resident"] == {"id": str(personas.resident.uuid), "name": "山田 花子"}
    assert body["kind_label"] == "退院時カンファレンス" and body["provider"] == "jitsi"
    assert body["join_url"].startswith("https://meet.jit.si/renrakucho-")
    assert body["join_open"] is False and body["my_response"] == "attend"
    assert sorted(i["user"]["username"] for i in body["invitations"]) == [
        "p-caremanager",
        "p-doctor",
        "p-nurse",
    ]
    event = AuditEvent.objects.filter(action=Action.MEETING_CREATE).get()
    assert event.actor == personas.caremanager and event.target_id == body["id"]


def test_create_chosen_users_and_errors(personas, api_for):
    api = api_for(personas.doctor)
    ok = api.post(
        "/meetings",
        {
            "kind": "study",
            "title": "勉強会",
            "starts_at": _start(),
            "invitees": [str(personas.pharmacist.uuid)],
        },
    )
    assert ok.status_code == 201 and ok.json()["resident"] is None
    other_network = api.post(
        "/meetings",
        {
            "kind": "study",
            "title": "勉強会",
            "starts_at": _start(),
            "invitees": [str(personas.nurse_b.uuid)],
        },
    )
    assert other_network.status_code == 422
    assert other_network.json()["detail"][0]["loc"] == ["body", "invitees"]
    bad = api.post(
        "/meetings",
        {"kind": "party", "title": "", "starts_at": "tomorrow", "duration_minutes": 2, "extra": 1},
    )
    assert bad.status_code == 422
    locs = {tuple(e["loc"]) for e in bad.json()["detail"]}
    assert {
        ("body", "kind"),
        ("body", "title"),
        ("body", "starts_at"),
        ("body", "duration_minutes"),
        ("body", "extra"),
    } <= locs
    past = api.post(
        "/meetings",
        {
            "kind": "study",
            "title": "勉強会",
            "starts_at": _start(-2),
            "invitees": [str(personas.pharmacist.uuid)],
        },
    )
    assert past.status_code == 422
    assert past.json()["detail"][0]["msg"] == "開始日時に過去の日時は指定できません。"


def test_create_for_a_resident_out_of_reach(personas, api_for):
    data = {
        "kind": "service",
        "title": "担当者会議",
        "starts_at": _start(),
        "resident": str(personas.resident.uuid),
    }
    for who in ["pharmacist", "nurse_b", "operator_c"]:
        assert api_for(getattr(personas, who)).post("/meetings", data).status_code == 404
    # The operator reaches the resident but is not on the team.
    assert api_for(personas.operator_a).post("/meetings", data).status_code == 403
    assert not Meeting.objects.exists()


def test_manual_provider_needs_https(personas, api_for):
    MeetingSettings.objects.create(network=personas.net_a, provider="manual")
    api = api_for(personas.doctor)
    data = {
        "kind": "study",
        "title": "勉強会",
        "starts_at": _start(),
        "invitees": [str(personas.pharmacist.uuid)],
    }
    refused = api.post("/meetings", {**data, "join_url": "http://example.jp/x"})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "join_url"]
    ok = api.post("/meetings", {**data, "join_url": "https://example.jp/x"})
    assert ok.status_code == 201 and ok.json()["join_url"] == "https://example.jp/x"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_on_every_endpoint(personas, api_for, team_meeting, who):
    meeting = team_meeting(files=[upload("資料.pdf", pdf_bytes())])
    attachment = meeting.attachments.get()
    api = api_for(getattr(personas, who))
    base = f"/meetings/{meeting.uuid}"
    assert api.get(base).status_code == 404
    assert api.post(base + "/respond", {"response": "attend"}).status_code == 404
    assert api.get(base + "/minutes").status_code == 404
    assert api.put(base + "/minutes", {"body": "x"}).status_code == 404
    assert api.get(f"{base}/attachments/{attachment.uuid}").status_code == 404
    assert api.get("/meetings").json()["items"] == []
    assert (
        api.get(base).json()["detail"]
        == "指定されたデータは見つからないか、参照する権限がありません。"
    )


def test_no_token_is_401(api_for):
    assert api_for(None).get("/meetings").status_code == 401


def test_team_access_is_checked_each_time(personas, api_for, team_meeting):
    meeting = team_meeting()
    api = api_for(personas.nurse)
    assert api.get(f"/meetings/{meeting.uuid}").status_code == 200
    CareTeamMember.objects.filter(user=personas.nurse).update(status="left")
    assert api.get(f"/meetings/{meeting.uuid}").status_code == 404
    assert api.get("/meetings").json()["items"] == []


def test_respond(personas, api_for, team_meeting, last_audit):
    meeting = team_meeting()
    api = api_for(personas.nurse)
    response = api.post(f"/meetings/{meeting.uuid}/respond", {"response": "decline"})
    assert response.status_code == 200 and response.json()["my_response"] == "decline"
    assert MeetingInvitation.objects.get(meeting=meeting, user=personas.nurse).response == "decline"
    event = last_audit()
    assert event.action == Action.MEETING_RESPOND and event.detail == {"response": "decline"}
    bad = api.post(f"/meetings/{meeting.uuid}/respond", {"response": "maybe"})
    assert bad.status_code == 422
    Meeting.objects.filter(pk=meeting.pk).update(cancelled_at=timezone.now())
    assert api.post(f"/meetings/{meeting.uuid}/respond", {"response": "attend"}).status_code == 409


def test_detail_is_audited(personas, api_for, team_meeting, last_audit):
    meeting = team_meeting()
    body = api_for(personas.doctor).get(f"/meetings/{meeting.uuid}").json()
    assert (
        body["title"] == "山田 花子さん 退院時カンファレンス" and body["can_write_minutes"] is False
    )
    event = last_audit()
    assert event.action == Action.MEETING_VIEW and event.target_id == str(meeting.uuid)
    assert event.resident_uuid == personas.resident.uuid
    assert event.detail == {"channel": "api", "view": "meeting", "meetings": [str(meeting.uuid)]}


def test_minutes(personas, api_for, team_meeting, last_audit):
    meeting = team_meeting()
    cm = api_for(personas.caremanager)
    url = f"/meetings/{meeting.uuid}/minutes"
    assert cm.get(url).status_code == 404  # none yet
    assert cm.put(url, {"body": "早い"}).status_code == 403  # not started
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=1)
    )
    due = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    bad = cm.put(
        url,
        {
            "body": "議事録",
            "follow_ups": [{"text": "x", "assignee": str(personas.pharmacist.uuid), "due_on": due}],
        },
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "follow_ups", 0, "assignee"]
    response = cm.put(
        url,
        {
            "body": "退院後は週3回訪問。",
            "decisions": "12月5日退院",
            "follow_ups": [
                {"text": "指示書の発行", "assignee": str(personas.doctor.uuid), "due_on": due}
            ],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["body"] == "退院後は週3回訪問。" and body["shared_post"]
    (follow_up,) = body["follow_ups"]
    request = CareRequest.objects.get(uuid=follow_up["request"])
    assert request.assignee == personas.doctor
    assert last_audit().action in {Action.MEETING_MINUTES}
    doctor = api_for(personas.doctor)
    read = doctor.get(url)
    assert read.status_code == 200 and read.json()["decisions"] == "12月5日退院"
    event = last_audit()
    assert event.action == Action.MEETING_VIEW and event.resident_uuid == personas.resident.uuid
    assert event.detail == {"channel": "api", "view": "minutes", "meetings": [str(meeting.uuid)]}
    assert doctor.put(url, {"body": "上書き"}).status_code == 403
    assert Minutes.objects.get().body == "退院後は週3回訪問。"


def test_attachment_download(personas, api_for, team_meeting, last_audit):
    meeting = team_meeting(files=[upload("資料.pdf", pdf_bytes())])
    attachment = meeting.attachments.get()
    body = api_for(personas.nurse).get(f"/meetings/{meeting.uuid}").json()
    (listed,) = body["attachments"]
    assert listed["url"] == f"/api/v1/meetings/{meeting.uuid}/attachments/{attachment.uuid}"
    response = api_for(personas.nurse).client.get(listed["url"])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert last_audit().action == Action.MEETING_FILE


def _bulk(personas, n, extra_users):
    from renrakucho.testing.personas import make_facility, make_user

    facility = make_facility(personas.net_a, f"追加{Meeting.objects.count()}", "clinic")
    extra = [
        make_user(f"api-x{Meeting.objects.count()}-{i}", "追加", "ツイカ", "nurse", facility)
        for i in range(extra_users)
    ]
    start = timezone.now() + datetime.timedelta(days=1)
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(
                network=personas.net_a,
                kind="discharge" if i % 2 else "study",
                title=f"会議 {i}",
                resident=personas.resident if i % 2 else None,
                starts_at=start + datetime.timedelta(minutes=i),
                duration_minutes=60,
                organizer=personas.caremanager,
                provider="jitsi",
                join_url="https://meet.jit.si/renrakucho-x",
            )
            for i in range(n)
        ]
    )
    MeetingInvitation.objects.bulk_create(
        [
            MeetingInvitation(meeting=m, user=u)
            for m in meetings
            for u in [personas.caremanager, personas.nurse, *extra]
        ]
    )
    return meetings


def test_list_query_count_at_two_sizes(personas, api_for, django_assert_max_num_queries):
    # Token (1) and its last use (0–1), the user's Networks (1), the page with counts (1),
    # the audit row naming the residents (5).
    api = api_for(personas.nurse)
    _bulk(personas, 2, 0)
    api.get("/meetings")  # last_used_at written once
    with CaptureQueriesContext(connection) as small:
        assert len(api.get("/meetings").json()["items"]) == 2
    _bulk(personas, 28, 25)
    with CaptureQueriesContext(connection) as large:
        body = api.get("/meetings").json()
    assert len(body["items"]) == 30 and body["next_cursor"] is None
    assert len(small.captured_queries) == len(large.captured_queries)
    with django_assert_max_num_queries(12):
        api.get("/meetings")
    page = api.get("/meetings", {"when": "upcoming"}).json()["items"]
    assert page[0]["invitee_count"] == 2 and page[-1]["invitee_count"] == 27


def test_list_pages(personas, api_for):
    from renrakucho.meetings.selectors import PAGE_SIZE

    _bulk(personas, PAGE_SIZE + 3, 0)
    api = api_for(personas.nurse)
    first = api.get("/meetings").json()
    second = api.get("/meetings", {"cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == PAGE_SIZE and len(second["items"]) == 3
    assert not {m["id"] for m in first["items"]} & {m["id"] for m in second["items"]}
    assert second["next_cursor"] is None
    assert api.get("/meetings", {"when": "past"}).json()["items"] == []


def test_detail_query_count_at_two_sizes(personas, api_for):
    api = api_for(personas.nurse)
    small = _bulk(personas, 1, 0)[0]
    big = _bulk(personas, 1, 30)[0]
    Meeting.objects.filter(pk__in=[small.pk, big.pk]).update(resident=personas.resident)
    api.get(f"/meetings/{small.uuid}")
    with CaptureQueriesContext(connection) as one:
        api.get(f"/meetings/{small.uuid}")
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(f"/meetings/{big.uuid}").json()["invitations"]) == 32
    assert len(one.captured_queries) == len(many.captured_queries)


def test_group_meeting(personas, api_for):
    from renrakucho.groups import services as group_services
    from renrakucho.groups.models import GroupMembership, Policy

    group = group_services.group_create(
        actor=personas.caremanager, network=personas.net_a, name="研修会", policy=Policy.REQUEST
    )
    GroupMembership.objects.create(
        group=group, user=personas.pharmacist, status="active", joined_at=timezone.now()
    )
    data = {"kind": "training", "title": "研修", "starts_at": _start(), "group": str(group.uuid)}
    assert api_for(personas.nurse).post("/meetings", data).status_code == 404  # not a member
    response = api_for(personas.caremanager).post("/meetings", data)
    assert response.status_code == 201
    body = response.json()
    assert body["group"] == {"id": str(group.uuid), "name": "研修会"}
    assert len(body["invitations"]) == 2
    listed = api_for(personas.pharmacist).get("/meetings").json()["items"]
    assert [m["group"]["name"] for m in listed] == ["研修会"]
    both = {**data, "resident": str(personas.resident.uuid)}
    assert api_for(personas.caremanager).post("/meetings", both).status_code == 422
