"""Requests (依頼): who may be asked, due dates, the 依頼 → 受領 → 完了 / 差戻し lifecycle, who may
move it, notifications, the dashboard's list and the daily overdue task."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from renrakucho.accounts.models import Occupation
from renrakucho.audit.models import Action, AuditEvent
from renrakucho.notifications.models import Notification
from renrakucho.residents.models import CareTeamMember
from renrakucho.testing.personas import add_member, make_user
from renrakucho.timeline import interactions, tasks
from renrakucho.timeline.models import CareRequest

from .interaction_helpers import make_post, retract

TODAY = timezone.localdate()
TOMORROW = TODAY + datetime.timedelta(days=1)


@pytest.fixture
def pushes(monkeypatch):
    sent = []
    monkeypatch.setattr(
        interactions, "publish_on_commit", lambda group, message: sent.append((group, message))
    )
    return sent


def occupation(code):
    return Occupation.objects.get(code=code)


def ask(personas, access_for, post=None, **fields):
    actor = fields.pop("actor", personas.caremanager)
    post = post or make_post(personas.resident, actor, body="褥瘡の処置をお願いします")
    return interactions.care_request_create(
        actor=actor, access=access_for(actor), post=post, **{"due_on": TOMORROW, **fields}
    )


def notified(kind):
    return sorted(n.user.username for n in Notification.objects.filter(kind=kind))


# --- Creating -------------------------------------------------------------------------------


def test_request_to_a_member_is_saved_audited_notified_and_pushed(personas, access_for, pushes):
    care_request = ask(personas, access_for, assignee=personas.nurse)
    assert care_request.status == CareRequest.Status.REQUESTED
    assert care_request.resident == personas.resident and care_request.due_on == TOMORROW
    event = AuditEvent.objects.get(action=Action.REQUEST_CREATE)
    assert event.actor == personas.caremanager and event.target_id == str(care_request.uuid)
    assert notified("request_assigned") == ["p-nurse"]
    note = Notification.objects.get(kind="request_assigned")
    assert note.url == f"/posts/{care_request.post.uuid}/"
    assert note.target_uuid == care_request.uuid and note.resident_uuid == personas.resident.uuid
    assert pushes[-1] == (
        f"resident.{personas.resident.uuid}",
        {"type": "request.changed", "id": str(care_request.post.uuid)},
    )


def test_request_to_an_occupation_notifies_everyone_of_it_on_the_team(personas, access_for):
    second_nurse = make_user("p-nurse2", "看護 次郎", "カンゴ ジロウ", "nurse", personas.nursing_a)
    add_member(personas.resident, second_nurse, "visiting_nurse")
    ask(personas, access_for, occupation=occupation("nurse"))
    assert notified("request_assigned") == ["p-nurse", "p-nurse2"]


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {},
            {"assignee": ["依頼先として、チームのメンバーか職種のどちらか一方を選んでください。"]},
        ),
        (
            {"assignee": "nurse", "occupation": "nurse"},
            {"assignee": ["依頼先として、チームのメンバーか職種のどちらか一方を選んでください。"]},
        ),
        (
            {"assignee": "pharmacist"},
            {"assignee": ["依頼先は支援チームのメンバーから選んでください。"]},
        ),
        (
            {"assignee": "nurse_b"},
            {"assignee": ["依頼先は支援チームのメンバーから選んでください。"]},
        ),
        ({"assignee": "caremanager"}, {"assignee": ["ご自身には依頼できません。"]}),
        (
            {"occupation": "pharmacist"},
            {"occupation": ["支援チームに「薬剤師」のメンバーがいません。"]},
        ),
        (
            {"assignee": "nurse", "due_on": TODAY - datetime.timedelta(days=1)},
            {"due_on": ["期限に過去の日付は指定できません。"]},
        ),
        ({"assignee": "nurse", "due_on": None}, {"due_on": ["期限を入力してください。"]}),
    ],
)
def test_bad_requests_are_refused_with_a_japanese_reason(personas, access_for, fields, errors):
    if isinstance(fields.get("assignee"), str):
        fields["assignee"] = getattr(personas, fields["assignee"])
    if isinstance(fields.get("occupation"), str):
        fields["occupation"] = occupation(fields["occupation"])
    with pytest.raises(ValidationError) as error:
        ask(personas, access_for, **fields)
    assert error.value.message_dict == errors
    assert not CareRequest.objects.exists()
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.REQUEST_CREATE).exists()


def test_a_due_date_of_today_is_accepted(personas, access_for):
    assert ask(personas, access_for, assignee=personas.nurse, due_on=TODAY).due_on == TODAY


def test_member_who_left_cannot_be_asked(personas, access_for):
    CareTeamMember.objects.filter(user=personas.nurse).update(status=CareTeamMember.Status.LEFT)
    with pytest.raises(ValidationError) as error:
        ask(personas, access_for, assignee=personas.nurse)
    assert error.value.message_dict == {
        "assignee": ["依頼先は支援チームのメンバーから選んでください。"]
    }


def test_medical_only_post_cannot_ask_someone_who_may_not_see_it(personas, access_for):
    post = make_post(personas.resident, personas.nurse, visibility="medical")
    with pytest.raises(ValidationError) as error:
        ask(personas, access_for, post=post, actor=personas.nurse, assignee=personas.caremanager)
    assert error.value.message_dict == {
        "assignee": ["この記事は医療・看護職のみに公開されているため、この方には依頼できません。"]
    }
    with pytest.raises(ValidationError) as error:
        ask(
            personas,
            access_for,
            post=post,
            actor=personas.nurse,
            occupation=occupation("care_manager"),
        )
    assert list(error.value.message_dict) == ["occupation"]
    assert ask(personas, access_for, post=post, actor=personas.nurse, assignee=personas.doctor)


def test_only_the_author_adds_a_request_once_and_not_to_a_retracted_post(personas, access_for):
    post = make_post(personas.resident, personas.caremanager)
    with pytest.raises(PermissionDenied):
        ask(personas, access_for, post=post, actor=personas.doctor, assignee=personas.nurse)
    ask(personas, access_for, post=post, assignee=personas.nurse)
    with pytest.raises(ValidationError) as error:
        ask(personas, access_for, post=post, assignee=personas.doctor)
    assert error.value.messages == ["この記事には既に依頼があります。"]
    gone = retract(make_post(personas.resident, personas.caremanager), personas.caremanager)
    with pytest.raises(ValidationError) as error:
        ask(personas, access_for, post=gone, assignee=personas.nurse)
    assert error.value.messages == ["取り消された記事には操作できません。"]
    assert CareRequest.objects.count() == 1


# --- The lifecycle --------------------------------------------------------------------------


def test_requested_accepted_done(personas, access_for, pushes):
    care_request = ask(personas, access_for, assignee=personas.nurse)
    interactions.care_request_transition(actor=personas.nurse, request=care_request, to="accepted")
    assert care_request.status == "accepted"
    interactions.care_request_transition(
        actor=personas.nurse, request=care_request, to="done", note="処置しました"
    )
    care_request.refresh_from_db()
    assert care_request.status == CareRequest.Status.DONE
    assert care_request.status_changed_by == personas.nurse
    assert care_request.status_note == "処置しました"
    details = [
        e.detail for e in AuditEvent.objects.filter(action=Action.REQUEST_STATUS).order_by("id")
    ]
    post = str(care_request.post.uuid)
    assert details == [
        {"post": post, "from": "requested", "to": "accepted"},
        {"post": post, "from": "accepted", "to": "done"},
    ]
    assert pushes[-1][1] == {"type": "request.changed", "id": post}


def test_the_requester_hears_of_each_move_while_on_the_team(personas, access_for, pushes):
    care_request = ask(personas, access_for, assignee=personas.nurse)
    requester = care_request.post.author
    interactions.care_request_transition(actor=personas.nurse, request=care_request, to="accepted")
    updates = Notification.objects.filter(user=requester, kind="request_updated")
    assert updates.count() == 1
    assert updates.get().url == f"/posts/{care_request.post.uuid}/"
    assert updates.get().resident_uuid == personas.resident.uuid
    CareTeamMember.objects.filter(resident=personas.resident, user=requester).update(
        status=CareTeamMember.Status.LEFT
    )
    interactions.care_request_transition(actor=personas.nurse, request=care_request, to="done")
    assert updates.count() == 1  # gone from the team: no more news of the resident


@pytest.mark.parametrize(
    ("path", "to", "message"),
    [
        ([], "done", "「依頼」の依頼を「完了」にすることはできません。"),
        (["accepted"], "accepted", "「受領」の依頼を「受領」にすることはできません。"),
        (["accepted", "done"], "accepted", "「完了」の依頼を「受領」にすることはできません。"),
        (["accepted", "done"], "returned", "「完了」の依頼を「差戻し」にすることはできません。"),
        ([], "requested", "「依頼」の依頼を「依頼」にすることはできません。"),
        ([], "finished", "依頼の状態が正しくありません。"),
    ],
)
def test_invalid_transitions_are_refused(personas, access_for, path, to, message):
    care_request = ask(personas, access_for, assignee=personas.nurse)
    for step in path:
        interactions.care_request_transition(actor=personas.nurse, request=care_request, to=step)
    before = AuditEvent.objects.filter(action=Action.REQUEST_STATUS).count()
    with pytest.raises(ValidationError) as error:
        interactions.care_request_transition(
            actor=personas.nurse, request=care_request, to=to, note="理由"
        )
    assert error.value.messages == [message]
    assert AuditEvent.objects.filter(action=Action.REQUEST_STATUS).count() == before


def test_return_needs_a_reason(personas, access_for):
    care_request = ask(personas, access_for, assignee=personas.nurse)
    with pytest.raises(ValidationError) as error:
        interactions.care_request_transition(
            actor=personas.nurse, request=care_request, to="returned", note="  "
        )
    assert error.value.message_dict == {"note": ["差戻しの理由を入力してください。"]}
    interactions.care_request_transition(
        actor=personas.nurse, request=care_request, to="returned", note="主治医に確認が必要です"
    )
    care_request.refresh_from_db()
    assert care_request.status == CareRequest.Status.RETURNED


def test_only_those_asked_move_a_request(personas, access_for):
    named = ask(personas, access_for, assignee=personas.nurse)
    for who in ("doctor", "caremanager", "operator_a", "pharmacist"):
        with pytest.raises(PermissionDenied):
            interactions.care_request_transition(
                actor=getattr(personas, who), request=named, to="accepted"
            )
    by_occupation = ask(personas, access_for, occupation=occupation("doctor"))
    with pytest.raises(PermissionDenied):
        interactions.care_request_transition(
            actor=personas.nurse, request=by_occupation, to="accepted"
        )
    interactions.care_request_transition(
        actor=personas.doctor, request=by_occupation, to="accepted"
    )
    # Having left the team, the named assignee no longer moves it.
    CareTeamMember.objects.filter(user=personas.nurse).update(status=CareTeamMember.Status.LEFT)
    with pytest.raises(PermissionDenied):
        interactions.care_request_transition(actor=personas.nurse, request=named, to="accepted")
    named.refresh_from_db()
    assert named.status == CareRequest.Status.REQUESTED


# --- My requests (dashboard) ----------------------------------------------------------------


def test_requests_for_me_by_name_and_occupation_open_only_due_first(personas, access_for):
    later = ask(personas, access_for, assignee=personas.nurse, due_on=TODAY + datetime.timedelta(5))
    sooner = ask(personas, access_for, occupation=occupation("nurse"), due_on=TOMORROW)
    done = ask(personas, access_for, assignee=personas.nurse)
    interactions.care_request_transition(actor=personas.nurse, request=done, to="accepted")
    interactions.care_request_transition(actor=personas.nurse, request=done, to="done")
    ask(personas, access_for, assignee=personas.doctor)
    assert interactions.requests_for_me(personas.nurse) == [sooner, later]
    # A retracted post takes its request off the list.
    retract(sooner.post, personas.caremanager)
    assert interactions.requests_for_me(personas.nurse) == [later]
    assert interactions.requests_for_me(personas.pharmacist) == []


# --- The overdue task -----------------------------------------------------------------------


def _morning(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(8, 0), tzinfo=timezone.get_current_timezone()
    )


def test_overdue_requests_are_notified_once_by_the_daily_task(personas, access_for):
    due = TODAY + datetime.timedelta(days=3)
    named = ask(personas, access_for, assignee=personas.nurse, due_on=due)
    by_occupation = ask(personas, access_for, occupation=occupation("doctor"), due_on=due)
    finished = ask(personas, access_for, assignee=personas.nurse, due_on=due)
    interactions.care_request_transition(actor=personas.nurse, request=finished, to="accepted")
    interactions.care_request_transition(actor=personas.nurse, request=finished, to="done")
    with time_machine.travel(_morning(due)):
        assert tasks.notify_overdue_requests.call_local() == 0  # due today: not late yet
        assert not Notification.objects.filter(kind="request_overdue").exists()
    with time_machine.travel(_morning(due + datetime.timedelta(days=1))):
        assert tasks.notify_overdue_requests.call_local() == 2
        # The asked and the requester, once for each request; the finished one is left alone.
        rows = Notification.objects.filter(kind="request_overdue")
        assert sorted((n.target_uuid, n.user.username) for n in rows) == sorted(
            [
                (named.uuid, "p-nurse"),
                (named.uuid, "p-caremanager"),
                (by_occupation.uuid, "p-doctor"),
                (by_occupation.uuid, "p-caremanager"),
            ]
        )
        assert tasks.notify_overdue_requests.call_local() == 0
    with time_machine.travel(_morning(due + datetime.timedelta(days=5))):
        assert tasks.notify_overdue_requests.call_local() == 0
        assert Notification.objects.filter(kind="request_overdue").count() == 4
