"""timeline.interactions: read receipts (batched), unread counts, acknowledgements, comments and
@mentions — what is written, audited, notified and pushed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.notifications.models import Notification
from renrakucho.residents.models import Consent
from renrakucho.residents.selectors import my_residents
from renrakucho.testing.personas import add_consent, add_member, make_resident
from renrakucho.timeline import interactions
from renrakucho.timeline.models import Acknowledgement, Comment, Mention, Post, ReadReceipt

from .interaction_helpers import make_post, make_posts, retract


@pytest.fixture
def pushes(monkeypatch):
    sent = []
    monkeypatch.setattr(
        interactions, "publish_on_commit", lambda group, message: sent.append((group, message))
    )
    return sent


def notified(kind=None):
    rows = Notification.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    return sorted(n.user.username for n in rows)


# --- Read receipts -------------------------------------------------------------------------


def test_mark_read_inserts_the_missing_receipts_in_one_statement(personas, pushes):
    posts = make_posts(personas.resident, [personas.nurse], 30)
    interactions.mark_read(user=personas.doctor, posts=posts[:10])
    pushes.clear()
    fresh = list(Post.objects.filter(pk__in=[p.pk for p in posts]).select_related("resident"))
    with CaptureQueriesContext(connection) as queries:
        new = interactions.mark_read(user=personas.doctor, posts=fresh)
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    # The receipts that exist (1) and the insert (1), plus the savepoint pair around them.
    assert len(queries.captured_queries) <= 4
    assert len(new) == 20
    assert ReadReceipt.objects.filter(user=personas.doctor).count() == 30
    group = f"resident.{personas.resident.uuid}"
    assert sorted(m["id"] for g, m in pushes if g == group and m["type"] == "post.read") == sorted(
        str(p.uuid) for p in posts[10:]
    )


def test_mark_read_is_idempotent_and_skips_own_and_retracted_posts(personas, pushes):
    mine = make_post(personas.resident, personas.doctor)
    theirs = make_post(personas.resident, personas.nurse)
    gone = retract(make_post(personas.resident, personas.nurse), personas.nurse)
    assert interactions.mark_read(user=personas.doctor, posts=[mine, theirs, gone]) == [theirs]
    assert interactions.mark_read(user=personas.doctor, posts=[mine, theirs, gone]) == []
    assert list(ReadReceipt.objects.values_list("post_id", "user_id")) == [
        (theirs.pk, personas.doctor.pk)
    ]
    assert pushes == [
        (f"resident.{personas.resident.uuid}", {"type": "post.read", "id": str(theirs.uuid)})
    ]


def test_mark_read_finds_the_residents_uuid_when_not_loaded(personas, pushes):
    post = make_post(personas.resident, personas.nurse)
    bare = Post.objects.only("id", "uuid", "author_id", "retracted_at", "resident_id").get(
        pk=post.pk
    )
    interactions.mark_read(user=personas.caremanager, posts=[bare])
    assert pushes[0][0] == f"resident.{personas.resident.uuid}"


def test_mark_read_up_to_marks_older_unread_posts_only(personas, access_for, pushes):
    posts = make_posts(personas.resident, [personas.nurse, personas.doctor], 6)
    access = access_for(personas.caremanager)
    read = interactions.mark_read_up_to(
        user=personas.caremanager, posts=interactions.visible_posts(access), up_to=posts[3]
    )
    assert sorted(p.pk for p in read) == [p.pk for p in posts[:4]]
    # Again: nothing new; the doctor does not mark his own posts.
    assert interactions.mark_read_up_to(
        user=personas.caremanager, posts=interactions.visible_posts(access), up_to=posts[5]
    ) == [posts[5], posts[4]]
    doctor = interactions.mark_read_up_to(
        user=personas.doctor,
        posts=interactions.visible_posts(access_for(personas.doctor)),
        up_to=posts[5],
    )
    assert {p.author_id for p in doctor} == {personas.nurse.pk}


def test_readers_list_names_who_read_with_occupations(personas):
    post = make_post(personas.resident, personas.nurse)
    interactions.mark_read(user=personas.doctor, posts=[post])
    interactions.mark_read(user=personas.caremanager, posts=[post])
    readers = interactions.readers_of(post)
    assert [r.user for r in readers] == [personas.doctor, personas.caremanager]
    assert [o.name for o in readers[0].user.occupations.all()] == ["医師"]


# --- Unread counts -------------------------------------------------------------------------


def _unread(user):
    return {r.name: r.unread for r in interactions.with_unread_counts(my_residents(user), user)}


def test_unread_counts_per_resident(personas):
    other = make_resident(
        personas.net_a, personas.caremanager, name="佐藤 一郎", kana="サトウ イチロウ"
    )
    add_member(other, personas.doctor, "primary_doctor")
    add_consent(other, personas.caremanager)
    posts = make_posts(personas.resident, [personas.nurse], 5)
    make_posts(other, [personas.caremanager], 3)
    make_post(personas.resident, personas.doctor)  # his own: never unread
    retract(make_post(personas.resident, personas.nurse), personas.nurse)
    make_post(personas.resident, personas.nurse, visibility="medical")
    interactions.mark_read(user=personas.doctor, posts=posts[:2])
    assert _unread(personas.doctor) == {"山田 花子": 4, "佐藤 一郎": 3}
    # The care manager holds no medical occupation: the medical-only post is not hers to read
    # (5 of the nurse's, 1 of the doctor's).
    assert _unread(personas.caremanager) == {"山田 花子": 6}


def test_unread_count_is_zero_without_consent_and_capped(personas):
    make_posts(personas.resident, [personas.nurse], interactions.UNREAD_CAP + 5)
    assert _unread(personas.doctor) == {"山田 花子": interactions.UNREAD_CAP + 1}
    Consent.objects.update(revoked_on=personas.consent.consented_on)
    assert _unread(personas.doctor) == {"山田 花子": 0}


# --- Acknowledgement -----------------------------------------------------------------------


def test_acknowledge_is_idempotent_audited_and_pushed_once(personas, access_for, pushes):
    post = make_post(personas.resident, personas.nurse, urgent=True)
    access = access_for(personas.doctor)
    assert interactions.post_acknowledge(actor=personas.doctor, access=access, post=post)
    assert not interactions.post_acknowledge(actor=personas.doctor, access=access, post=post)
    assert Acknowledgement.objects.filter(post=post, user=personas.doctor).count() == 1
    event = AuditEvent.objects.get(action=Action.POST_ACK)
    assert event.actor == personas.doctor and event.target_id == str(post.uuid)
    assert event.resident_uuid == personas.resident.uuid
    assert pushes == [
        (f"resident.{personas.resident.uuid}", {"type": "post.acked", "id": str(post.uuid)})
    ]
    assert [a.user for a in interactions.acknowledgers_of(post)] == [personas.doctor]


def test_author_and_retracted_posts_cannot_be_acknowledged(personas, access_for):
    post = make_post(personas.resident, personas.nurse)
    with pytest.raises(ValidationError) as error:
        interactions.post_acknowledge(
            actor=personas.nurse, access=access_for(personas.nurse), post=post
        )
    assert error.value.messages == ["ご自身の記事には了解できません。"]
    retract(post, personas.nurse)
    with pytest.raises(ValidationError) as error:
        interactions.post_acknowledge(
            actor=personas.doctor, access=access_for(personas.doctor), post=post
        )
    assert error.value.messages == ["取り消された記事には操作できません。"]
    assert not Acknowledgement.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.POST_ACK).exists()


# --- Comments and mentions -----------------------------------------------------------------


def test_comment_is_saved_counted_audited_notified_and_pushed(personas, access_for, pushes):
    post = make_post(personas.resident, personas.nurse)
    comment = interactions.comment_create(
        actor=personas.doctor,
        access=access_for(personas.doctor),
        post=post,
        body="  承知しました。 ",
    )
    assert comment.body == "承知しました。"
    post.refresh_from_db()
    assert post.comment_count == 1
    event = AuditEvent.objects.get(action=Action.COMMENT_CREATE)
    assert event.target_id == str(comment.uuid) and event.detail == {"post": str(post.uuid)}
    assert notified("comment") == ["p-nurse"]
    assert pushes[-1] == (
        f"resident.{personas.resident.uuid}",
        {"type": "comment.created", "id": str(post.uuid), "comment": str(comment.uuid)},
    )
    # The author commenting on her own post notifies nobody.
    interactions.comment_create(
        actor=personas.nurse,
        access=access_for(personas.nurse),
        post=post,
        body="ありがとうございます",
    )
    assert notified("comment") == ["p-nurse"]
    post.refresh_from_db()
    assert post.comment_count == 2
    assert [c.body for c in interactions.comments_of(post)] == [
        "承知しました。",
        "ありがとうございます",
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "コメントを入力してください。"),
        ("　 \n", "コメントを入力してください。"),
        ("あ" * 5001, "コメントは5000文字以内で入力してください。"),
    ],
)
def test_bad_comments_are_refused_and_nothing_is_saved(personas, access_for, body, message):
    post = make_post(personas.resident, personas.nurse)
    with pytest.raises(ValidationError) as error:
        interactions.comment_create(
            actor=personas.doctor, access=access_for(personas.doctor), post=post, body=body
        )
    assert error.value.message_dict == {"body": [message]}
    assert not Comment.objects.exists()
    assert not Notification.objects.exists()
    post.refresh_from_db()
    assert post.comment_count == 0


def test_comment_on_a_retracted_post_is_refused(personas, access_for):
    post = retract(make_post(personas.resident, personas.nurse), personas.nurse)
    with pytest.raises(ValidationError):
        interactions.comment_create(
            actor=personas.doctor, access=access_for(personas.doctor), post=post, body="了解"
        )
    assert not Comment.objects.exists()


def test_mentions_in_a_comment_notify_team_members_only(personas, access_for):
    post = make_post(personas.resident, personas.caremanager)
    text = (
        "@p-doctor 先生、ご確認ください。@p-nurse. @p-pharmacist @nobody "
        "連絡先 someone@p-caremanager.example"
    )
    interactions.comment_create(
        actor=personas.caremanager, access=access_for(personas.caremanager), post=post, body=text
    )
    # The pharmacist is not on the team; "someone@…" is an address, not a mention; the
    # trailing period of "@p-nurse." is punctuation.
    assert sorted(m.user.username for m in Mention.objects.all()) == ["p-doctor", "p-nurse"]
    assert all(m.comment is not None for m in Mention.objects.all())
    assert notified("mention") == ["p-doctor", "p-nurse"]
    assert notified("comment") == []  # the care manager wrote both


def test_a_mentioned_author_gets_one_notification_not_two(personas, access_for):
    post = make_post(personas.resident, personas.nurse)
    interactions.comment_create(
        actor=personas.doctor, access=access_for(personas.doctor), post=post, body="@p-nurse 了解"
    )
    assert notified() == ["p-nurse"]
    assert notified("mention") == ["p-nurse"]


def test_mentions_for_post_are_recorded_once_and_respect_medical_visibility(personas):
    post = make_post(
        personas.resident,
        personas.nurse,
        body="@p-doctor @p-caremanager 褥瘡の処置について",
        visibility="medical",
    )
    assert interactions.mentions_for_post(post, personas.nurse) == [personas.doctor]
    # Edited and saved again: nobody is notified twice.
    assert interactions.mentions_for_post(post, personas.nurse) == []
    assert notified("mention") == ["p-doctor"]
    assert Mention.objects.get().comment is None


def test_no_query_when_nobody_is_mentioned(personas, django_assert_num_queries):
    post = make_post(personas.resident, personas.nurse)
    with django_assert_num_queries(0):
        assert (
            interactions.mentions_record(
                post=post, text="メールは a@b.example まで", actor=personas.nurse
            )
            == []
        )
