import datetime

import pytest
from django.apps import apps
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone

from renrakucho.accounts.models import User
from renrakucho.audit.models import Action, AuditEvent
from renrakucho.audit.services import audit_verify
from renrakucho.demo import data, timeline_data
from renrakucho.notices.models import Notice, NoticeRecipient
from renrakucho.notifications.models import Notification
from renrakucho.residents.access import access_resident, residents_visible_to
from renrakucho.residents.models import CareTeamMember, Consent, Diagnosis, Medication, Resident
from renrakucho.timeline.models import (
    Acknowledgement,
    Attachment,
    CareRequest,
    Comment,
    Post,
    ReadReceipt,
    VitalSigns,
)

pytestmark = pytest.mark.django_db

SEEDED_APPS = {
    "networks",
    "accounts",
    "facilities",
    "residents",
    "audit",
    "timeline",
    "notices",
    "notifications",
    "groups",
    "chat",
    "facility_status",
    "meetings",
    "agreements",
}


def _counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in SEEDED_APPS
    }


def _yamada():
    return Resident.objects.get(name="山田 花子", network__slug="ina")


def test_seed_twice_changes_nothing():
    call_command("seed_demo", verbosity=0)
    first = _counts()
    stamps = sorted(Resident.objects.values_list("uuid", "updated_at"))
    posts = sorted(Post.objects.values_list("uuid", "updated_at", "created_at"))
    call_command("seed_demo", verbosity=0)
    assert _counts() == first
    assert sorted(Resident.objects.values_list("uuid", "updated_at")) == stamps
    assert sorted(Post.objects.values_list("uuid", "updated_at", "created_at")) == posts
    assert first["residents.Resident"] == len(data.RESIDENTS)
    assert first["accounts.User"] == len(data.USERS)
    # The month of posts, and the minutes of the past 担当者会議 shared to her timeline.
    assert first["timeline.Post"] == sum(len(t.posts) for t in timeline_data.TIMELINES) + 1
    assert first["notices.Notice"] == 2
    assert first["groups.Group"] == 3
    assert first["chat.Conversation"] == 1
    assert first["meetings.Meeting"] == 2
    assert first["facility_status.FacilityStatus"] >= 4
    assert first["agreements.Agreement"] == 1
    assert first["agreements.AgreementParty"] == 3
    # Only what the demo users wrote through the services is audited, as its demo authors;
    # the seed itself reads nobody's data.
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert actions <= {
        Action.POST_CREATE,
        Action.POST_EDIT,
        Action.COMMENT_CREATE,
        Action.POST_ACK,
        Action.REQUEST_CREATE,
        Action.REQUEST_STATUS,
        Action.MEDICATION_ADD,
        Action.MEDICATION_EDIT,
        Action.DIAGNOSIS_ADD,
        Action.NOTICE_PUBLISH,
        Action.GROUP_CREATE,
        Action.GROUP_JOIN,
        Action.GROUP_MEMBER,
        Action.THREAD_CREATE,
        Action.THREAD_UPDATE,
        Action.REPLY_CREATE,
        Action.CHAT_CREATE,
        Action.FACILITY_STATUS,
        Action.MEETING_CREATE,
        Action.MEETING_RESPOND,
        Action.MEETING_MINUTES,
        Action.AGREEMENT_PROPOSE,
        Action.AGREEMENT_ACCEPT,
        Action.AGREEMENT_INVITE,
    }
    assert not AuditEvent.objects.filter(actor__isnull=True).exists()
    assert audit_verify() == (first["audit.AuditEvent"], None)


def test_demo_team_of_yamada_hanako():
    call_command("seed_demo", verbosity=0)
    yamada = Resident.objects.get(name="山田 花子", network__slug="ina")
    team = {
        m.user.username: m
        for m in CareTeamMember.objects.filter(resident=yamada, status="active").select_related(
            "user"
        )
    }
    assert set(team) == {
        "demo-caremanager",
        "demo-doctor",
        "demo-nurse",
        "demo-pharmacist",
        "demo-helper",
    }
    assert team["demo-caremanager"].is_lead
    assert yamada.name_kana == "ヤマダ ハナコ"
    nurse = User.objects.get(username="demo-nurse")
    assert nurse.check_password(data.PASSWORD)
    assert nurse.can_log_in()
    assert access_resident(nurse, yamada.uuid).has_team_consent


def test_demo_logins_reach_what_the_readme_says():
    call_command("seed_demo", verbosity=0)
    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    assert set(users) == {username for username, _ in data.DEMO_LOGINS}
    assert all(user.can_log_in() for user in users.values())
    ina = Resident.objects.filter(network__slug="ina")
    # The operator sees every resident of 伊那市's Network and none of 南箕輪村's.
    assert set(residents_visible_to(users["demo-operator"])) == set(ina)
    assert not residents_visible_to(users["demo-outsider"]).exists()
    other_sees = residents_visible_to(users["demo-other"])
    assert other_sees.filter(network__slug="minamiminowa").exists()
    # Of 伊那市, only 田中 一郎, whose team she is on through the Agreement (広域連携).
    assert [r.name for r in other_sees.filter(network__slug="ina")] == ["田中 一郎"]


def test_demo_other_is_on_tanaka_ichiro_s_team_across_networks():
    call_command("seed_demo", verbosity=0)
    other = User.objects.get(username="demo-other")
    tanaka = Resident.objects.get(name="田中 一郎", network__slug="ina")
    assert tanaka.name_kana == "タナカ イチロウ" and tanaka.care_level == "care_2"
    assert tanaka.primary_doctor.username == "demo-doctor"
    assert tanaka.key_persons.exists()
    assert Consent.objects.in_force().filter(resident=tanaka, scope_cross_network=True).exists()
    team = {
        m.user.username: m
        for m in CareTeamMember.objects.filter(resident=tanaka).select_related("user")
    }
    assert set(team) == {"demo-caremanager", "demo-doctor", "demo-other"}
    assert team["demo-caremanager"].is_lead and team["demo-other"].role == "visiting_nurse"
    access = access_resident(other, tanaka.uuid)
    assert access.is_member and access.is_external and access.has_team_consent
    # Nothing else of 伊那市.
    others = Resident.objects.filter(network__slug="ina").exclude(pk=tanaka.pk)
    assert others.exists()
    for resident in others:
        with pytest.raises(Http404):
            access_resident(other, resident.uuid)
    # Her visit report is on his timeline, written from 南箕輪村; the rest by 伊那市's staff.
    posts = Post.objects.filter(resident=tanaka).select_related("author", "author_network")
    by_network = {(p.author.username, p.author_network.slug) for p in posts}
    assert ("demo-other", "minamiminowa") in by_network
    assert {slug for username, slug in by_network if username != "demo-other"} == {"ina"}
    assert posts.get(author=other).kind == "visit"


def test_demo_data_is_plausible():
    call_command("seed_demo", verbosity=0)
    for slug in ("ina", "minamiminowa"):
        assert Resident.objects.filter(network__slug=slug).count() >= 12
    assert Resident.objects.filter(medical_care_child=True).count() == 1
    without_consent = [
        r for r in Resident.objects.all() if not Consent.objects.in_force().filter(resident=r)
    ]
    assert 1 <= len(without_consent) <= 4
    leads = CareTeamMember.objects.filter(is_lead=True, status="active")
    assert leads.count() == Resident.objects.count()


def test_seed_restores_the_occupation_list_after_a_flush():
    # TransactionTestCase (the browser tests) empties every table, migration-seeded ones too.
    from renrakucho.accounts.models import Occupation

    expected = Occupation.objects.count()
    Occupation.objects.all().delete()
    call_command("seed_demo", verbosity=0)
    assert Occupation.objects.count() == expected >= 30
    assert User.objects.get(username="demo-doctor").occupations.get().name == "医師"


def test_yamada_hanako_has_a_month_of_timeline():
    call_command("seed_demo", verbosity=0)
    yamada = _yamada()
    posts = Post.objects.filter(resident=yamada)
    now = timezone.now()
    # About a month, from every demo professional on her team, in time order with the ids.
    assert posts.count() >= 30
    oldest = posts.order_by("created_at").first().created_at
    assert now - datetime.timedelta(days=31) < oldest < now - datetime.timedelta(days=25)
    assert posts.filter(created_at__gt=now).count() == 0
    assert list(posts.order_by("id").values_list("id", flat=True)) == list(
        posts.order_by("created_at").values_list("id", flat=True)
    )
    authors = set(posts.values_list("author__username", flat=True))
    assert authors == {
        "demo-caremanager",
        "demo-doctor",
        "demo-nurse",
        "demo-pharmacist",
        "demo-helper",
    }
    assert {"visit", "medication", "life", "report", "consultation"} <= set(
        posts.values_list("kind", flat=True)
    )
    # Visit reports with vitals, dated like their visit; one abnormal SpO2.
    vitals = VitalSigns.objects.filter(resident=yamada)
    assert vitals.count() >= 10
    assert not posts.filter(kind="visit", visited_at__isnull=True).exists()
    for row in vitals.select_related("post"):
        assert row.measured_at == (row.post.visited_at or row.post.created_at)
    abnormal = [row for row in vitals if row.abnormal]
    assert [row.abnormal for row in abnormal] == [["spo2"]]
    assert abnormal[0].spo2 < 90
    # A wound photo and a PDF, stored through the upload pipeline with previews.
    photo = Attachment.objects.get(resident=yamada, kind=Attachment.Kind.PHOTO)
    assert photo.content_type == "image/jpeg" and photo.thumbnail and photo.width
    assert photo.file.read(3) == b"\xff\xd8\xff"
    pdf = Attachment.objects.get(resident=yamada, kind=Attachment.Kind.PDF)
    assert pdf.content_type == "application/pdf" and pdf.thumbnail
    assert pdf.file.read(5) == b"%PDF-"
    # Comments, an open request to the doctor due in three days, one done.
    assert Comment.objects.filter(post__resident=yamada).count() >= 8
    open_request = CareRequest.objects.get(resident=yamada, status="requested")
    assert open_request.assignee.username == "demo-doctor"
    assert open_request.post.author.username == "demo-caremanager"
    assert open_request.due_on == timezone.localdate() + datetime.timedelta(days=3)
    assert CareRequest.objects.filter(resident=yamada, status="done").exists()
    # An urgent post the doctor acknowledged (了解).
    urgent = posts.get(urgent=True)
    assert Acknowledgement.objects.filter(post=urgent, user__username="demo-doctor").exists()
    # Read receipts, never by the author, never of a post before it was written; recent
    # posts still unread for the doctor.
    receipts = ReadReceipt.objects.filter(post__resident=yamada).select_related("post")
    assert receipts.count() >= 50
    assert all(r.user_id != r.post.author_id and r.read_at > r.post.created_at for r in receipts)
    doctor = User.objects.get(username="demo-doctor")
    assert posts.exclude(author=doctor).exclude(read_receipts__user=doctor).exists()
    # Medical-only posts are read only by medical staff.
    medical = posts.filter(visibility="medical")
    assert medical.exists()
    assert not ReadReceipt.objects.filter(
        post__in=medical, user__username__in=["demo-helper", "demo-caremanager"]
    ).exists()
    # An edited post keeps its previous version.
    assert posts.filter(version=2).count() == 1


def test_medication_and_disease_lists_and_notices():
    call_command("seed_demo", verbosity=0)
    yamada = _yamada()
    current = Medication.objects.filter(resident=yamada).current()
    names = set(current.values_list("name", flat=True))
    assert "アムロジピン錠5mg" in names
    amlodipine = current.get(name="アムロジピン錠5mg")
    assert amlodipine.dose == "1回1錠 1日1回 朝食後"
    assert amlodipine.since == datetime.date(2015, 6, 1)
    assert Medication.objects.filter(resident=yamada, superseded_at__isnull=False).count() == 1
    diagnoses = dict(
        Diagnosis.objects.filter(resident=yamada).current().values_list("name", "since")
    )
    assert diagnoses["高血圧症"].year == 2015
    assert any(name.startswith("変形性膝関節症") for name in diagnoses)

    notices = Notice.objects.filter(network__slug="ina", published_by__username="demo-operator")
    assert notices.count() == 2
    assert notices.filter(confirmation_required=True).count() == 1
    assert notices.filter(attachments__content_type="application/pdf").count() == 1
    assert all(n.published_at < timezone.now() - datetime.timedelta(days=1) for n in notices)
    # Sent to everyone of 伊那市's Network, and to nobody of 南箕輪村's.
    recipients = NoticeRecipient.objects.filter(notice__in=notices)
    assert recipients.filter(user__username="demo-doctor").count() == 2
    assert not recipients.filter(user__username="demo-other").exists()
    assert recipients.filter(confirmed_at__isnull=False).count() == 1


def test_what_the_doctor_finds(client_for):
    call_command("seed_demo", verbosity=0)
    doctor = User.objects.get(username="demo-doctor")
    # Notifications are dated like what they announce: older ones were read, the recent ones
    # (the open request, the abnormal SpO2…) wait.
    inbox = Notification.objects.filter(user=doctor)
    old = timezone.now() - datetime.timedelta(days=3)
    assert inbox.filter(created_at__lt=timezone.now() - datetime.timedelta(days=20)).exists()
    assert not inbox.filter(created_at__lt=old, read_at__isnull=True).exists()
    assert inbox.filter(read_at__isnull=True, kind="request_assigned").exists()
    # The timeline page opens on the newest posts, the open request among them.
    response = client_for(doctor).get(f"/residents/{_yamada().uuid}/timeline/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "山田 花子" in text
    assert "主治医意見書" in text
