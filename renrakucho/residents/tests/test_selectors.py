from __future__ import annotations

from renrakucho.networks.models import Suspension
from renrakucho.residents import selectors
from renrakucho.residents.models import CareLevel, CareTeamMember, TeamRole
from renrakucho.testing.personas import make_resident


def test_resident_list_accepts_a_plain_dict_of_filters(personas):
    make_resident(personas.net_a, personas.operator_a, name="田中 一郎", kana="タナカ イチロウ",
                  care_level=CareLevel.SUPPORT_1, lives_alone=True)  # fmt: skip
    rows = selectors.resident_list(
        personas.operator_a, "ﾀﾅｶ", {"care_level": ["support_1"], "flag": ["lives_alone"]}
    )
    assert [r.name for r in rows] == ["田中 一郎"]
    assert list(selectors.resident_list(personas.operator_a)) != []
    assert list(selectors.resident_list(personas.pharmacist, "")) == []


def test_my_residents_annotations(personas):
    (resident,) = selectors.my_residents(personas.caremanager)
    assert resident.my_role == TeamRole.CARE_MANAGER and resident.i_am_lead and resident.has_consent
    (resident,) = selectors.my_residents(personas.nurse)
    assert resident.my_role == TeamRole.VISITING_NURSE and not resident.i_am_lead
    assert list(selectors.my_residents(personas.operator_a)) == []


def test_pending_invitations_skip_suspended_networks(personas):
    CareTeamMember.objects.create(
        resident=personas.resident, user=personas.pharmacist, role=TeamRole.PHARMACIST,
        invited_by=personas.caremanager,
    )  # fmt: skip
    assert len(selectors.pending_invitations(personas.pharmacist)) == 1
    Suspension.objects.create(
        network=personas.net_a,
        user=personas.pharmacist,
        reason="x",
        suspended_by=personas.operator_a,
    )
    assert len(selectors.pending_invitations(personas.pharmacist)) == 0


def test_pending_invitations_skip_networks_left(personas):
    from renrakucho.facilities.models import Affiliation

    CareTeamMember.objects.create(
        resident=personas.resident, user=personas.pharmacist, role=TeamRole.PHARMACIST,
        invited_by=personas.caremanager,
    )  # fmt: skip
    Affiliation.objects.filter(user=personas.pharmacist).update(status="ended")
    assert len(selectors.pending_invitations(personas.pharmacist)) == 0


def test_team_of_splits_active_invited_history(personas, more_members):
    more_members(6)
    from renrakucho.residents.access import access_resident

    team = selectors.team_of(access_resident(personas.nurse, personas.resident.uuid))
    assert len(team.active) == 5 and len(team.invited) == 2 and len(team.history) == 2
    assert team.lead.user == personas.caremanager
    assert team.member_for(personas.nurse).user == personas.nurse
    assert team.find(team.invited[0].uuid) is team.invited[0]
    assert team.find(team.history[0].uuid) is None  # ended memberships cannot be acted on
    assert team.find("not-a-uuid") is None


def test_invitable_professionals_of_the_network_only(personas):
    from renrakucho.residents.access import access_resident

    access = access_resident(personas.caremanager, personas.resident.uuid)
    names = {u.name for u in selectors.invitable_professionals(access, "")}
    assert "薬 太郎" in names and "運営 伊那" in names
    assert not names & {"介護 支援", "伊那 一郎", "看護 花子", "南 看護", "運営 箕輪"}
    assert [u.name for u in selectors.invitable_professionals(access, "くすり")] == ["薬 太郎"]
