"""Video link providers: Jitsi rooms are unguessable; Microsoft Teams meetings are created
through Microsoft Graph — tested against a local HTTP server that answers the token and
onlineMeetings endpoints in the shapes Microsoft documents; a manual URL must be https."""

from __future__ import annotations

import datetime
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from renrakucho.meetings import services
from renrakucho.meetings.models import Meeting, MeetingSettings, Provider
from renrakucho.meetings.providers import JitsiProvider, ProviderError, TeamsProvider

pytestmark = pytest.mark.django_db

TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.stub"
JOIN_URL = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_stub%40thread.v2/0"
GRAPH_ID = "MSo1N2Y5ZGFjYy03MWJmLTQ3NDMtYjQxMy01M2EdFGkdRWHJlQ"


class GraphStub(BaseHTTPRequestHandler):
    """Answers POST /{tenant}/oauth2/v2.0/token, POST /users/{id}/onlineMeetings,
    PATCH and DELETE /users/{id}/onlineMeetings/{meetingId} like Microsoft identity platform
    and Microsoft Graph v1.0 do; records what it received."""

    received: list[dict] = []
    fail_meetings = False

    def log_message(self, *args):  # keep the test output quiet
        pass

    def _answer(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length).decode("utf-8")
        self.received.append(
            {"path": self.path, "headers": dict(self.headers.items()), "body": raw}
        )
        if self.path.endswith("/oauth2/v2.0/token"):
            form = urllib.parse.parse_qs(raw)
            if form.get("client_secret") != ["s3cret"]:
                self._answer(401, {"error": "invalid_client"})
                return
            self._answer(200, {"token_type": "Bearer", "expires_in": 3599, "access_token": TOKEN})
            return
        if self.path.endswith("/onlineMeetings"):
            if self.fail_meetings or self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._answer(403, {"error": {"code": "Forbidden", "message": "denied"}})
                return
            body = json.loads(raw)
            self._answer(
                201,
                {
                    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('x')/onlineMeetings/$entity",
                    "id": GRAPH_ID,
                    "creationDateTime": "2026-12-01T21:00:00.0000000Z",
                    "startDateTime": body["startDateTime"],
                    "endDateTime": body["endDateTime"],
                    "joinWebUrl": JOIN_URL,
                    "subject": body.get("subject"),
                    "participants": {"organizer": {"upn": "organizer@example.jp"}},
                },
            )
            return
        self._answer(404, {"error": {"code": "NotFound"}})

    def _one_meeting(self, method: str) -> str | None:
        """The meeting id of /…/onlineMeetings/{id} after recording the call, or None when
        the call is refused (answered here)."""
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        self.received.append(
            {
                "method": method,
                "path": self.path,
                "headers": dict(self.headers.items()),
                "body": raw,
            }
        )
        if self.fail_meetings or self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._answer(403, {"error": {"code": "Forbidden", "message": "denied"}})
            return None
        head, _, meeting_id = self.path.rpartition("/")
        if not head.endswith("/onlineMeetings") or meeting_id != GRAPH_ID:
            self._answer(404, {"error": {"code": "NotFound"}})
            return None
        return raw

    def do_PATCH(self):
        raw = self._one_meeting("PATCH")
        if raw is None:
            return
        body = json.loads(raw)
        self._answer(
            200,
            {
                "id": GRAPH_ID,
                "startDateTime": body["startDateTime"],
                "endDateTime": body["endDateTime"],
                "joinWebUrl": JOIN_URL,
                "subject": body.get("subject"),
            },
        )

    def do_DELETE(self):
        if self._one_meeting("DELETE") is None:
            return
        self.send_response(204)
        self.end_headers()


@pytest.fixture
def graph(settings):
    GraphStub.received = []
    GraphStub.fail_meetings = False
    server = ThreadingHTTPServer(("127.0.0.1", 0), GraphStub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.MS_LOGIN_BASE_URL = base
    settings.MS_GRAPH_BASE_URL = base + "/v1.0"
    settings.MS_GRAPH_TENANT_ID = "contoso-tenant"
    settings.MS_GRAPH_CLIENT_ID = "client-id-1"
    settings.MS_GRAPH_CLIENT_SECRET = "s3cret"
    settings.MS_GRAPH_ORGANIZER_ID = "organizer@example.jp"
    yield GraphStub
    server.shutdown()
    server.server_close()


def _teams(personas):
    MeetingSettings.objects.create(network=personas.net_a, provider=Provider.TEAMS)


def test_jitsi_rooms_are_random_on_the_configured_server(settings, personas, team_meeting):
    settings.JITSI_SERVER_URL = "https://jitsi.example.jp/"
    first, second = team_meeting(), team_meeting()
    for meeting in (first, second):
        assert meeting.provider == Provider.JITSI
        assert meeting.join_url.startswith("https://jitsi.example.jp/renrakucho-")
        room = meeting.join_url.rsplit("/", 1)[1]
        assert room == meeting.provider_meeting_id
        # 16 random bytes: 22 URL-safe characters after the prefix; nothing of the title.
        assert len(room) == len("renrakucho-") + 22
        assert "山田" not in meeting.join_url
    assert first.join_url != second.join_url


def test_jitsi_default_server():
    class Fake:
        starts_at = timezone.now()

    url, room = JitsiProvider().create_meeting(Fake())
    assert url == f"https://meet.jit.si/{room}"


def test_teams_meeting_through_graph(graph, personas, team_meeting):
    _teams(personas)
    meeting = team_meeting(duration_minutes=45)
    assert meeting.provider == Provider.TEAMS
    assert meeting.join_url == JOIN_URL and meeting.provider_meeting_id == GRAPH_ID
    Meeting.objects.get(pk=meeting.pk, join_url=JOIN_URL)  # stored
    token_call, meeting_call = graph.received
    # Client-credentials token request, form-encoded, to the tenant's v2.0 endpoint.
    assert token_call["path"] == "/contoso-tenant/oauth2/v2.0/token"
    assert token_call["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    form = urllib.parse.parse_qs(token_call["body"])
    assert form == {
        "client_id": ["client-id-1"],
        "client_secret": ["s3cret"],
        "scope": ["https://graph.microsoft.com/.default"],
        "grant_type": ["client_credentials"],
    }
    # The onlineMeetings call: bearer token, JSON with start/end in UTC and the kind as subject.
    assert meeting_call["path"] == "/v1.0/users/organizer%40example.jp/onlineMeetings"
    assert meeting_call["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert meeting_call["headers"]["Content-Type"] == "application/json"
    body = json.loads(meeting_call["body"])
    assert set(body) == {"startDateTime", "endDateTime", "subject"}
    start = datetime.datetime.fromisoformat(body["startDateTime"].replace("0000000Z", "+00:00"))
    end = datetime.datetime.fromisoformat(body["endDateTime"].replace("0000000Z", "+00:00"))
    assert abs(start - meeting.starts_at) < datetime.timedelta(seconds=1)
    assert end - start == datetime.timedelta(minutes=45)
    # The title names the resident; Microsoft is told only the kind of meeting.
    assert body["subject"] == "退院時カンファレンス"
    assert "山田" not in meeting_call["body"]


def test_teams_failure_saves_nothing(graph, personas, team_meeting):
    _teams(personas)
    graph.fail_meetings = True
    with pytest.raises(ValidationError) as caught:
        team_meeting()
    assert (
        "Microsoft Teams の会議を作成できませんでした" in caught.value.message_dict["join_url"][0]
    )
    assert not Meeting.objects.exists()


def test_teams_wrong_secret(graph, settings, personas):
    settings.MS_GRAPH_CLIENT_SECRET = "wrong"
    with pytest.raises(ProviderError):
        TeamsProvider().token()


def test_teams_needs_its_settings(settings, personas, team_meeting):
    _teams(personas)
    settings.MS_GRAPH_TENANT_ID = ""
    with pytest.raises(ValidationError) as caught:
        team_meeting()
    assert "Microsoft Teams の設定がありません" in caught.value.message_dict["join_url"][0]
    # …and an operator cannot choose Teams without them.
    with pytest.raises(ValidationError):
        services.meeting_settings_update(
            actor=personas.operator_a, network=personas.net_a, provider=Provider.TEAMS
        )


def test_teams_refuses_other_schemes(settings):
    settings.MS_LOGIN_BASE_URL = "file:///etc"
    settings.MS_GRAPH_TENANT_ID = "t"
    with pytest.raises(ProviderError):
        TeamsProvider().token()


def test_manual_url_must_be_https(personas, team_meeting):
    MeetingSettings.objects.create(network=personas.net_a, provider=Provider.MANUAL)
    for bad in ("", "http://zoom.example.jp/j/123", "javascript:alert(1)", "zoom.example.jp"):
        with pytest.raises(ValidationError) as caught:
            team_meeting(join_url=bad)
        assert "join_url" in caught.value.message_dict
    meeting = team_meeting(join_url="https://zoom.example.jp/j/123")
    assert (
        meeting.provider == Provider.MANUAL and meeting.join_url == "https://zoom.example.jp/j/123"
    )


def _graph_moment(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value.replace("0000000Z", "+00:00"))


def test_teams_reschedule_patches_the_online_meeting(graph, personas, team_meeting):
    from renrakucho.meetings.access import access_meeting

    _teams(personas)
    meeting = team_meeting(duration_minutes=45)
    graph.received.clear()
    new_start = meeting.starts_at + datetime.timedelta(days=1)
    services.meeting_update(
        actor=personas.caremanager,
        access=access_meeting(personas.caremanager, meeting.uuid),
        starts_at=new_start,
        duration_minutes=30,
    )
    token_call, patch = graph.received
    assert token_call["path"] == "/contoso-tenant/oauth2/v2.0/token"
    assert patch["method"] == "PATCH"
    assert patch["path"] == f"/v1.0/users/organizer%40example.jp/onlineMeetings/{GRAPH_ID}"
    assert patch["headers"]["Authorization"] == f"Bearer {TOKEN}"
    body = json.loads(patch["body"])
    assert abs(_graph_moment(body["startDateTime"]) - new_start) < datetime.timedelta(seconds=1)
    assert _graph_moment(body["endDateTime"]) - _graph_moment(
        body["startDateTime"]
    ) == datetime.timedelta(minutes=30)
    assert body["subject"] == "退院時カンファレンス" and "山田" not in patch["body"]
    meeting.refresh_from_db()
    assert meeting.join_url == JOIN_URL and meeting.provider_meeting_id == GRAPH_ID
    assert meeting.duration_minutes == 30


def test_teams_agenda_change_calls_nothing(graph, personas, team_meeting):
    from renrakucho.meetings.access import access_meeting

    _teams(personas)
    meeting = team_meeting()
    graph.received.clear()
    services.meeting_update(
        actor=personas.caremanager,
        access=access_meeting(personas.caremanager, meeting.uuid),
        agenda="変更した議題",
    )
    assert graph.received == []


def test_teams_new_title_of_a_users_meeting_is_sent(graph, personas, users_meeting):
    from renrakucho.meetings.access import access_meeting

    _teams(personas)
    meeting = users_meeting()
    graph.received.clear()
    services.meeting_update(
        actor=personas.doctor,
        access=access_meeting(personas.doctor, meeting.uuid),
        title="褥瘡ケア勉強会（第2回）",
    )
    _, patch = graph.received
    assert json.loads(patch["body"])["subject"] == "褥瘡ケア勉強会（第2回）"


def test_teams_reschedule_failure_changes_nothing(graph, personas, team_meeting):
    from renrakucho.meetings.access import access_meeting

    _teams(personas)
    meeting = team_meeting()
    before = meeting.starts_at
    graph.fail_meetings = True
    access = access_meeting(personas.caremanager, meeting.uuid)
    with pytest.raises(ValidationError) as caught:
        services.meeting_update(
            actor=personas.caremanager,
            access=access,
            starts_at=before + datetime.timedelta(hours=2),
        )
    assert (
        "Microsoft Teams の会議を変更できませんでした" in caught.value.message_dict["join_url"][0]
    )
    assert access.meeting.starts_at == before  # the object in hand is restored too
    meeting.refresh_from_db()
    assert meeting.starts_at == before


def test_teams_cancel_deletes_the_online_meeting(graph, personas, team_meeting):
    from renrakucho.audit.models import Action, AuditEvent
    from renrakucho.meetings.access import access_meeting

    _teams(personas)
    meeting = team_meeting()
    graph.received.clear()
    services.meeting_cancel(
        actor=personas.caremanager, access=access_meeting(personas.caremanager, meeting.uuid)
    )
    _, delete = graph.received
    assert delete["method"] == "DELETE"
    assert delete["path"] == f"/v1.0/users/organizer%40example.jp/onlineMeetings/{GRAPH_ID}"
    assert delete["headers"]["Authorization"] == f"Bearer {TOKEN}" and delete["body"] == ""
    assert AuditEvent.objects.get(action=Action.MEETING_CANCEL).detail["provider_deleted"] is True


def test_teams_cancel_happens_even_when_graph_fails(graph, personas, team_meeting):
    from renrakucho.audit.models import Action, AuditEvent
    from renrakucho.meetings.access import access_meeting

    _teams(personas)
    meeting = team_meeting()
    graph.fail_meetings = True
    services.meeting_cancel(
        actor=personas.caremanager, access=access_meeting(personas.caremanager, meeting.uuid)
    )
    meeting.refresh_from_db()
    assert meeting.is_cancelled
    assert AuditEvent.objects.get(action=Action.MEETING_CANCEL).detail["provider_deleted"] is False


def test_jitsi_reschedule_keeps_the_room(personas, team_meeting):
    from renrakucho.meetings.access import access_meeting

    meeting = team_meeting()
    room = meeting.join_url
    services.meeting_update(
        actor=personas.caremanager,
        access=access_meeting(personas.caremanager, meeting.uuid),
        starts_at=meeting.starts_at + datetime.timedelta(hours=3),
    )
    meeting.refresh_from_db()
    assert meeting.join_url == room
