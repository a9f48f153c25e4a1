"""What people do with a post once it is written: read receipts (既読), acknowledgements
(了解), comments, @mentions and requests (依頼) — the services that write them and the reads
that show them.

Callers resolve access first (timeline.access: `access_post`, `visible_posts`); the functions
here trust the post they are given to be visible to the actor, and check only what is theirs
to check (who may move a request, who may be asked, what may be written).

Writes follow the house rules: keyword-only, one transaction, `full_clean()`, an audit row for
acknowledgements, comments and requests (a read receipt is the trace of a read the viewing page
already audits), notifications through `notify()`, and realtime nudges after commit on
`resident.<uuid>` carrying only a type and UUIDs.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from renrakucho.accounts.models import Occupation, User
from renrakucho.audit.models import Action
from renrakucho.audit.services import audit_record
from renrakucho.core.realtime import publish_on_commit
from renrakucho.notifications.models import Kind, Notification
from renrakucho.notifications.services import notify
from renrakucho.residents.access import residents_on_my_teams
from renrakucho.residents.models import CareTeamMember, Consent, Resident

from .access import visible_posts
from .models import (
    Acknowledgement,
    CareRequest,
    Comment,
    Mention,
    Post,
    ReadReceipt,
    Visibility,
)

# The most receipts one "read up to here" call writes: the newest unread posts first. A page
# never shows more; older ones are marked when they are scrolled to.
READ_BATCH = 200
COMMENT_MAX_LENGTH = 5000
NOTE_MAX_LENGTH = 300
# Unread counts are shown as "99+" beyond this; counting stops there (a bounded subquery).
UNREAD_CAP = 99
DASHBOARD_REQUESTS = 50
DASHBOARD_URGENT = 20
URGENT_WINDOW = datetime.timedelta(days=14)

# `@login-id` not preceded by a character a login ID may contain (so "a@b.jp" is no mention).
MENTION_PATTERN = re.compile(r"(?<![A-Za-z0-9._@-])@([A-Za-z0-9][A-Za-z0-9._@-]{2,63})")


# --- Shared pieces ------------------------------------------------------------------------


def resident_group(resident_uuid) -> str:
    return f"resident.{uuid.UUID(str(resident_uuid))}"


def post_url(post: Post) -> str:
    """Where a notification about `post` leads (UUIDs only; the page checks access)."""
    try:
        return reverse("timeline:post_detail", kwargs={"post_uuid": post.uuid})
    except NoReverseMatch:  # the posting pages are mounted separately
        return f"/posts/{post.uuid}/"


def _resident_uuid(post: Post) -> uuid.UUID:
    if Post.resident.is_cached(post):
        return post.resident.uuid
    return Resident.objects.values_list("uuid", flat=True).get(pk=post.resident_id)


def _medical_occupation(user) -> QuerySet:
    return User.occupations.through.objects.filter(
        user_id=user.pk,
        occupation__category=Occupation.Category.MEDICAL,
    )


def visibility_q(user) -> Q:
    """Posts `user` may see by their visibility: medical-only posts need a medical/nursing
    occupation. An uncorrelated EXISTS, so it costs no query of its own."""
    return ~Q(visibility=Visibility.MEDICAL) | Q(Exists(_medical_occupation(user)))


def _consent_in_force(resident_ref="resident") -> QuerySet:
    return Consent.objects.in_force().filter(resident=OuterRef(resident_ref), scope_team=True)


def _live(post: Post) -> None:
    if post.retracted_at is not None:
        raise ValidationError(_("取り消された記事には操作できません。"))


def _active_members(resident) -> QuerySet[CareTeamMember]:
    return CareTeamMember.objects.active().filter(resident=resident, user__is_active=True)


def _medical_ids(users: Iterable) -> set[int]:
    ids = [u.pk for u in users]
    if not ids:
        return set()
    return set(
        User.occupations.through.objects.filter(
            user_id__in=ids, occupation__category=Occupation.Category.MEDICAL
        ).values_list("user_id", flat=True)
    )


# --- Read receipts (既読) ------------------------------------------------------------------


@transaction.atomic
def _insert_receipts(user, posts: list[Post]) -> None:
    now = timezone.now()
    ReadReceipt.objects.bulk_create(
        [ReadReceipt(post=post, user=user, read_at=now) for post in posts],
        ignore_conflicts=True,  # a second tab marking the same posts at once is harmless
    )
    for post in posts:
        publish_on_commit(
            resident_group(_resident_uuid(post)), {"type": "post.read", "id": str(post.uuid)}
        )


def mark_read(*, user, posts: Iterable[Post]) -> list[Post]:
    """Record that `user` opened `posts` (already access-checked). Returns the posts read for
    the first time.

    Own and retracted posts are skipped. One query when nothing is new (the receipts that
    exist); otherwise ONE insert of the missing ones more (in a savepoint), whatever the
    number of posts. Pushes `post.read` for each
    newly read post after commit. Pass posts with `resident` loaded (select_related or a
    related manager), else one more query finds the residents' UUIDs.
    """
    candidates = {
        post.pk: post
        for post in posts
        if post.author_id != user.pk and post.retracted_at is None and post.pk is not None
    }
    if not candidates:
        return []
    existing = set(
        ReadReceipt.objects.filter(user=user, post_id__in=list(candidates)).values_list(
            "post_id", flat=True
        )
    )
    new = [post for pk, post in candidates.items() if pk not in existing]
    if new:
        missing = {p.resident_id for p in new if not Post.resident.is_cached(p)}
        if missing:
            uuids = dict(Resident.objects.filter(pk__in=missing).values_list("pk", "uuid"))
            for post in new:
                if not Post.resident.is_cached(post):
                    post.resident = Resident(pk=post.resident_id, uuid=uuids[post.resident_id])
        _insert_receipts(user, new)
    return new


def mark_read_up_to(*, user, posts: QuerySet[Post], up_to: Post) -> list[Post]:
    """Mark read every post of `posts` (a resident's visible posts, from
    `visible_posts(access)`) up to and including `up_to` (its id or older), newest first,
    at most READ_BATCH. Two queries: the unread posts, one insert."""
    unread = list(
        posts.filter(id__lte=up_to.pk, retracted_at__isnull=True)
        .exclude(author_id=user.pk)
        .exclude(Exists(ReadReceipt.objects.filter(post=OuterRef("pk"), user=user)))
        .select_related("resident")
        .only("id", "uuid", "resident__uuid", "author_id", "retracted_at")
        .order_by("-id")[:READ_BATCH]
    )
    if unread:
        _insert_receipts(user, unread)
    return unread


def readers_of(post: Post) -> list[ReadReceipt]:
    """Who read `post` and when, earliest first, with each reader's occupations. Two queries."""
    return list(
        post.read_receipts.select_related("user")
        .prefetch_related("user__occupations")
        .order_by("read_at", "id")
    )


def unread_count_subquery(user, resident_ref: str = "pk") -> Coalesce:
    """An annotation for a Resident queryset: how many live posts `user` may see there, not
    written by them, they have not read — counted up to UNREAD_CAP + 1 ("99+"). Zero without a
    team-sharing consent in force (the timeline is closed then). No query of its own."""
    unread = (
        Post.objects.filter(resident=OuterRef(resident_ref), retracted_at__isnull=True)
        .exclude(author_id=user.pk)
        .filter(visibility_q(user))
        # Resolved against the post (its resident), not the outer resident row.
        .filter(Exists(_consent_in_force("resident")))
        .exclude(Exists(ReadReceipt.objects.filter(post=OuterRef("pk"), user_id=user.pk)))
        .order_by()
        .values("id")[: UNREAD_CAP + 1]
    )
    return Coalesce(_CappedCount(unread), 0)


class _CappedCount(Subquery):
    """COUNT(*) over a LIMITed subquery: the count stops at the limit, so a resident with
    100,000 unread posts costs no more than one with 100."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS capped_count)"
    output_field = IntegerField()


def with_unread_counts(residents: QuerySet[Resident], user) -> QuerySet[Resident]:
    """Annotate `unread` on a queryset of residents `user` reaches (e.g. my residents)."""
    return residents.annotate(unread=unread_count_subquery(user))


# --- Acknowledgement (了解) -----------------------------------------------------------------


@transaction.atomic
def post_acknowledge(*, actor, access, post: Post, request=None) -> bool:
    """了解: `actor` has acted on `post`. Idempotent: returns False (nothing written) when they
    had already acknowledged it. Audited (POST_ACK) and pushed (`post.acked`) once.

    Raises ValidationError for a retracted post or the author's own post.
    """
    _live(post)
    if post.author_id == actor.pk:
        raise ValidationError(_("ご自身の記事には了解できません。"))
    if Acknowledgement.objects.filter(post=post, user=actor).exists():
        return False
    try:
        with transaction.atomic():  # a double click racing itself: the second one loses
            Acknowledgement.objects.create(post=post, user=actor, acknowledged_at=timezone.now())
    except IntegrityError:
        return False
    audit_record(
        action=Action.POST_ACK,
        actor=actor,
        request=request,
        network_id=access.resident.network_id,
        target=post,
        resident_uuid=access.resident.uuid,
    )
    publish_on_commit(
        resident_group(access.resident.uuid), {"type": "post.acked", "id": str(post.uuid)}
    )
    return True


def acknowledgers_of(post: Post) -> list[Acknowledgement]:
    """Who acknowledged `post`, earliest first, with their occupations. Two queries."""
    return list(
        post.acknowledgements.select_related("user")
        .prefetch_related("user__occupations")
        .order_by("acknowledged_at", "id")
    )


# --- Comments and @mentions ------------------------------------------------------------


def comments_of(post: Post) -> list[Comment]:
    """The live comments of `post`, oldest first, with their authors. One query."""
    return list(post.comments.filter(retracted_at__isnull=True).select_related("author"))


def _mentioned_names(text: str) -> set[str]:
    names = set()
    for match in MENTION_PATTERN.finditer(text or ""):
        name = match.group(1)
        names.add(name)
        # "@p-nurse." at the end of a sentence: the period is punctuation, not the ID.
        names.add(name.rstrip("._@-"))
    return names


def mentions_record(*, post: Post, comment: Comment | None = None, text: str, actor) -> list:
    """Record `@<login ID>` mentions in `text` (a post body, or a comment of `post`) of
    active members of the resident's team who may see the post, and notify them
    (`mention`). The actor and people already mentioned in the same post/comment are left
    out, so calling it again after an edit notifies only the newly mentioned.

    Returns the users newly mentioned. No query when `text` mentions nobody.
    """
    names = _mentioned_names(text)
    if not names:
        return []
    return _record_mentions(post=post, comment=comment, names=names, actor=actor)


@transaction.atomic
def _record_mentions(*, post: Post, comment: Comment | None, names: set[str], actor) -> list:
    members = list(
        User.objects.filter(
            is_active=True,
            username__in=names,
            team_memberships__resident_id=post.resident_id,
            team_memberships__status=CareTeamMember.Status.ACTIVE,
        )
        .exclude(pk=actor.pk)
        .distinct()
    )
    if post.visibility == Visibility.MEDICAL:
        medical = _medical_ids(members)
        members = [user for user in members if user.pk in medical]
    if not members:
        return []
    already = set(
        Mention.objects.filter(
            post=post, comment=comment, user__in=[u.pk for u in members]
        ).values_list("user_id", flat=True)
    )
    new = [user for user in members if user.pk not in already]
    if not new:
        return []
    Mention.objects.bulk_create([Mention(post=post, comment=comment, user=user) for user in new])
    notify(
        users=new,
        kind=Kind.MENTION,
        url=post_url(post),
        resident_uuid=_resident_uuid(post),
        target_uuid=post.uuid,
        urgent=post.urgent,
    )
    return new


def mentions_for_post(post: Post, actor) -> list:
    """Mentions in a post's body: call after the post is created or edited (in the same
    transaction). See `mentions_record`."""
    return mentions_record(post=post, comment=None, text=post.body, actor=actor)


@transaction.atomic
def comment_create(*, actor, access, post: Post, body: str, request=None) -> Comment:
    """A comment (返信) on `post` by `actor`.

    Raises ValidationError ({"body": …}) for an empty or too long comment, or a retracted
    post. Keeps `post.comment_count`; records and notifies @mentions; notifies the post's
    author (`comment`) unless they wrote it, were mentioned, or have left the team; audits
    COMMENT_CREATE; pushes `comment.created` (id: the post) after commit.
    """
    _live(post)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("コメントを入力してください。")})
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "body": _("コメントは%(max)d文字以内で入力してください。")
                % {"max": COMMENT_MAX_LENGTH}
            }
        )
    comment = Comment(post=post, author=actor, body=body)
    comment.full_clean()
    comment.save()
    Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
    post.comment_count += 1
    resident = access.resident
    audit_record(
        action=Action.COMMENT_CREATE,
        actor=actor,
        request=request,
        network_id=resident.network_id,
        target=comment,
        resident_uuid=resident.uuid,
        detail={"post": str(post.uuid)},
    )
    mentioned = mentions_record(post=post, comment=comment, text=body, actor=actor)
    author_on_team = _active_members(resident).filter(user_id=post.author_id).exists()
    if (
        post.author_id != actor.pk
        and author_on_team
        and all(user.pk != post.author_id for user in mentioned)
    ):
        notify(
            users=[post.author],
            kind=Kind.COMMENT,
            url=post_url(post),
            resident_uuid=resident.uuid,
            target_uuid=post.uuid,
        )
    publish_on_commit(
        resident_group(resident.uuid),
        {"type": "comment.created", "id": str(post.uuid), "comment": str(comment.uuid)},
    )
    return comment


# --- Requests (依頼) -------------------------------------------------------------------------

OPEN_STATUSES = (CareRequest.Status.REQUESTED, CareRequest.Status.ACCEPTED)
TRANSITIONS = {
    CareRequest.Status.REQUESTED: {CareRequest.Status.ACCEPTED, CareRequest.Status.RETURNED},
    CareRequest.Status.ACCEPTED: {CareRequest.Status.DONE, CareRequest.Status.RETURNED},
}


def _occupation_members(resident, occupation_id) -> list:
    return [
        member.user
        for member in _active_members(resident)
        .filter(user__occupations=occupation_id)
        .select_related("user")
        .distinct()
    ]


def request_recipients(care_request: CareRequest) -> list:
    """The people a request asks: its named assignee, or every active team member holding
    its occupation. One query."""
    if care_request.assignee_id:
        return [care_request.assignee]
    return _occupation_members(care_request.resident_id, care_request.assignee_occupation_id)


@transaction.atomic
def care_request_create(
    *,
    actor,
    access,
    post: Post,
    assignee=None,
    occupation: Occupation | None = None,
    due_on: datetime.date | None,
    http_request=None,
) -> CareRequest:
    """Attach a request (依頼) to `post`, asking `assignee` (an active member of the team) or
    everyone of `occupation` on the team to act by `due_on`.

    Only the post's author adds a request (PermissionDenied otherwise). Raises
    ValidationError, keyed by field (`assignee`, `occupation`, `due_on`, or NON_FIELD),
    for: no or two kinds of assignee, the actor asking themself, someone not on the team or
    who may not see a medical-only post, an occupation nobody on the team holds, a due date
    in the past, a retracted post, a post that already carries a request.
    Notifies the assignees (`request_assigned`), audits REQUEST_CREATE, pushes
    `request.changed` (id: the post).
    """
    if post.author_id != actor.pk:
        raise PermissionDenied(_("依頼を追加できるのは記事を書いた人だけです。"))
    _live(post)
    resident = access.resident
    errors: dict[str, list] = {}
    if CareRequest.objects.filter(post=post).exists():
        raise ValidationError(_("この記事には既に依頼があります。"))
    if (assignee is None) == (occupation is None):
        errors.setdefault("assignee", []).append(
            _("依頼先として、チームのメンバーか職種のどちらか一方を選んでください。")
        )
    recipients: list = []
    if assignee is not None and occupation is None:
        if assignee.pk == actor.pk:
            errors.setdefault("assignee", []).append(_("ご自身には依頼できません。"))
        elif not assignee.is_active or not _active_members(resident).filter(user=assignee).exists():
            errors.setdefault("assignee", []).append(
                _("依頼先は支援チームのメンバーから選んでください。")
            )
        elif post.visibility == Visibility.MEDICAL and not _medical_ids([assignee]):
            errors.setdefault("assignee", []).append(
                _("この記事は医療・看護職のみに公開されているため、この方には依頼できません。")
            )
        else:
            recipients = [assignee]
    if occupation is not None and assignee is None:
        recipients = [u for u in _occupation_members(resident, occupation.pk) if u.pk != actor.pk]
        if not recipients:
            errors.setdefault("occupation", []).append(
                _("支援チームに「%(occupation)s」のメンバーがいません。")
                % {"occupation": occupation.name}
            )
        elif (
            post.visibility == Visibility.MEDICAL
            and occupation.category != Occupation.Category.MEDICAL
        ):
            errors.setdefault("occupation", []).append(
                _("この記事は医療・看護職のみに公開されているため、この職種には依頼できません。")
            )
    if due_on is None:
        errors.setdefault("due_on", []).append(_("期限を入力してください。"))
    elif due_on < timezone.localdate():
        errors.setdefault("due_on", []).append(_("期限に過去の日付は指定できません。"))
    if errors:
        raise ValidationError(errors)
    care_request = CareRequest(
        post=post,
        resident=resident,
        assignee=assignee,
        assignee_occupation=occupation,
        due_on=due_on,
    )
    care_request.full_clean()
    care_request.save()
    audit_record(
        action=Action.REQUEST_CREATE,
        actor=actor,
        request=http_request,
        network_id=resident.network_id,
        target=care_request,
        resident_uuid=resident.uuid,
        detail={"post": str(post.uuid)},
    )
    notify(
        users=recipients,
        kind=Kind.REQUEST_ASSIGNED,
        url=post_url(post),
        resident_uuid=resident.uuid,
        target_uuid=care_request.uuid,
        urgent=post.urgent,
        exclude=actor,
    )
    publish_on_commit(
        resident_group(resident.uuid), {"type": "request.changed", "id": str(post.uuid)}
    )
    return care_request


def may_move_request(actor, care_request: CareRequest) -> bool:
    """Only those asked move a request: the named assignee, or an active team member holding
    the requested occupation. One query."""
    members = _active_members(care_request.resident_id).filter(user=actor)
    if care_request.assignee_id:
        return care_request.assignee_id == actor.pk and members.exists()
    return members.filter(user__occupations=care_request.assignee_occupation_id).exists()


@transaction.atomic
def care_request_transition(
    *, actor, request: CareRequest, to: str, note: str = "", http_request=None
) -> CareRequest:
    """Move `request` 依頼 → 受領 → 完了, or to 差戻し (from 依頼 or 受領, with a reason).

    Raises PermissionDenied unless `actor` is asked by it (`may_move_request`), and
    ValidationError for an unknown state, a move the lifecycle does not allow (e.g. 完了 →
    受領), a 差戻し without a reason, or a note over 300 characters. Audits REQUEST_STATUS
    (from/to), notifies the requester (the post's author, `request_updated`) while they are
    on the team, pushes `request.changed` (id: the post).
    """
    care_request = (
        CareRequest.objects.select_for_update()
        .select_related("post", "resident")
        .get(pk=request.pk)
    )
    if not may_move_request(actor, care_request):
        raise PermissionDenied(_("この依頼の状態を変更できるのは依頼先の方だけです。"))
    _live(care_request.post)
    if to not in CareRequest.Status.values:
        raise ValidationError(_("依頼の状態が正しくありません。"))
    current = CareRequest.Status(care_request.status)
    target = CareRequest.Status(to)
    if target not in TRANSITIONS.get(current, set()):
        raise ValidationError(
            _("「%(current)s」の依頼を「%(target)s」にすることはできません。")
            % {"current": current.label, "target": target.label}
        )
    note = (note or "").strip()
    if target == CareRequest.Status.RETURNED and not note:
        raise ValidationError({"note": _("差戻しの理由を入力してください。")})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": _("メモは%(max)d文字以内で入力してください。") % {"max": NOTE_MAX_LENGTH}}
        )
    care_request.status = target
    care_request.status_changed_at = timezone.now()
    care_request.status_changed_by = actor
    care_request.status_note = note
    care_request.full_clean()
    care_request.save(
        update_fields=[
            "status",
            "status_changed_at",
            "status_changed_by",
            "status_note",
            "updated_at",
        ]
    )
    resident = care_request.resident
    audit_record(
        action=Action.REQUEST_STATUS,
        actor=actor,
        request=http_request,
        network_id=resident.network_id,
        target=care_request,
        resident_uuid=resident.uuid,
        detail={"post": str(care_request.post.uuid), "from": current.value, "to": target.value},
    )
    requester_id = care_request.post.author_id
    if requester_id != actor.pk and _active_members(resident).filter(user_id=requester_id).exists():
        notify(
            users=[User(pk=requester_id)],
            kind=Kind.REQUEST_UPDATED,
            url=post_url(care_request.post),
            resident_uuid=resident.uuid,
            target_uuid=care_request.post.uuid,
        )
    publish_on_commit(
        resident_group(resident.uuid),
        {"type": "request.changed", "id": str(care_request.post.uuid)},
    )
    request.status = care_request.status
    request.status_changed_at = care_request.status_changed_at
    request.status_changed_by = actor
    request.status_note = note
    return care_request


def care_requests_notify_overdue(*, today: datetime.date | None = None) -> int:
    """Notify once (`request_overdue`) the people asked by, and the author of, each open
    request past its due date (due before `today`, local date). "Once": a request with a
    `request_overdue` notification already is skipped. Returns the number of requests
    notified. Four queries plus one insert per request notified; run daily by
    timeline.tasks, never on a request path."""
    today = today or timezone.localdate()
    overdue = list(
        CareRequest.objects.filter(
            status__in=OPEN_STATUSES,
            due_on__lt=today,
            post__retracted_at__isnull=True,
            resident__archived_at__isnull=True,
        )
        .exclude(
            Exists(
                Notification.objects.filter(kind=Kind.REQUEST_OVERDUE, target_uuid=OuterRef("uuid"))
            )
        )
        .select_related("post", "post__author", "resident", "assignee")
        .order_by("id")
    )
    if not overdue:
        return 0
    members: dict[int, list] = {}
    for member in (
        CareTeamMember.objects.active()
        .filter(resident_id__in={r.resident_id for r in overdue}, user__is_active=True)
        .select_related("user")
        .prefetch_related("user__occupations")
    ):
        members.setdefault(member.resident_id, []).append(member.user)
    notified = 0
    for care_request in overdue:
        team = members.get(care_request.resident_id, [])
        if care_request.assignee_id:
            asked = [u for u in team if u.pk == care_request.assignee_id]
        else:
            asked = [
                u
                for u in team
                if any(o.pk == care_request.assignee_occupation_id for o in u.occupations.all())
            ]
        requester = [u for u in team if u.pk == care_request.post.author_id]
        users = asked + requester
        if care_request.post.visibility == Visibility.MEDICAL:
            users = [
                u
                for u in users
                if any(o.category == Occupation.Category.MEDICAL for o in u.occupations.all())
            ]
        if not users:
            continue
        notify(
            users=users,
            kind=Kind.REQUEST_OVERDUE,
            url=post_url(care_request.post),
            resident_uuid=care_request.resident.uuid,
            target_uuid=care_request.uuid,
        )
        notified += 1
    return notified


# --- Reads for the dashboard and the post footer ------------------------------------------


def _my_occupations(user) -> QuerySet:
    return User.occupations.through.objects.filter(user_id=user.pk).values("occupation_id")


def _timeline_open_residents(user) -> QuerySet[Resident]:
    """Residents on `user`'s teams whose timeline is open to them (team-sharing consent)."""
    return residents_on_my_teams(user).filter(Exists(_consent_in_force("pk")))


def _post_visibility_q(user, prefix: str) -> Q:
    return ~Q(**{f"{prefix}visibility": Visibility.MEDICAL}) | Q(Exists(_medical_occupation(user)))


def requests_for_me(user, *, limit: int = DASHBOARD_REQUESTS) -> list[CareRequest]:
    """Open requests asking `user` (by name, or by an occupation of theirs) on residents of
    their teams whose timeline is open to them, on live posts they may see; due first
    (overdue ones on top). With post, requester, resident, assignee and occupation: one
    query."""
    return list(
        CareRequest.objects.filter(
            status__in=OPEN_STATUSES,
            resident__in=_timeline_open_residents(user),
            post__retracted_at__isnull=True,
        )
        .filter(
            Q(assignee_id=user.pk)
            | Q(assignee__isnull=True, assignee_occupation__in=_my_occupations(user))
        )
        .filter(_post_visibility_q(user, "post__"))
        .select_related("post", "post__author", "resident", "assignee", "assignee_occupation")
        .order_by("due_on", "id")[:limit]
    )


def urgent_unacknowledged(user, *, limit: int = DASHBOARD_URGENT) -> list[Post]:
    """Urgent (緊急) live posts of the last URGENT_WINDOW on residents of `user`'s teams, that
    they may see, did not write and have not acknowledged; newest first. With resident and
    author: one query."""
    return list(
        Post.objects.filter(
            resident__in=_timeline_open_residents(user),
            urgent=True,
            retracted_at__isnull=True,
            created_at__gte=timezone.now() - URGENT_WINDOW,
        )
        .exclude(author_id=user.pk)
        .filter(visibility_q(user))
        .exclude(Exists(Acknowledgement.objects.filter(post=OuterRef("pk"), user_id=user.pk)))
        .select_related("resident", "author")
        .order_by("-id")[:limit]
    )


def with_interactions(posts: QuerySet[Post], user) -> QuerySet[Post]:
    """What `_post_footer.html` shows, for a page of posts, at a fixed cost: annotations
    `reader_count`, `i_read`, `i_acked`, `i_am_member` (may comment and acknowledge),
    `may_move_request`, `request_overdue`; the request with its assignee and
    occupation joined; `ack_list` (with users) and `comment_list` (live, with authors)
    prefetched. Two queries more than the posts' own, whatever the page size."""
    reader_count = (
        ReadReceipt.objects.filter(post=OuterRef("pk"))
        .order_by()
        .values("post")
        .annotate(n=Count("id"))
        .values("n")
    )
    on_team = CareTeamMember.objects.active().filter(resident=OuterRef("resident"), user=user)
    asked = (
        CareRequest.objects.filter(post=OuterRef("pk"))
        .filter(
            Q(assignee_id=user.pk)
            | Q(assignee__isnull=True, assignee_occupation__in=_my_occupations(user))
        )
        .filter(Exists(on_team))
    )
    return (
        posts.annotate(
            reader_count=Coalesce(Subquery(reader_count, output_field=IntegerField()), 0),
            i_read=Exists(ReadReceipt.objects.filter(post=OuterRef("pk"), user_id=user.pk)),
            i_acked=Exists(Acknowledgement.objects.filter(post=OuterRef("pk"), user_id=user.pk)),
            may_move_request=Exists(asked),
            i_am_member=Exists(on_team),
            request_overdue=Exists(
                CareRequest.objects.filter(
                    post=OuterRef("pk"), status__in=OPEN_STATUSES, due_on__lt=timezone.localdate()
                )
            ),
        )
        .select_related(
            "care_request", "care_request__assignee", "care_request__assignee_occupation"
        )
        .prefetch_related(
            Prefetch(
                "acknowledgements",
                queryset=Acknowledgement.objects.select_related("user").order_by(
                    "acknowledged_at", "id"
                ),
                to_attr="ack_list",
            ),
            Prefetch(
                "comments",
                queryset=Comment.objects.filter(retracted_at__isnull=True)
                .select_related("author")
                .order_by("id"),
                to_attr="comment_list",
            ),
        )
    )


@dataclass(frozen=True)
class RequestState:
    """A state button of the request box: the target state and its label."""

    value: str
    label: str


def next_states(care_request: CareRequest) -> list[RequestState]:
    current = CareRequest.Status(care_request.status)
    order = [CareRequest.Status.ACCEPTED, CareRequest.Status.DONE, CareRequest.Status.RETURNED]
    allowed = TRANSITIONS.get(current, set())
    return [RequestState(s.value, s.label) for s in order if s in allowed]


def post_with_interactions(access, post: Post) -> Post:
    """`post` reloaded with what its footer shows (see `with_interactions`), resident and
    author attached. Three queries."""
    reloaded = (
        with_interactions(Post.objects.filter(pk=post.pk), access.user)
        .select_related("author")
        .get()
    )
    reloaded.resident = access.resident
    return reloaded


def request_of(post: Post) -> CareRequest | None:
    """The request a post carries, with its assignee and occupation, or None. One query."""
    return (
        CareRequest.objects.filter(post=post)
        .select_related("assignee", "assignee_occupation")
        .first()
    )


def team_users(access) -> list:
    """Active accounts on the resident's team, by kana (the choices of a request). One
    query."""
    return list(
        User.objects.filter(
            is_active=True,
            team_memberships__resident=access.resident,
            team_memberships__status=CareTeamMember.Status.ACTIVE,
        )
        .distinct()
        .order_by("name_kana", "id")
    )


def user_by_uuid(value) -> User | None:
    """An active account by UUID (a request's assignee as posted), or None. One query."""
    return User.objects.filter(uuid=value, is_active=True).first()


def visible_post(access, post_uuid) -> Post:
    """One post of `access.resident` the reader may see, or Http404. One query."""
    try:
        parsed = uuid.UUID(str(post_uuid))
    except (TypeError, ValueError, AttributeError):
        raise Http404
    post = visible_posts(access).filter(uuid=parsed).first()
    if post is None:
        raise Http404
    return post
