"""Load the demo timeline, medication/disease lists and notices (demo.timeline_data).

Everything is written through the real services — posting, uploads (content check, photo
re-encoding, thumbnails), comments, 了解, requests, read receipts, the lists, notices — as the
demo users, with `request=None`. The services write their audit rows and notifications as
they would for a person; the demo's audit chain therefore starts with these rows.

The services stamp everything "now"; afterwards the rows are re-dated over the last month
(`created_at` is auto_now_add, so with a queryset `.update()`), and notifications older than
the recent window are marked read, as if the team had been using the app.

Idempotent by natural keys: a resident's timeline is skipped when it has any post, the lists
when the resident has any medication/diagnosis, a notice when its Network has one with the
same title.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.utils import timezone

from renrakucho.core.dates import wareki
from renrakucho.files.uploads import PDF, check_upload
from renrakucho.networks.models import Network
from renrakucho.notices.models import Notice, NoticeRecipient
from renrakucho.notices.services import notice_confirm, notice_open, notice_publish
from renrakucho.notifications.models import Notification
from renrakucho.residents import medication_services
from renrakucho.residents.access import Permission, access_resident
from renrakucho.residents.models import CareTeamMember, Diagnosis, Medication, Resident
from renrakucho.timeline import interactions
from renrakucho.timeline.access import access_timeline, is_medical
from renrakucho.timeline.models import (
    Acknowledgement,
    CareRequest,
    Comment,
    Post,
    PostVersion,
    ReadReceipt,
    VitalSigns,
)
from renrakucho.timeline.services import post_create, post_edit

from . import timeline_data as spec
from .files import one_page_pdf, wound_photo

HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)


def seed_timeline(users: dict, created: Counter) -> None:
    """Create whatever of the demo timeline data is missing (see the module docstring)."""
    now = timezone.now()
    moments: dict = {}  # uuid of a post / request / notice → when it "happened"
    first_notification = Notification.objects.aggregate(last=Max("id"))["last"] or 0
    for timeline in spec.TIMELINES:
        _seed_timeline(timeline, users, now, moments, created)
    _seed_lists(users, now, created)
    for notice in spec.NOTICES:
        _seed_notice(notice, users, now, moments, created)
    _date_notifications(first_notification, now, moments)


def _moment(when: spec.When, now: datetime.datetime) -> datetime.datetime:
    if isinstance(when, int):
        return now - when * HOUR
    days, clock = when
    hour, minute = (int(part) for part in clock.split(":"))
    local = timezone.localtime(now).replace(hour=hour, minute=minute, second=0, microsecond=0)
    # Today's clock times that are still ahead become "a little earlier".
    return min(local - datetime.timedelta(days=days), now - 30 * MINUTE)


def _before_now(moment: datetime.datetime, now: datetime.datetime) -> datetime.datetime:
    return min(moment, now - MINUTE)


def _resident(timeline: spec.TimelineSpec) -> Resident:
    # Seeding is an operator job with no user: the natural-key lookup is not an access path.
    return Resident.objects.get(network__slug=timeline.network, name=timeline.resident)


def _pdf_file(pdf: spec.PdfSpec, now: datetime.datetime) -> SimpleUploadedFile:
    today = timezone.localdate(now)
    dates = {"start": wareki(today), "end": wareki(today + datetime.timedelta(days=182))}
    lines = [line.format(**dates) for line in pdf.lines]
    return SimpleUploadedFile(
        pdf.filename, one_page_pdf(lines, title=lines[0]), content_type="application/pdf"
    )


# --- Timelines --------------------------------------------------------------------------------


def _seed_timeline(timeline, users, now, moments, created: Counter) -> None:
    resident = _resident(timeline)
    if Post.objects.filter(resident=resident).exists():
        return
    accesses: dict = {}

    def access_of(username):
        if username not in accesses:
            accesses[username] = access_timeline(users[username], resident.uuid)
        return accesses[username]

    posts: dict[str, Post] = {}
    when: dict[str, datetime.datetime] = {}
    ordered = sorted(timeline.posts, key=lambda p: _moment(p.when, now))
    for item in ordered:
        moment = _moment(item.when, now)
        files = []
        if item.photo:
            files.append(SimpleUploadedFile(item.photo, wound_photo(), content_type="image/jpeg"))
        if item.pdf:
            files.append(_pdf_file(item.pdf, now))
        visited_at = moment - 20 * MINUTE if item.kind == "visit" else None
        post = post_create(
            actor=users[item.author],
            access=access_of(item.author),
            kind=item.kind,
            body=item.body,
            visited_at=visited_at,
            vitals=item.vitals,
            visibility=item.visibility,
            urgent=item.urgent,
            files=files,
        )
        Post.objects.filter(pk=post.pk).update(created_at=moment, updated_at=moment)
        VitalSigns.objects.filter(post=post).update(measured_at=visited_at or moment)
        post.attachments.update(created_at=moment, updated_at=moment)
        post.created_at = moment
        posts[item.key], when[item.key] = post, moment
        moments[post.uuid] = moment
    created["posts"] += len(posts)

    # Who read what, and when: (user, post key) → time. Commenters and acknowledgers read
    # the post before they answered it.
    read: dict[tuple[str, str], datetime.datetime] = {}
    for comment in timeline.comments:
        post = posts[comment.post]
        at = _before_now(when[comment.post] + comment.minutes * MINUTE, now)
        interactions.comment_create(
            actor=users[comment.author], access=access_of(comment.author), post=post,
            body=comment.body,
        )  # fmt: skip
        Comment.objects.filter(post=post, author=users[comment.author], body=comment.body).update(
            created_at=at, updated_at=at
        )
        _read_before(read, comment.author, comment.post, at - 2 * MINUTE)
        created["comments"] += 1
    for ack in timeline.acks:
        at = _before_now(when[ack.post] + ack.minutes * MINUTE, now)
        interactions.post_acknowledge(
            actor=users[ack.user], access=access_of(ack.user), post=posts[ack.post]
        )
        Acknowledgement.objects.filter(post=posts[ack.post], user=users[ack.user]).update(
            acknowledged_at=at
        )
        _read_before(read, ack.user, ack.post, at - MINUTE)
        created["acknowledgements"] += 1
    for item in timeline.requests:
        _seed_request(item, posts, when, users, access_of, now, moments, read)
        created["requests"] += 1
    for edit in timeline.edits:
        at = _before_now(when[edit.post] + edit.minutes * MINUTE, now)
        post = Post.objects.get(pk=posts[edit.post].pk)
        author = users[posts[edit.post].author.username]
        post_edit(actor=author, access=access_of(author.username), post=post, body=edit.body)
        Post.objects.filter(pk=post.pk).update(edited_at=at, updated_at=at)
        PostVersion.objects.filter(post=post).update(created_at=at)
        created["post edits"] += 1
    created["read receipts"] += _seed_reads(timeline, resident, posts, when, users, now, read)


def _read_before(read: dict, username: str, key: str, at: datetime.datetime) -> None:
    previous = read.get((username, key))
    read[(username, key)] = at if previous is None else min(previous, at)


def _seed_request(item, posts, when, users, access_of, now, moments, read) -> None:
    post = posts[item.post]
    author = post.author.username
    today = timezone.localdate(now)
    care_request = interactions.care_request_create(
        actor=users[author],
        access=access_of(author),
        post=post,
        assignee=users[item.assignee],
        due_on=today + datetime.timedelta(days=max(item.due_in_days, 0)),
    )
    # A request already done had its due date in the past.
    CareRequest.objects.filter(pk=care_request.pk).update(
        due_on=today + datetime.timedelta(days=item.due_in_days),
        created_at=when[item.post],
        updated_at=when[item.post],
    )
    moments[care_request.uuid] = when[item.post]
    for status, minutes, note in item.moves:
        at = _before_now(when[item.post] + minutes * MINUTE, now)
        interactions.care_request_transition(
            actor=users[item.assignee], request=care_request, to=status, note=note
        )
        CareRequest.objects.filter(pk=care_request.pk).update(status_changed_at=at, updated_at=at)
        _read_before(read, item.assignee, item.post, at - MINUTE)


def _seed_reads(timeline, resident, posts, when, users, now, read) -> int:
    """Read receipts through `mark_read`, then dated: older posts were read by everyone on
    the team who may see them, within hours; recent ones only by `recent_readers`."""
    members = [
        m.user.username
        for m in CareTeamMember.objects.filter(
            resident=resident, status=CareTeamMember.Status.ACTIVE
        ).select_related("user")
    ]
    recent = now - timeline.recent_hours * HOUR
    for number, (key, post) in enumerate(posts.items()):
        for offset, username in enumerate(members):
            if username == post.author.username or (username, key) in read:
                continue
            if when[key] >= recent and username not in timeline.recent_readers:
                continue
            if post.visibility == "medical" and not is_medical(users[username]):
                continue
            delay = (10 + (number * 37 + offset * 53) % 420) * MINUTE
            read[(username, key)] = _before_now(when[key] + delay, now)
    by_user: dict[str, list[Post]] = defaultdict(list)
    for username, key in read:
        by_user[username].append(posts[key])
    for username, user_posts in by_user.items():
        interactions.mark_read(user=users[username], posts=user_posts)
    receipts = list(
        ReadReceipt.objects.filter(post__in=list(posts.values())).select_related("user", "post")
    )
    keys = {post.pk: key for key, post in posts.items()}
    for receipt in receipts:
        receipt.read_at = read[(receipt.user.username, keys[receipt.post_id])]
    ReadReceipt.objects.bulk_update(receipts, ["read_at"])
    return len(receipts)


# --- Medication and disease lists ---------------------------------------------------------------


def _seed_lists(users, now, created: Counter) -> None:
    resident = _resident(spec.YAMADA)
    actor = users[spec.MEDICATIONS_BY]
    access = access_resident(actor, resident.uuid, permission=Permission.EDIT_RESIDENT)
    if not Medication.objects.filter(resident=resident).exists():
        for item in spec.MEDICATIONS:
            fields = {"name": item.name, "dose": item.dose, "since": item.since}
            if item.note:
                fields["note"] = item.note
            if item.until:
                fields["until"] = item.until
            medication = medication_services.medication_add(
                actor=actor, access=access, fields=fields
            )
            created["medications"] += 1
            if item.changed:
                days, dose = item.changed
                at = now - datetime.timedelta(days=days)
                newer = medication_services.medication_edit(
                    actor=actor, access=access, medication=medication, fields={"dose": dose}
                )
                Medication.objects.filter(pk=medication.pk).update(superseded_at=at)
                Medication.objects.filter(pk=newer.pk).update(created_at=at, updated_at=at)
    if not Diagnosis.objects.filter(resident=resident).exists():
        for item in spec.DIAGNOSES:
            fields = {"name": item.name, "since": item.since}
            if item.note:
                fields["note"] = item.note
            medication_services.diagnosis_add(actor=actor, access=access, fields=fields)
            created["diagnoses"] += 1


# --- Notices ----------------------------------------------------------------------------------


def _seed_notice(item: spec.NoticeSpec, users, now, moments, created: Counter) -> None:
    network = Network.objects.get(slug=item.network)
    if Notice.objects.filter(network=network, title=item.title).exists():
        return
    attachments = []
    if item.pdf:
        upload = _pdf_file(item.pdf, now - datetime.timedelta(days=item.days_ago))
        checked = check_upload(upload, max_bytes=10 * 1024 * 1024, kinds=(PDF,))
        checked.original_name = item.pdf.filename
        attachments.append(checked)
    notice = notice_publish(
        actor=users[item.author],
        network=network,
        title=item.title,
        body=item.body,
        confirmation_required=item.confirmation_required,
        attachments=attachments,
    )
    published = now - datetime.timedelta(days=item.days_ago)
    Notice.objects.filter(pk=notice.pk).update(
        published_at=published, created_at=published, updated_at=published
    )
    moments[notice.uuid] = published
    for username, hours in item.read_by:
        recipient = NoticeRecipient.objects.select_related("notice").get(
            notice=notice, user=users[username]
        )
        notice_open(user=users[username], recipient=recipient)
        recipient.read_at = _before_now(published + hours * HOUR, now)
        recipient.save(update_fields=["read_at"])
    for username, hours in item.confirmed_by:
        recipient = NoticeRecipient.objects.select_related("notice").get(
            notice=notice, user=users[username]
        )
        notice_confirm(user=users[username], recipient=recipient)
        recipient.confirmed_at = _before_now(published + hours * HOUR, now)
        recipient.save(update_fields=["confirmed_at"])
    created["notices"] += 1


# --- Notifications ------------------------------------------------------------------------------


def _date_notifications(after_id: int, now, moments: dict) -> None:
    """Date the notifications this run wrote like what they announce; those older than three
    days were read a couple of hours later, the recent ones are still waiting."""
    recent = now - 72 * HOUR
    rows = list(Notification.objects.filter(id__gt=after_id, target_uuid__in=list(moments)))
    for row in rows:
        row.created_at = moments[row.target_uuid]
        row.read_at = row.created_at + 2 * HOUR if row.created_at < recent else None
    Notification.objects.bulk_update(rows, ["created_at", "read_at"])
