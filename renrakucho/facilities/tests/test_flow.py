"""The whole onboarding journey, through the pages a person uses."""

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from renrakucho.accounts.models import User
from renrakucho.audit.models import Action, AuditEvent
from renrakucho.facilities.models import Affiliation, Facility

pytestmark = pytest.mark.django_db


def _login(username, password) -> Client | None:
    client = Client()
    # axes needs the request to authenticate; the test client does not pass one by itself.
    ok = client.login(request=HttpRequest(), username=username, password=password)
    return client if ok else None


def test_apply_approve_invite_register_approve_end(client_for, personas, apply_data, account_data):
    # 1. A visitor applies a facility to Network A.
    visitor = Client()
    response = visitor.post(
        reverse("facilities:apply", kwargs={"slug": personas.net_a.slug}), apply_data()
    )
    assert response.status_code == 302
    facility = Facility.objects.get(name="みのわ訪問看護ステーション")
    assert _login("minowa-admin", "kanri-pass-2026") is None  # not before approval

    # 2. The operator of A approves it.
    operator = client_for(personas.operator_a)
    console = operator.get(reverse("console:facilities")).content.decode()
    assert "みのわ訪問看護ステーション" in console
    operator.post(reverse("console:facility_approve", kwargs={"facility_uuid": facility.uuid}))

    # 3. The applicant logs in and manages the facility.
    admin = _login("minowa-admin", "kanri-pass-2026")
    assert admin is not None
    mine = admin.get(reverse("facilities:mine")).content.decode()
    staff_url = reverse("facilities:staff", kwargs={"facility_uuid": facility.uuid})
    assert staff_url in mine

    # 4. The admin invites a new nurse; the link is shown once.
    page = admin.post(
        reverse("facilities:invite", kwargs={"facility_uuid": facility.uuid}), {"note": "新人"}
    ).content.decode()
    start = page.index("http://testserver/facilities/join/") + len("http://testserver")
    join_url = page[start : page.index('"', start)]

    # 5. The nurse registers through the link and waits.
    newcomer = Client()
    assert newcomer.post(join_url, account_data()).status_code == 302
    assert _login("new-staff", "kanri-pass-2026") is None
    assert newcomer.post(join_url, account_data(**{"account-username": "x-2"})).status_code == 410

    # 6. The admin approves; the nurse can log in.
    nurse = User.objects.get(username="new-staff")
    affiliation = Affiliation.objects.get(user=nurse, facility=facility)
    assert "シンジン カンゴ" in admin.get(staff_url).content.decode()
    admin.post(
        reverse(
            "facilities:staff_approve",
            kwargs={"facility_uuid": facility.uuid, "affiliation_uuid": affiliation.uuid},
        )
    )
    nurse_client = _login("new-staff", "kanri-pass-2026")
    assert nurse_client is not None

    # 7. The nurse leaves; the admin ends the affiliation and the nurse is out.
    admin.post(
        reverse(
            "facilities:staff_end",
            kwargs={"facility_uuid": facility.uuid, "affiliation_uuid": affiliation.uuid},
        )
    )
    nurse.refresh_from_db()
    assert not nurse.can_log_in()
    assert _login("new-staff", "kanri-pass-2026") is None
    assert nurse_client.get(reverse("facilities:mine")).status_code == 302  # signed out

    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    for action in (
        Action.FACILITY_APPLY,
        Action.FACILITY_APPROVE,
        Action.STAFF_INVITE,
        Action.STAFF_JOIN,
        Action.STAFF_APPROVE,
        Action.STAFF_END,
    ):
        assert action in actions
    ordered = [a for a in actions if a.startswith(("facility.", "staff."))]
    assert ordered == [
        "facility.apply",
        "facility.approve",
        "staff.invite",
        "staff.join",
        "staff.approve",
        "staff.end",
    ]
