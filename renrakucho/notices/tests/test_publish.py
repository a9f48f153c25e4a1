"""Publishing: segment resolution, inbox rows in batches, one notify call, audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from renrakucho.accounts.models import Occupation
from renrakucho.audit.models import Action, AuditEvent
from renrakucho.facilities.models import Affiliation, Facility, FacilityType
from renrakucho.networks.models import Suspension
from renrakucho.notices.models import Notice, NoticeRecipient
from renrakucho.notices.selectors import Segment
from renrakucho.notifications.models import Notification
from renrakucho.testing.personas import make_facility, make_user


def recipients_of(notice) -> set[str]:
    return set(
        NoticeRecipient.objects.filter(notice=notice).values_list("user__username", flat=True)
    )


A_USERS = {"p-doctor", "p-nurse", "p-caremanager", "p-pharmacist", "p-operator-a"}


def test_everyone_registered_in_the_network(personas, publish):
    notice = publish()
    assert recipients_of(notice) == A_USERS
    assert notice.recipient_count == 5
    rows = {r.user.username: r for r in NoticeRecipient.objects.filter(notice=notice)}
    assert rows["p-nurse"].facility == personas.nursing_a
    assert rows["p-doctor"].facility == personas.clinic_a
    assert all(r.read_at is None and r.confirmed_at is None for r in rows.values())


def test_by_occupation(personas, publish):
    nurse = Occupation.objects.get(code="nurse")
    notice = publish(segment=Segment(occupations=(nurse,)))
    assert recipients_of(notice) == {"p-nurse"}  # not nurse_b: another Network


def test_by_facility_type(personas, publish):
    notice = publish(segment=Segment(facility_types=(FacilityType.PHARMACY,)))
    assert recipients_of(notice) == {"p-pharmacist"}


def test_by_named_facility(personas, publish):
    notice = publish(segment=Segment(facilities=(personas.clinic_a,)))
    assert recipients_of(notice) == {"p-doctor"}


def test_facility_types_and_named_facilities_add_up_occupations_narrow(personas, publish):
    notice = publish(
        segment=Segment(facility_types=(FacilityType.PHARMACY,), facilities=(personas.clinic_a,))
    )
    assert recipients_of(notice) == {"p-pharmacist", "p-doctor"}
    doctor = Occupation.objects.get(code="doctor")
    notice = publish(
        segment=Segment(
            occupations=(doctor,),
            facility_types=(FacilityType.PHARMACY,),
            facilities=(personas.clinic_a,),
        )
    )
    assert recipients_of(notice) == {"p-doctor"}


def test_a_segment_reaching_nobody_is_refused_in_japanese(personas, publish):
    doctor = Occupation.objects.get(code="doctor")
    with pytest.raises(ValidationError) as raised:
        publish(
            segment=Segment(occupations=(doctor,), facility_types=(FacilityType.VISITING_NURSING,))
        )
    assert raised.value.messages == [
        "配信先の条件に当てはまる利用者がいません。条件を見直してください。"
    ]
    assert not Notice.objects.exists() and not NoticeRecipient.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.NOTICE_PUBLISH).exists()


def test_only_people_who_may_act_in_the_network_now(personas, publish, more_staff):
    suspended, ended, inactive = more_staff(3)
    Suspension.objects.create(
        network=personas.net_a, user=suspended, reason="調査中", suspended_by=personas.operator_a
    )
    Affiliation.objects.filter(user=ended).update(status=Affiliation.Status.ENDED)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    pending_facility = make_facility(personas.net_a, "申請中の事業所", FacilityType.HOME_HELP)
    Facility.objects.filter(pk=pending_facility.pk).update(status=Facility.Status.PENDING)
    make_user("p-pending", "申請 中", "シンセイ チュウ", "home_helper", pending_facility)
    notice = publish()
    assert recipients_of(notice) == A_USERS


def test_someone_in_two_facilities_gets_one_row(personas, publish):
    Affiliation.objects.create(
        user=personas.nurse, facility=personas.care_office_a, status=Affiliation.Status.ACTIVE
    )
    notice = publish()
    rows = NoticeRecipient.objects.filter(notice=notice, user=personas.nurse)
    assert rows.count() == 1
    # The first matching facility by name.
    assert rows.get().facility == min(
        (personas.nursing_a, personas.care_office_a), key=lambda f: f.name
    )


def test_notifications_audit_and_the_actor(personas, publish):
    notice = publish(confirmation_required=True)
    notified = set(
        Notification.objects.filter(kind="notice", target_uuid=notice.uuid).values_list(
            "user__username", flat=True
        )
    )
    assert notified == A_USERS - {"p-operator-a"}  # the publisher is not notified
    assert all(
        n.url == f"/notices/{notice.uuid}/" for n in Notification.objects.filter(kind="notice")
    )
    # ...but has the notice in their inbox like everyone registered.
    assert NoticeRecipient.objects.filter(notice=notice, user=personas.operator_a).exists()
    event = AuditEvent.objects.filter(action=Action.NOTICE_PUBLISH).get()
    assert event.actor == personas.operator_a and event.network_id == personas.net_a.pk
    assert event.target_id == str(notice.uuid)
    assert event.detail["recipients"] == 5 and event.detail["confirmation_required"] is True
    assert "介護報酬" not in str(event.detail)


def test_only_an_operator_of_the_network_publishes(personas, publish):
    for actor in (personas.nurse, personas.operator_c):
        with pytest.raises(PermissionDenied):
            publish(actor=actor)
    suspended_operator = personas.operator_a
    Suspension.objects.create(
        network=personas.net_a, user=suspended_operator, reason="x", suspended_by=personas.doctor
    )
    with pytest.raises(PermissionDenied):
        publish()
    assert not Notice.objects.exists()


def test_facilities_of_another_network_are_refused(personas, publish):
    with pytest.raises(ValidationError) as raised:
        publish(segment=Segment(facilities=(personas.nursing_b,)))
    assert "選択したネットワークに属していない事業所" in raised.value.messages[0]


@pytest.mark.parametrize("field, message", [("title", "件名"), ("body", "本文")])
def test_title_and_body_are_required(personas, publish, field, message):
    with pytest.raises(ValidationError) as raised:
        publish(**{field: "  "})
    assert raised.value.message_dict[field] == [f"{message}を入力してください。"]
    assert not Notice.objects.exists()


def _publish_queries(publish, **kwargs) -> int:
    with CaptureQueriesContext(connection) as context:
        publish(**kwargs)
    return len(context.captured_queries)


def test_publish_query_count_does_not_grow_with_recipients(personas, publish, more_staff):
    publish()  # the audit chain's head row is created once
    small = _publish_queries(publish)  # 5 recipients
    more_staff(45)
    large = _publish_queries(publish)  # 50 recipients
    assert NoticeRecipient.objects.filter(notice=Notice.objects.first()).count() == 50
    assert Notification.objects.filter(kind="notice").count() == 4 * 2 + 49
    assert small == large
    # Savepoints (2), operator check (1), full_clean: Network, publisher, UUID (3),
    # recipients: users and their facilities (2), the notice (1), one INSERT of inbox rows,
    # notifications in one INSERT with its savepoints (3), the audit row (5): no query per
    # recipient.
    assert large <= 18


def test_inbox_rows_are_written_in_batches(personas, publish, more_staff, monkeypatch):
    from renrakucho.notices import services

    monkeypatch.setattr(services, "INSERT_BATCH", 10)
    more_staff(25)
    with CaptureQueriesContext(connection) as context:
        notice = publish()
    inserts = [
        q
        for q in context.captured_queries
        if q["sql"].startswith('INSERT INTO "notices_noticerecipient"')
    ]
    assert len(inserts) == 3  # 30 rows in batches of 10
    assert notice.recipients.count() == 30


def test_published_at_is_now(personas, publish):
    before = timezone.now()
    assert publish().published_at >= before
