import pytest
from django.apps import apps
from django.core.management import call_command

from renrakucho.accounts.models import User
from renrakucho.audit.models import AuditEvent
from renrakucho.demo import data
from renrakucho.residents.access import access_resident, residents_visible_to
from renrakucho.residents.models import CareTeamMember, Consent, Resident

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"networks", "accounts", "facilities", "residents", "audit"}
    }


def test_seed_twice_changes_nothing():
    call_command("seed_demo", verbosity=0)
    first = _counts()
    stamps = sorted(Resident.objects.values_list("uuid", "updated_at"))
    call_command("seed_demo", verbosity=0)
    assert _counts() == first
    assert sorted(Resident.objects.values_list("uuid", "updated_at")) == stamps
    assert first["residents.Resident"] == len(data.RESIDENTS)
    assert first["accounts.User"] == len(data.USERS)
    assert AuditEvent.objects.count() == 0  # seeds are nobody's access to resident data


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
    assert other_sees.exists()
    assert not other_sees.filter(network__slug="ina").exists()


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
