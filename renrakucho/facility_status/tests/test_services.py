"""The rules of a report, the history and the pointer, the operator's request and reminder."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.facilities.models import Affiliation
from renrakucho.facility_status import selectors, services
from renrakucho.facility_status.access import access_facility
from renrakucho.facility_status.models import CurrentStatus, FacilityStatus, StatusRequest
from renrakucho.notices.models import Notice, NoticeRecipient
from renrakucho.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


def test_every_update_is_a_new_row_and_the_current_one_is_the_latest(personas, report):
    first = report(
        personas.nurse, personas.nursing_a, supplies={"masks": "enough"}, notes="PCR検査 実施可"
    )
    second = report(
        personas.nurse,
        personas.nursing_a,
        "restricted",
        restrictions=["short_stay", "new_clients", "new_clients"],
        restriction_note="2週間程度",
    )
    assert FacilityStatus.objects.filter(facility=personas.nursing_a).count() == 2
    first.refresh_from_db()
    assert first.status == "normal" and first.masks == "enough" and first.notes == "PCR検査 実施可"
    current = CurrentStatus.objects.get(facility=personas.nursing_a)
    assert current.entry_id == second.pk
    # Deduplicated, in the order of the choices; supplies not given are 未回答.
    assert second.restrictions == ["new_clients", "short_stay"]
    assert second.masks == "unknown"
    assert second.restriction_labels == ["新規利用者の受入", "ショートステイ"]
    page = selectors.history(personas.nursing_a)
    assert [e.pk for e in page.items] == [second.pk, first.pk]


def test_normal_drops_the_fields_of_other_statuses(personas, report):
    entry = report(
        personas.nurse,
        personas.nursing_a,
        "normal",
        restrictions=["short_stay"],
        reason="職員の感染",
        expected_reopening=timezone.localdate(),
    )
    assert entry.restrictions == [] and entry.reason == "" and entry.expected_reopening is None


@pytest.mark.parametrize(
    ("status", "fields", "field", "message"),
    [
        ("restricted", {}, "restrictions", "受入制限の場合は、制限している内容を1つ以上選んでください。"),
        ("restricted", {"restrictions": ["other"]}, "restriction_note", "「その他」を選んだ場合は、制限の内容を入力してください。"),
        ("restricted", {"restrictions": ["spa"]}, "restrictions", "制限している内容の指定が正しくありません。"),
        ("suspended", {}, "reason", "休止・閉鎖の場合は、理由を入力してください。"),
        ("closed", {"reason": "  "}, "reason", "休止・閉鎖の場合は、理由を入力してください。"),
        ("suspended", {"reason": "感染", "expected_reopening": datetime.date(2020, 1, 1)}, "expected_reopening", "再開予定日は今日以降の日付を入力してください。"),
        ("normal", {"supplies": {"masks": "plenty"}}, "masks", "物資の状況は「十分」「少ない」「不足」「未回答」から選んでください。"),
        ("normal", {"supplies": {"soap": "enough"}}, "supplies", "物資の種類の指定が正しくありません。"),
        ("open", {}, "status", "運営状況を選んでください。"),
    ],
)  # fmt: skip
def test_invalid_reports_are_refused_in_japanese(personas, report, status, fields, field, message):
    with pytest.raises(ValidationError) as caught:
        report(personas.nurse, personas.nursing_a, status, **fields)
    assert caught.value.message_dict[field] == [message]
    assert not FacilityStatus.objects.exists() and not AuditEvent.objects.exists()


def test_update_is_audited_without_free_text(personas, report):
    entry = report(personas.nurse, personas.nursing_a, "suspended", reason="職員の感染")
    event = AuditEvent.objects.get()
    assert event.action == Action.FACILITY_STATUS and event.actor == personas.nurse
    assert event.network_id == personas.net_a.pk and event.target_id == str(entry.uuid)
    assert event.detail == {"facility": str(personas.nursing_a.uuid), "status": "suspended"}


def test_any_active_staff_member_may_update_but_nobody_else(personas, report):
    # The pharmacist is not an admin of the pharmacy: staff is enough.
    assert report(personas.pharmacist, personas.pharmacy_a).updated_by == personas.pharmacist
    for user in (personas.pharmacist, personas.operator_a):
        with pytest.raises(PermissionDenied):
            access_facility(user, personas.nursing_a.uuid, write=True)
    for user in (personas.nurse_b, personas.operator_c):
        with pytest.raises(Http404):
            access_facility(user, personas.nursing_a.uuid)
    Affiliation.objects.filter(user=personas.nurse).update(status="ended")
    with pytest.raises(Http404):  # no longer in Network A at all
        access_facility(personas.nurse, personas.nursing_a.uuid)


def test_request_publishes_a_notice_and_notifies_each_facilitys_admins(personas):
    status_request = services.status_request_create(
        actor=personas.operator_a, network=personas.net_a, message="感染拡大に伴うお願いです。"
    )
    notice = status_request.notice
    assert notice.title == "事業所の運営状況の更新のお願い"
    assert notice.body.startswith("感染拡大に伴うお願いです。")
    assert "/facility-status/?network=ina" in notice.body
    # The notice goes to every registered user of Network A.
    assert set(NoticeRecipient.objects.filter(notice=notice).values_list("user", flat=True)) == {
        u.pk
        for u in (personas.doctor, personas.nurse, personas.caremanager, personas.pharmacist,
                  personas.operator_a)
    }  # fmt: skip
    asked = Notification.objects.filter(kind=Kind.FACILITY_STATUS_REQUEST)
    # Admins of the clinic, the nursing station and the care office; the pharmacy has no
    # admin, so its staff; not the operator who asked.
    assert set(asked.values_list("user", flat=True)) == {
        personas.doctor.pk, personas.nurse.pk, personas.caremanager.pk, personas.pharmacist.pk
    }  # fmt: skip
    assert {n.url for n in asked} == {"/facility-status/?network=ina"}
    assert status_request.facility_count == 5
    event = AuditEvent.objects.get(action=Action.FACILITY_STATUS_REQUEST)
    assert event.target_id == str(status_request.uuid) and event.network_id == personas.net_a.pk
    assert event.detail == {
        "facilities": 5, "notified": 4, "notice": str(notice.uuid), "reminder": False
    }  # fmt: skip
    assert AuditEvent.objects.filter(action=Action.NOTICE_PUBLISH).count() == 1


def test_only_the_networks_operator_may_request(personas):
    for user, network in [
        (personas.nurse, personas.net_a),
        (personas.operator_c, personas.net_a),
        (personas.operator_a, personas.net_b),
    ]:
        with pytest.raises(PermissionDenied):
            services.status_request_create(actor=user, network=network)
    assert not StatusRequest.objects.exists() and not Notice.objects.exists()


def test_reminder_goes_to_facilities_not_updated_since(personas, report):
    report(personas.nurse, personas.nursing_a)  # before the request: still pending
    status_request = services.status_request_create(
        actor=personas.operator_a, network=personas.net_a
    )
    report(personas.doctor, personas.clinic_a)
    report(personas.operator_a, personas.city_hall_a)
    Notification.objects.all().delete()
    count = services.status_request_remind(actor=personas.operator_a, status_request=status_request)
    assert count == 3  # nursing, care office, pharmacy
    asked = Notification.objects.filter(kind=Kind.FACILITY_STATUS_REQUEST)
    assert set(asked.values_list("user", flat=True)) == {
        personas.nurse.pk, personas.caremanager.pk, personas.pharmacist.pk
    }  # fmt: skip
    status_request.refresh_from_db()
    assert status_request.reminder_count == 1 and status_request.reminded_at is not None
    event = AuditEvent.objects.filter(action=Action.FACILITY_STATUS_REQUEST).latest("id")
    assert event.detail == {"facilities": 3, "notified": 3, "reminder": True}
    progress = selectors.latest_request(personas.net_a)
    assert (progress.facilities, progress.updated, progress.pending) == (5, 2, 3)


def test_reminder_when_everyone_updated(personas, report):
    status_request = services.status_request_create(
        actor=personas.operator_a, network=personas.net_a
    )
    for user, facility in [
        (personas.doctor, personas.clinic_a), (personas.nurse, personas.nursing_a),
        (personas.caremanager, personas.care_office_a), (personas.pharmacist, personas.pharmacy_a),
        (personas.operator_a, personas.city_hall_a),
    ]:  # fmt: skip
        report(user, facility)
    with pytest.raises(ValidationError) as caught:
        services.status_request_remind(actor=personas.operator_a, status_request=status_request)
    assert caught.value.messages == ["すべての事業所が依頼の後に運営状況を更新しています。"]
    with pytest.raises(PermissionDenied):
        services.status_request_remind(actor=personas.nurse, status_request=status_request)


def test_board_filters(personas, report):
    report(personas.nurse, personas.nursing_a, "restricted", restrictions=["new_clients"])
    report(personas.doctor, personas.clinic_a, supplies={"masks": "short"})
    report(personas.caremanager, personas.care_office_a, supplies={"gloves": "enough"})
    by = selectors.BoardFilters.from_query

    def names(query):
        return [f.name for f in selectors.board(personas.net_a, by(query))]

    assert len(names({})) == 5
    assert names({"status": "restricted"}) == ["いーな訪問看護ステーション"]
    assert names({"shortage": "1"}) == ["いーなクリニック"]
    assert names({"type": "clinic"}) == ["いーなクリニック"]
    assert sorted(names({"status": "none"})) == ["いーな薬局", "伊那市 保健福祉部"]
    assert len(names({"status": "bogus", "type": "bogus"})) == 5  # unknown values ignored
    assert selectors.status_counts(personas.net_a) == {
        "normal": 2, "restricted": 1, "suspended": 0, "closed": 0, "none": 2
    }  # fmt: skip


def test_a_user_suspended_in_the_network_reaches_nothing(personas, report):
    from renrakucho.networks.models import Suspension

    report(personas.nurse, personas.nursing_a)
    Suspension.objects.create(
        network=personas.net_a,
        user=personas.nurse,
        reason="調査中",
        suspended_by=personas.operator_a,
    )
    with pytest.raises(Http404):
        access_facility(personas.nurse, personas.nursing_a.uuid)
    # Nor is a suspended staff member asked to update.
    services.status_request_create(actor=personas.operator_a, network=personas.net_a)
    asked = Notification.objects.filter(kind=Kind.FACILITY_STATUS_REQUEST)
    assert personas.nurse.pk not in set(asked.values_list("user", flat=True))
