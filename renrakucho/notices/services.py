"""Writes on notices: publish, open (read), confirm, remind.

Publishing resolves the recipients once and writes their inbox rows with `bulk_create` in
batches (one INSERT per batch), then one `notify()` call for all of them (which writes the
notification rows in one statement too). Errors a person can fix are ValidationError in
Japanese; acting outside the operated Networks is PermissionDenied.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from renrakucho.accounts.models import User
from renrakucho.audit.models import Action
from renrakucho.audit.services import audit_record
from renrakucho.facilities.models import FacilityType
from renrakucho.networks.models import Network
from renrakucho.notifications.models import Kind
from renrakucho.notifications.services import notify

from .models import Notice, NoticeAttachment, NoticeRecipient
from .selectors import Segment, segment_recipients

INSERT_BATCH = 500
MAX_ATTACHMENTS = 10


def notice_url(notice: Notice) -> str:
    return reverse("notices:detail", kwargs={"notice_uuid": notice.uuid})


def _check_operator(actor, network: Network) -> None:
    if network.pk not in actor.operated_network_ids():
        raise PermissionDenied


def _check_segment(network: Network, segment: Segment) -> None:
    unknown = set(segment.facility_types) - set(FacilityType.values)
    if unknown:
        raise ValidationError({"facility_types": _("事業所の種別の指定が正しくありません。")})
    if any(f.network_id != network.pk for f in segment.facilities):
        raise ValidationError(
            {"facilities": _("選択したネットワークに属していない事業所が含まれています。")}
        )


@transaction.atomic
def notice_publish(
    *,
    actor,
    network: Network,
    title: str,
    body: str,
    confirmation_required: bool = False,
    segment: Segment | None = None,
    attachments: Sequence = (),
    request=None,
) -> Notice:
    """Publish a notice to `segment` (everyone registered in `network` when empty).

    `attachments` are files already content-checked as PDF (files.uploads.check_upload),
    each with `content_type` and an `original_name` attribute for display. Recipients are
    resolved once: an inbox row each (with the facility they were reached through), and one
    notification each (not for the actor). Audited NOTICE_PUBLISH with the recipient count
    and the segment (occupation codes, facility types and UUIDs).

    Raises PermissionDenied unless `actor` operates `network`; ValidationError for a missing
    title or body, too many files, a segment outside the Network, or a segment that reaches
    nobody (nothing is saved then).
    """
    _check_operator(actor, network)
    segment = segment or Segment()
    _check_segment(network, segment)
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": _("添付できるファイルは%(n)d件までです。") % {"n": MAX_ATTACHMENTS}}
        )
    notice = Notice(
        network=network,
        title=(title or "").strip(),
        body=(body or "").strip(),
        confirmation_required=confirmation_required,
        facility_types=list(segment.facility_types),
        published_by=actor,
        published_at=timezone.now(),
    )
    try:
        notice.full_clean()
    except ValidationError as error:
        raise ValidationError(_japanese_required(error))
    recipients = segment_recipients(network, segment)
    if not recipients:
        raise ValidationError(
            _("配信先の条件に当てはまる利用者がいません。条件を見直してください。"),
            code="no_recipients",
        )
    notice.recipient_count = len(recipients)
    notice.save()
    if segment.occupations:
        notice.occupations.set(segment.occupations)
    if segment.facilities:
        notice.facilities.set(segment.facilities)
    for upload in attachments:
        NoticeAttachment.objects.create(
            notice=notice,
            file=upload,
            filename=_display_name(getattr(upload, "original_name", "") or upload.name),
            content_type=upload.content_type,
            size=upload.size,
        )
    NoticeRecipient.objects.bulk_create(
        [NoticeRecipient(notice=notice, user=user, facility_id=f) for user, f in recipients],
        batch_size=INSERT_BATCH,
    )
    notify(
        users=[user for user, _facility in recipients],
        kind=Kind.NOTICE,
        url=notice_url(notice),
        target_uuid=notice.uuid,
        exclude=actor,
    )
    audit_record(
        action=Action.NOTICE_PUBLISH,
        actor=actor,
        request=request,
        network_id=network.pk,
        target=notice,
        detail={
            "recipients": len(recipients),
            "confirmation_required": confirmation_required,
            "occupations": sorted(o.code for o in segment.occupations),
            "facility_types": sorted(segment.facility_types),
            "facilities": sorted(str(f.uuid) for f in segment.facilities),
            "attachments": len(attachments),
        },
    )
    return notice


def _japanese_required(error: ValidationError) -> dict:
    messages = {
        "title": _("件名を入力してください。"),
        "body": _("本文を入力してください。"),
    }
    result = {}
    for name, errors in error.message_dict.items():
        blank = any(e.code in {"blank", "required"} for e in error.error_dict.get(name, []))
        result[name] = [messages[name]] if blank and name in messages else errors
    return result


def _display_name(name: str) -> str:
    """The last path component of an uploaded file's name, trimmed to fit."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "notice.pdf"
    if len(base) > 200:
        stem, _dot, extension = base.rpartition(".")
        base = f"{stem[: 195 - len(extension)]}.{extension}" if stem else base[:200]
    return base


def notice_open(*, user, recipient: NoticeRecipient) -> None:
    """Mark the notice read for its recipient (first opening only). One UPDATE."""
    if recipient.user_id != user.pk:
        raise PermissionDenied
    if recipient.read_at is None:
        now = timezone.now()
        NoticeRecipient.objects.filter(pk=recipient.pk, read_at__isnull=True).update(read_at=now)
        recipient.read_at = now


@transaction.atomic
def notice_confirm(*, user, recipient: NoticeRecipient) -> NoticeRecipient:
    """「確認しました」 for a 確認必須 notice (read as well). Confirming twice keeps the first
    time. ValidationError when the notice does not ask for confirmation."""
    if recipient.user_id != user.pk:
        raise PermissionDenied
    if not recipient.notice.confirmation_required:
        raise ValidationError(_("このお知らせは確認の登録を必要としていません。"))
    if recipient.confirmed_at is None:
        now = timezone.now()
        recipient.confirmed_at = now
        recipient.read_at = recipient.read_at or now
        recipient.save(update_fields=["confirmed_at", "read_at"])
    return recipient


@transaction.atomic
def notice_remind(*, actor, notice: Notice, request=None) -> int:
    """Notify again everyone the notice still waits for (unread; for 確認必須 also
    unconfirmed; not the actor) and stamp their `reminded_at`. Returns how many were
    reminded.

    Three statements whatever their number: the pending users, one UPDATE, one notification
    INSERT (plus the audit row, NOTICE_REMIND with the count). ValidationError when nobody is
    pending; PermissionDenied unless `actor` operates the notice's Network.
    """
    _check_operator(actor, notice.network)
    pending_rows = NoticeRecipient.objects.filter(notice=notice, read_at__isnull=True)
    if notice.confirmation_required:
        pending_rows = NoticeRecipient.objects.filter(notice=notice, confirmed_at__isnull=True)
    # The operator reminding is not reminded of their own notice.
    pending_rows = pending_rows.exclude(user=actor)
    users = list(
        User.objects.filter(notice_inbox__in=pending_rows).only("id", "uuid").order_by("id")
    )
    if not users:
        raise ValidationError(_("未読・未確認の利用者はいません。"), code="nobody_pending")
    pending_rows.update(reminded_at=timezone.now())
    notify(users=users, kind=Kind.NOTICE, url=notice_url(notice), target_uuid=notice.uuid)
    audit_record(
        action=Action.NOTICE_REMIND,
        actor=actor,
        request=request,
        network_id=notice.network_id,
        target=notice,
        detail={"reminded": len(users)},
    )
    return len(users)
