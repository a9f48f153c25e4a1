"""Pages and fragments of read receipts, acknowledgements, comments and requests: the access
checklist for every view, htmx vs. plain forms, Japanese errors, audit rows and query counts
at two sizes."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from renrakucho.accounts.models import Occupation
from renrakucho.audit.models import Action, AuditEvent
from renrakucho.notifications.models import Notification
from renrakucho.residents.models import CareTeamMember, TeamRole
from renrakucho.residents.tests.conftest import (
    AUDIT_ROW,
    SIGNED_IN_OVERHEAD,
)
from renrakucho.testing.personas import add_member, make_user
from renrakucho.timeline import interactions
from renrakucho.timeline.access import access_timeline
from renrakucho.timeline.models import Acknowledgement, CareRequest, Comment, ReadReceipt

from .interaction_helpers import make_post, make_posts, retract

OUTSIDERS = ("pharmacist", "nurse_b", "operator_c")


@pytest.fixture
def count_queries():
    """count_queries(client, url, method="get", **kwargs) → (response, queries run)."""

    def run(client, url, method="get", **kwargs):
        with CaptureQueriesContext(connection) as context:
            response = getattr(client, method)(url, **kwargs)
        return response, len(context.captured_queries)

    return run


HTMX = {"HTTP_HX_REQUEST": "true"}
TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def posts(personas):
    """A team post by the care manager carrying a request to the nurse, and a medical-only post
    by the doctor."""
    team = make_post(personas.resident, personas.caremanager, body="福祉用具の確認をお願いします")
    CareRequest.objects.create(
        post=team, resident=personas.resident, assignee=personas.nurse, due_on=TOMORROW
    )
    medical = make_post(personas.resident, personas.doctor, body="点滴の指示", visibility="medical")
    return team, medical


def _urls(personas, post):
    resident = {"resident_uuid": personas.resident.uuid}
    one = {"post_uuid": post.uuid}
    # name → (kwargs, allowed methods)
    return {
        "read_up_to": (resident, {"post"}),
        "search_resident": (resident, {"get"}),
        "post_readers": (one, {"get"}),
        "post_footer": (one, {"get"}),
        "post_ack": (one, {"post"}),
        "post_comments": (one, {"get", "post"}),
        "post_request": (one, {"get", "post"}),
        "request_status": (one, {"post"}),
    }


POST_VIEWS = ["post_readers", "post_footer", "post_ack", "post_comments", "post_request",
              "request_status"]  # fmt: skip


def _url(name, kwargs):
    return reverse(f"timeline:{name}", kwargs=kwargs)


# --- The checklist ------------------------------------------------------------------------


def test_outsiders_get_404_with_every_method(personas, posts, client_for):
    for who in OUTSIDERS:
        client = client_for(getattr(personas, who))
        for name, (kwargs, methods) in _urls(personas, posts[0]).items():
            for method in methods:
                response = getattr(client, method)(_url(name, kwargs))
                assert response.status_code == 404, (who, name, method)
        found = client.get(reverse("timeline:search") + "?q=福祉用具").content.decode()
        assert 'class="post-summary"' not in found and "該当する記事はありません。" in found


def test_a_medical_post_is_404_for_a_member_without_a_medical_occupation(
    personas, posts, client_for
):
    client = client_for(personas.caremanager)
    for name in POST_VIEWS:
        kwargs, methods = _urls(personas, posts[1])[name]
        for method in methods:
            assert getattr(client, method)(_url(name, kwargs)).status_code == 404, (name, method)
    response = client.post(
        _url("read_up_to", {"resident_uuid": personas.resident.uuid}), {"up_to": posts[1].uuid}
    )
    assert response.status_code == 404


def test_unknown_uuids_are_404(personas, posts, client_for):
    client = client_for(personas.nurse)
    unknown = "00000000-0000-4000-8000-000000000000"
    for name, (kwargs, methods) in _urls(personas, posts[0]).items():
        kwargs = {key: unknown for key in kwargs}
        for method in methods:
            assert getattr(client, method)(_url(name, kwargs)).status_code == 404, (name, method)


def test_anonymous_is_sent_to_login(personas, posts, client):
    urls = {name: value for name, value in _urls(personas, posts[0]).items()}
    urls["search"] = ({}, {"get"})
    for name, (kwargs, methods) in urls.items():
        for method in methods:
            response = getattr(client, method)(_url(name, kwargs))
            assert response.status_code == 302, (name, method)
            assert response["Location"].startswith(reverse("accounts:login"))


def test_wrong_method_is_405(personas, posts, client_for):
    client = client_for(personas.caremanager)
    urls = {name: value for name, value in _urls(personas, posts[0]).items()}
    urls["search"] = ({}, {"get"})
    for name, (kwargs, methods) in urls.items():
        for method in {"get", "post", "put", "delete"} - methods:
            assert getattr(client, method)(_url(name, kwargs)).status_code == 405, (name, method)


def test_a_reader_who_may_not_write_gets_403(personas, posts, client_for):
    team = posts[0]
    operator = client_for(personas.operator_a)  # reads the Network's timelines, writes none
    assert operator.get(_url("post_readers", {"post_uuid": team.uuid})).status_code == 200
    assert operator.post(_url("post_ack", {"post_uuid": team.uuid})).status_code == 403
    comment = operator.post(_url("post_comments", {"post_uuid": team.uuid}), {"body": "確認"})
    assert comment.status_code == 403
    assert operator.get(_url("post_request", {"post_uuid": team.uuid})).status_code == 403
    status = operator.post(_url("request_status", {"post_uuid": team.uuid}), {"to": "accepted"})
    assert status.status_code == 403
    # A teammate who is not the author adds no request; one not asked moves none.
    doctor = client_for(personas.doctor)
    assert doctor.get(_url("post_request", {"post_uuid": team.uuid})).status_code == 403
    status = doctor.post(_url("request_status", {"post_uuid": team.uuid}), {"to": "accepted"})
    assert status.status_code == 403
    assert not Acknowledgement.objects.exists() and not Comment.objects.exists()
    assert CareRequest.objects.get().status == CareRequest.Status.REQUESTED


def test_a_member_who_left_the_team_gets_404(personas, posts, client_for):
    CareTeamMember.objects.filter(user=personas.nurse).update(status=CareTeamMember.Status.LEFT)
    client = client_for(personas.nurse)
    for name in POST_VIEWS:
        kwargs, methods = _urls(personas, posts[0])[name]
        for method in methods:
            assert getattr(client, method)(_url(name, kwargs)).status_code == 404, (name, method)


# --- 既読 ---------------------------------------------------------------------------------


def test_read_up_to_marks_the_visible_posts_and_answers_204_to_htmx(personas, client_for):
    team_posts = make_posts(personas.resident, [personas.nurse], 4)
    medical = make_post(personas.resident, personas.doctor, visibility="medical")
    client = client_for(personas.caremanager)
    url = _url("read_up_to", {"resident_uuid": personas.resident.uuid})
    response = client.post(url, {"up_to": team_posts[-1].uuid}, **HTMX)
    assert response.status_code == 204
    read = set(ReadReceipt.objects.filter(user=personas.caremanager).values_list("post", flat=True))
    assert read == {p.pk for p in team_posts}
    assert medical.pk not in read
    # Without htmx: back to the timeline.
    response = client.post(url, {"up_to": team_posts[0].uuid})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "timeline:timeline", kwargs={"resident_uuid": personas.resident.uuid}
    )


def test_read_up_to_needs_a_post(personas, client_for):
    url = _url("read_up_to", {"resident_uuid": personas.resident.uuid})
    response = client_for(personas.nurse).post(url, {})
    assert response.status_code == 400
    assert "記事が指定されていません。" in response.content.decode()
    assert client_for(personas.nurse).post(url, {"up_to": "not-a-uuid"}).status_code == 404


def test_read_up_to_query_count_does_not_grow_with_posts(personas, client_for, count_queries):
    client = client_for(personas.caremanager)
    url = _url("read_up_to", {"resident_uuid": personas.resident.uuid})
    small = make_posts(personas.resident, [personas.nurse], 5)
    _, few = count_queries(client, url, "post", data={"up_to": small[-1].uuid}, **HTMX)
    large = make_posts(personas.resident, [personas.nurse], 50)
    _, many = count_queries(client, url, "post", data={"up_to": large[-1].uuid}, **HTMX)
    assert ReadReceipt.objects.filter(user=personas.caremanager).count() == 55
    # access (1: resident with membership, consent), is_medical (1), the post (1), the unread
    # posts (1), one insert; savepoint pair.
    assert few == many <= SIGNED_IN_OVERHEAD + 7


def test_readers_page_lists_name_kana_occupation_and_time_and_is_audited(
    personas, posts, client_for
):
    team = posts[0]
    interactions.mark_read(user=personas.doctor, posts=[team])
    response = client_for(personas.caremanager).get(_url("post_readers", {"post_uuid": team.uuid}))
    html = response.content.decode()
    assert "既読の一覧" in html and "1人が読みました。" in html
    assert "伊那 一郎" in html and "イナ イチロウ" in html and "医師" in html
    receipt = ReadReceipt.objects.get()
    assert timezone.localtime(receipt.read_at).strftime("%H:%M") in html
    assert f"{timezone.localdate().year}年" in html
    event = AuditEvent.objects.get(action=Action.POST_VIEW)
    assert event.detail == {"view": "readers", "posts": [str(team.uuid)]}
    assert event.resident_uuid == personas.resident.uuid
    partial = client_for(personas.caremanager).get(
        _url("post_readers", {"post_uuid": team.uuid}), **HTMX
    )
    assert partial.content.decode().lstrip().startswith('<section id="readers"')


def test_readers_query_count_does_not_grow_with_readers(personas, posts, client_for, count_queries):
    team = posts[0]
    url = _url("post_readers", {"post_uuid": team.uuid})
    client = client_for(personas.caremanager)

    def readers(n, start):
        for i in range(start, start + n):
            user = make_user(
                f"reader-{i}", f"読者 {i}", "ドクシャ", "home_helper", personas.nursing_a
            )
            add_member(personas.resident, user, TeamRole.HOME_HELPER)
            interactions.mark_read(user=user, posts=[team])

    client.get(url)  # warm-up
    readers(2, 0)
    _, small = count_queries(client, url)
    readers(23, 2)
    response, large = count_queries(client, url)
    assert response.content.decode().count("ドクシャ") == 25
    # access_post (post, resident access, is_medical: 3), receipts with users (1),
    # occupations (1), the audit row.
    assert small == large <= SIGNED_IN_OVERHEAD + 5 + AUDIT_ROW


# --- The footer and 了解 ----------------------------------------------------------------------


def test_ack_with_htmx_answers_the_footer_and_without_redirects_to_the_post(
    personas, posts, client_for
):
    team = posts[0]
    url = _url("post_ack", {"post_uuid": team.uuid})
    response = client_for(personas.doctor).post(url, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="post-footer-{team.uuid}"' in html
    assert "了解済み" in html and "了解 1" in html
    assert "伊那 一郎" in html and "イナ イチロウ" in html
    response = client_for(personas.nurse).post(url, follow=True)
    assert response.redirect_chain[0][0] == reverse("timeline:post_detail", args=[team.uuid])
    assert "了解しました。" in response.content.decode()
    assert Acknowledgement.objects.count() == 2
    assert AuditEvent.objects.filter(action=Action.POST_ACK).count() == 2
    # Again: idempotent, no second row.
    client_for(personas.doctor).post(url, **HTMX)
    assert Acknowledgement.objects.count() == 2


def test_author_cannot_ack_own_post(personas, posts, client_for):
    team = posts[0]
    response = client_for(personas.caremanager).post(
        _url("post_ack", {"post_uuid": team.uuid}), **HTMX
    )
    assert "ご自身の記事には了解できません。" in response.content.decode()
    assert not Acknowledgement.objects.exists()


def test_footer_fragment_marks_read_is_audited_and_shows_the_request_box(
    personas, posts, client_for
):
    team = posts[0]
    response = client_for(personas.nurse).get(_url("post_footer", {"post_uuid": team.uuid}))
    html = response.content.decode()
    assert ReadReceipt.objects.filter(user=personas.nurse, post=team).exists()
    assert "看護 花子" in html and "カンゴ ハナコ" in html  # the assignee, with kana
    assert "受領する" in html and "差し戻す" in html
    assert "完了にする" not in html
    assert AuditEvent.objects.get(action=Action.POST_VIEW).detail == {
        "view": "footer",
        "posts": [str(team.uuid)],
    }
    # The doctor is not asked: no state buttons; the author sees no "add a request" link twice.
    html = client_for(personas.doctor).get(_url("post_footer", {"post_uuid": team.uuid}))
    assert "受領する" not in html.content.decode()


def test_footer_query_count_does_not_grow_with_comments_and_acks(
    personas, posts, client_for, count_queries
):
    team = posts[0]
    url = _url("post_footer", {"post_uuid": team.uuid})
    client = client_for(personas.nurse)

    def activity(n):
        for i in range(n):
            interactions.comment_create(
                actor=personas.doctor, access=_access(personas.doctor), post=team, body=f"返信 {i}"
            )

    def _access(user):
        return access_timeline(user, personas.resident.uuid)

    client.get(url)  # warm-up, and her receipt
    activity(2)
    _, small = count_queries(client, url)
    activity(23)
    interactions.post_acknowledge(actor=personas.doctor, access=_access(personas.doctor), post=team)
    response, large = count_queries(client, url)
    assert response.content.decode().count("返信 ") == 25
    # access_post (3), mark_read (1: receipts that exist), the post with annotations and its
    # request (1), acknowledgements with users (1), comments with authors (1), the audit row.
    assert small == large <= SIGNED_IN_OVERHEAD + 7 + AUDIT_ROW


# --- Comments ------------------------------------------------------------------------------


def test_comment_with_htmx_answers_the_footer_with_the_comment(personas, posts, client_for):
    team = posts[0]
    response = client_for(personas.nurse).post(
        _url("post_comments", {"post_uuid": team.uuid}),
        {"body": "@p-doctor 明日確認します"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "明日確認します" in html and "看護 花子" in html
    assert team.comments.count() == 1
    assert sorted(Notification.objects.values_list("kind", "user__username")) == [
        ("comment", "p-caremanager"),
        ("mention", "p-doctor"),
    ]
    assert AuditEvent.objects.filter(action=Action.COMMENT_CREATE).count() == 1


def test_comment_without_htmx_redirects_to_the_post(personas, posts, client_for):
    team = posts[0]
    response = client_for(personas.doctor).post(
        _url("post_comments", {"post_uuid": team.uuid}), {"body": "承知しました"}, follow=True
    )
    assert response.redirect_chain[0][0] == reverse("timeline:post_detail", args=[team.uuid])
    assert "コメントしました。" in response.content.decode()


@pytest.mark.parametrize("htmx", [True, False])
def test_empty_comment_is_refused_in_japanese_and_nothing_saved(personas, posts, client_for, htmx):
    team = posts[0]
    response = client_for(personas.nurse).post(
        _url("post_comments", {"post_uuid": team.uuid}), {"body": "   "}, **(HTMX if htmx else {})
    )
    assert "コメントを入力してください。" in response.content.decode()
    assert response.status_code == (200 if htmx else 422)
    assert not Comment.objects.exists()


def test_long_comment_keeps_what_was_typed(personas, posts, client_for):
    team = posts[0]
    text = "長い" * 2501
    response = client_for(personas.nurse).post(
        _url("post_comments", {"post_uuid": team.uuid}), {"body": text}, **HTMX
    )
    html = response.content.decode()
    assert "コメントは5000文字以内で入力してください。" in html
    assert text in html
    assert not Comment.objects.exists()


def test_comments_page_lists_comments_with_kana_and_is_audited(personas, posts, client_for):
    team = posts[0]
    client_for(personas.doctor).post(
        _url("post_comments", {"post_uuid": team.uuid}), {"body": "経過を見ます"}
    )
    html = (
        client_for(personas.caremanager)
        .get(_url("post_comments", {"post_uuid": team.uuid}))
        .content.decode()
    )
    assert "経過を見ます" in html and "イナ イチロウ" in html
    assert "コメントする" in html
    assert AuditEvent.objects.filter(action=Action.POST_VIEW).latest("id").detail == {
        "view": "comments",
        "posts": [str(team.uuid)],
    }
    # The operator reads, without the form.
    html = (
        client_for(personas.operator_a)
        .get(_url("post_comments", {"post_uuid": team.uuid}))
        .content.decode()
    )
    assert "経過を見ます" in html and "コメントする" not in html


def test_comment_on_a_retracted_post_is_refused(personas, posts, client_for):
    team = retract(posts[0], personas.caremanager)
    response = client_for(personas.nurse).post(
        _url("post_comments", {"post_uuid": team.uuid}), {"body": "了解"}, **HTMX
    )
    assert "取り消された記事には操作できません。" in response.content.decode()
    assert not Comment.objects.exists()


# --- 依頼 ----------------------------------------------------------------------------------


@pytest.fixture
def plain_post(personas):
    return make_post(personas.resident, personas.caremanager, body="サービス担当者会議の日程")


def test_request_form_adds_a_request(personas, plain_post, client_for):
    url = _url("post_request", {"post_uuid": plain_post.uuid})
    client = client_for(personas.caremanager)
    html = client.get(url).content.decode()
    assert "依頼を追加" in html and "看護 花子（カンゴ ハナコ）" in html
    assert "介護 支援（カイゴ シエン）" not in html  # not herself
    response = client.post(url, {"assignee": personas.nurse.uuid, "due_on": TOMORROW.isoformat()})
    assert response.status_code == 302
    assert response["Location"] == reverse("timeline:post_detail", args=[plain_post.uuid])
    care_request = CareRequest.objects.get()
    assert care_request.assignee == personas.nurse and care_request.due_on == TOMORROW
    assert Notification.objects.get().kind == "request_assigned"
    assert AuditEvent.objects.filter(action=Action.REQUEST_CREATE).count() == 1
    assert "この記事には既に依頼があります。" in client.get(url).content.decode()


def test_request_to_an_occupation(personas, plain_post, client_for):
    client_for(personas.caremanager).post(
        _url("post_request", {"post_uuid": plain_post.uuid}),
        {"occupation": "doctor", "due_on": TOMORROW.isoformat()},
    )
    assert CareRequest.objects.get().assignee_occupation == Occupation.objects.get(code="doctor")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"due_on": "2000-01-01", "assignee": "nurse"}, "期限に過去の日付は指定できません。"),
        ({"due_on": "tomorrow", "assignee": "nurse"}, "期限は 2026-04-01 の形で入力してください。"),
        ({"due_on": "", "assignee": "nurse"}, "期限を入力してください。"),
        ({"assignee": "pharmacist"}, "依頼先は支援チームのメンバーから選んでください。"),
        ({"assignee": "bogus"}, "依頼先は支援チームのメンバーから選んでください。"),
        ({}, "依頼先として、チームのメンバーか職種のどちらか一方を選んでください。"),
        ({"occupation": "pharmacist"}, "支援チームに「薬剤師」のメンバーがいません。"),
        ({"occupation": "astronaut"}, "職種を選択肢から選んでください。"),
    ],
)
def test_bad_requests_show_a_japanese_error_and_save_nothing(
    personas, plain_post, client_for, data, message
):
    data = {"due_on": TOMORROW.isoformat(), **data}
    if data.get("assignee") in ("nurse", "pharmacist"):
        data["assignee"] = str(getattr(personas, data["assignee"]).uuid)
    elif data.get("assignee") == "bogus":
        data["assignee"] = "00000000-0000-4000-8000-000000000000"
    response = client_for(personas.caremanager).post(
        _url("post_request", {"post_uuid": plain_post.uuid}), data
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    if data.get("due_on") == "tomorrow":
        assert 'value="tomorrow"' in html  # what was typed is kept
    assert not CareRequest.objects.exists()
    assert not Notification.objects.exists()


def test_request_states_by_the_assignee(personas, posts, client_for):
    team = posts[0]
    url = _url("request_status", {"post_uuid": team.uuid})
    client = client_for(personas.nurse)
    response = client.post(url, {"to": "accepted"}, **HTMX)
    html = response.content.decode()
    assert "受領" in html and "完了にする" in html
    response = client.post(url, {"to": "done", "note": "確認しました"}, follow=True)
    assert "依頼を「完了」にしました。" in response.content.decode()
    care_request = CareRequest.objects.get()
    assert care_request.status == CareRequest.Status.DONE
    assert care_request.status_note == "確認しました"
    assert AuditEvent.objects.filter(action=Action.REQUEST_STATUS).count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"to": "done"}, "「依頼」の依頼を「完了」にすることはできません。"),
        ({"to": "returned"}, "差戻しの理由を入力してください。"),
        ({"to": "teleported"}, "依頼の状態が正しくありません。"),
    ],
)
def test_invalid_state_changes_are_refused_in_japanese(personas, posts, client_for, data, message):
    team = posts[0]
    url = _url("request_status", {"post_uuid": team.uuid})
    response = client_for(personas.nurse).post(url, data, **HTMX)
    assert message in response.content.decode()
    response = client_for(personas.nurse).post(url, data, follow=True)
    assert message in response.content.decode()
    assert CareRequest.objects.get().status == CareRequest.Status.REQUESTED


def test_request_status_on_a_post_without_request_is_404(personas, plain_post, client_for):
    url = _url("request_status", {"post_uuid": plain_post.uuid})
    assert client_for(personas.nurse).post(url, {"to": "accepted"}).status_code == 404


def test_comments_page_query_count_does_not_grow_with_comments(
    personas, posts, client_for, count_queries
):
    team = posts[0]
    url = _url("post_comments", {"post_uuid": team.uuid})
    client = client_for(personas.caremanager)
    access = access_timeline(personas.nurse, personas.resident.uuid)

    def comments(n):
        for i in range(n):
            interactions.comment_create(
                actor=personas.nurse, access=access, post=team, body=f"経過報告 {i}"
            )

    client.get(url)  # warm-up
    comments(2)
    _, small = count_queries(client, url)
    comments(23)
    response, large = count_queries(client, url)
    assert response.content.decode().count("経過報告 ") == 25
    # access_post (3), the comments with their authors (1), the audit row.
    assert small == large <= SIGNED_IN_OVERHEAD + 4 + AUDIT_ROW


def test_request_form_query_count_does_not_grow_with_the_team(personas, client_for, count_queries):
    post = make_post(personas.resident, personas.caremanager, body="ご確認ください")
    url = _url("post_request", {"post_uuid": post.uuid})
    client = client_for(personas.caremanager)

    def members(n, start):
        for i in range(start, start + n):
            user = make_user(
                f"member-{i}", f"メンバー {i}", "メンバー", "home_helper", personas.nursing_a
            )
            add_member(personas.resident, user, TeamRole.HOME_HELPER)

    client.get(url)  # warm-up
    _, small = count_queries(client, url)  # 3 members
    members(22, 0)
    response, large = count_queries(client, url)  # 25 members
    assert response.content.decode().count("（メンバー）</option>") == 22
    # access_post (3), the request if any (1), the team (1), the occupations (1), the audit
    # row.
    assert small == large <= SIGNED_IN_OVERHEAD + 6 + AUDIT_ROW
