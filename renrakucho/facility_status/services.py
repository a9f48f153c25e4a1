"""Writes on operating status: a facility's new report, an operator's request to every
facility of the Network, and the reminder to those that have not updated since.

Errors a person can fix are ValidationError in Japanese (nothing is saved then); acting
without the right is PermissionDenied.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from renrakucho.audit.models import Action
from renrakucho.audit.services import audit_record
from renrakucho.facilities.models import Facility
from renrakucho.networks.models import Network
from renrakucho.notices.selectors import Segment
from renrakucho.notices.services import notice_publish
from renrakucho.notifications.models import Kind
from renrakucho.notifications.services import notify

from .access import FacilityAccess
from .models import (
    SUPPLIES,
    CurrentStatus,
    FacilityStatus,
    Restriction,
    StatusKind,
    StatusRequest,
    SupplyLevel,
)
from .selectors import not_updated_since, request_recipients


def board_url(network: Network) -> str:
    return f"{reverse('facility_status:board')}?network={network.slug}"


@transaction.atomic
def facility_status_update(
    *,
    actor,
    access: FacilityAccess,
    status: str,
    restrictions: Iterable[str] = (),
    restriction_note: str = "",
    reason: str = "",
    expected_reopening: datetime.date | None = None,
    supplies: dict[str, str] | None = None,
    notes: str = "",
    request=None,
) -> FacilityStatus:
    """Post a new report for the facility of `access` (a new history row; the previous ones
    stay as they were) and point the facility's current status at it.

    Fields that do not belong to `status` are emptied: a 通常 report has no restrictions,
    reason or reopening date, and only 受入制限 keeps restrictions. Supplies not given are
    未回答. Audited FACILITY_STATUS (the status and the facility's UUID; no free text).

    Raises PermissionDenied unless `actor` is on the facility's active staff (the access
    says so); ValidationError (Japanese, per field) for a 受入制限 without restrictions,
    「その他」 without its text, 休止/閉鎖 without a reason, a reopening date in the past, an
    unknown status, restriction or supply level.
    """
    if not access.can_update:
        raise PermissionDenied
    facility = access.facility
    # Serialise reports of one facility so the pointer always ends on the newest row.
    Facility.objects.select_for_update().filter(pk=facility.pk).values_list("pk").first()
    supplies = dict(supplies or {})
    unknown_supplies = set(supplies) - {name for name, _label in SUPPLIES}
    if unknown_supplies:
        raise ValidationError({"supplies": _("物資の種類の指定が正しくありません。")})
    restrictions = list(dict.fromkeys(restrictions or []))
    order = {value: i for i, value in enumerate(Restriction.values)}
    if status != StatusKind.RESTRICTED:
        restrictions, restriction_note = [], ""
    if status == StatusKind.NORMAL:
        reason, expected_reopening = "", None
    entry = FacilityStatus(
        facility=facility,
        status=status,
        restrictions=sorted(restrictions, key=lambda v: order.get(v, len(order))),
        restriction_note=(restriction_note or "").strip(),
        reason=(reason or "").strip(),
        expected_reopening=expected_reopening,
        notes=(notes or "").strip(),
        updated_by=actor,
        **{name: supplies.get(name) or SupplyLevel.UNKNOWN for name, _label in SUPPLIES},
    )
    try:
        entry.full_clean(exclude=["facility", "updated_by"])
    except ValidationError as error:
        raise ValidationError(_japanese(error))
    entry.save()
    CurrentStatus.objects.update_or_create(facility=facility, defaults={"entry": entry})
    audit_record(
        action=Action.FACILITY_STATUS,
        actor=actor,
        request=request,
        network_id=facility.network_id,
        target=entry,
        detail={"facility": str(facility.uuid), "status": entry.status},
    )
    return entry


def _japanese(error: ValidationError) -> dict:
    """Django's generic messages of full_clean (choices, blanks) in this app's words."""
    messages = {
        "status": _("運営状況を選んでください。"),
        "reason": _("理由は500文字以内で入力してください。"),
        "restriction_note": _("制限の内容は200文字以内で入力してください。"),
        "notes": _("備考は1000文字以内で入力してください。"),
    }
    supply_message = _("物資の状況は「十分」「少ない」「不足」「未回答」から選んでください。")
    result = {}
    for name, errors in error.error_dict.items():
        codes = {e.code for e in errors}
        if name in {n for n, _label in SUPPLIES} and codes & {"invalid_choice", "blank", "null"}:
            result[name] = [supply_message]
        elif name == "status" and codes & {"invalid_choice", "blank", "null", "required"}:
            result[name] = [messages["status"]]
        elif "max_length" in codes and name in messages:
            result[name] = [messages[name]]
        else:
            result[name] = [e for e in errors]
    return result


def _check_operator(actor, network: Network) -> None:
    if network.pk not in actor.operated_network_ids():
        raise PermissionDenied


@transaction.atomic
def status_request_create(
    *, actor, network: Network, message: str = "", request=None
) -> StatusRequest:
    """「全事業所に更新を依頼」: publish a notice to every registered user of `network`
    (notices.services.notice_publish, audited NOTICE_PUBLISH there) and notify each approved
    facility's admins (its whole active staff when it has no admin) with
    FACILITY_STATUS_REQUEST, linking to the board. Audited FACILITY_STATUS_REQUEST with the
    number of facilities and people notified.

    Raises PermissionDenied unless `actor` operates `network`; ValidationError when the
    Network has no approved facility or nobody to send the notice to."""
    _check_operator(actor, network)
    facilities = Facility.objects.filter(network=network, status=Facility.Status.APPROVED)
    facility_count = facilities.count()
    if not facility_count:
        raise ValidationError(_("このネットワークには承認済みの事業所がありません。"))
    url = board_url(network)
    body = "\n\n".join(
        part
        for part in [
            (message or "").strip(),
            _(
                "各事業所の運営状況（受入制限・休止、物資の状況など）を最新の内容に"
                "更新してください。事業所の職員であれば、どなたでも更新できます。"
            ),
            _("運営状況の画面: %(url)s") % {"url": url},
        ]
        if part
    )
    notice = notice_publish(
        actor=actor,
        network=network,
        title=_("事業所の運営状況の更新のお願い"),
        body=body,
        segment=Segment(),
        request=request,
    )
    status_request = StatusRequest.objects.create(
        network=network,
        requested_by=actor,
        requested_at=timezone.now(),
        notice=notice,
        facility_count=facility_count,
    )
    users = request_recipients(facilities)
    notify(
        users=users,
        kind=Kind.FACILITY_STATUS_REQUEST,
        url=url,
        target_uuid=status_request.uuid,
        exclude=actor,
    )
    audit_record(
        action=Action.FACILITY_STATUS_REQUEST,
        actor=actor,
        request=request,
        network_id=network.pk,
        target=status_request,
        detail={
            "facilities": facility_count,
            "notified": len({u.pk for u in users} - {actor.pk}),
            "notice": str(notice.uuid),
            "reminder": False,
        },
    )
    return status_request


@transaction.atomic
def status_request_remind(*, actor, status_request: StatusRequest, request=None) -> int:
    """「未更新の事業所に再依頼」: notify again (FACILITY_STATUS_REQUEST) the admins of each
    facility that has not posted a report since the request (its whole staff when it has no
    admin), and stamp the request. Returns the number of facilities reminded. Audited
    FACILITY_STATUS_REQUEST with `reminder: true`.

    Raises PermissionDenied unless `actor` operates the request's Network; ValidationError
    when every facility has updated since."""
    network = status_request.network
    _check_operator(actor, network)
    pending = not_updated_since(network, status_request.requested_at)
    facility_count = pending.count()
    if not facility_count:
        raise ValidationError(
            _("すべての事業所が依頼の後に運営状況を更新しています。"), code="nobody_pending"
        )
    users = request_recipients(pending)
    notify(
        users=users,
        kind=Kind.FACILITY_STATUS_REQUEST,
        url=board_url(network),
        target_uuid=status_request.uuid,
        exclude=actor,
    )
    status_request.reminded_at = timezone.now()
    status_request.reminder_count += 1
    status_request.save(update_fields=["reminded_at", "reminder_count", "updated_at"])
    audit_record(
        action=Action.FACILITY_STATUS_REQUEST,
        actor=actor,
        request=request,
        network_id=network.pk,
        target=status_request,
        detail={
            "facilities": facility_count,
            "notified": len({u.pk for u in users} - {actor.pk}),
            "reminder": True,
        },
    )
    return facility_count
