"""Two-sided consent, leaving, ending: each write audited, the operators concerned notified."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from renrakucho.agreements import services
from renrakucho.agreements.models import Agreement, AgreementParty, Allows
from renrakucho.agreements.selectors import partner_network_ids
from renrakucho.audit.models import Action, AuditEvent
from renrakucho.notifications.models import Notification

from .conftest import DAY, TODAY

pytestmark = pytest.mark.django_db


def partners(network):
    return partner_network_ids([network.pk], allows=Allows.TEAMS)


def test_propose_accepts_the_proposer_and_invites_the_partners(personas, propose, operator_b):
    agreement = propose(personas.net_b, personas.net_c)
    statuses = dict(agreement.parties.values_list("network__slug", "status"))
    assert statuses == {"ina": "accepted", "minamiminowa": "invited", "minowa": "invited"}
    # Nobody is a partner before the other side accepts.
    assert partners(personas.net_a) == set()
    event = AuditEvent.objects.get(action=Action.AGREEMENT_PROPOSE)
    assert event.actor == personas.operator_a and event.network_id == personas.net_a.pk
    assert event.target_id == str(agreement.uuid)
    assert set(event.detail["partners"]) == {str(personas.net_b.uuid), str(personas.net_c.uuid)}
    notified = set(Notification.objects.filter(kind="agreement").values_list("user", flat=True))
    assert notified == {operator_b.pk, personas.operator_c.pk}
    assert (
        Notification.objects.filter(user=operator_b).get().url == f"/agreements/{agreement.uuid}/"
    )


def test_accept_makes_partners_both_ways(personas, propose, operator_b):
    agreement = propose()
    party = agreement.parties.get(network=personas.net_b)
    services.party_accept(actor=operator_b, party=party)
    assert partners(personas.net_a) == {personas.net_b.pk}
    assert partners(personas.net_b) == {personas.net_a.pk}
    event = AuditEvent.objects.get(action=Action.AGREEMENT_ACCEPT)
    assert event.actor == operator_b and event.network_id == personas.net_b.pk
    assert Notification.objects.filter(user=personas.operator_a, kind="agreement").count() == 1


def test_only_the_invited_networks_operator_answers(personas, propose, operator_b):
    agreement = propose()
    party = agreement.parties.get(network=personas.net_b)
    for outsider in (personas.operator_a, personas.operator_c, personas.nurse_b):
        with pytest.raises(PermissionDenied):
            services.party_accept(actor=outsider, party=party)
    services.party_decline(actor=operator_b, party=party, reason="時期尚早")
    party.refresh_from_db()
    assert party.status == "declined" and party.decided_by == operator_b
    assert AuditEvent.objects.get(action=Action.AGREEMENT_DECLINE).reason == "時期尚早"
    with pytest.raises(ValidationError) as error:
        services.party_accept(actor=operator_b, party=party)
    assert error.value.messages == ["この協定への招待にはすでに回答しています。"]
    assert partners(personas.net_a) == set()


def test_leaving_removes_the_partner_at_once(personas, in_force, operator_b):
    party = in_force.parties.get(network=personas.net_b)
    services.party_leave(actor=operator_b, party=party, reason="体制の見直し")
    party.refresh_from_db()
    assert party.status == "left" and party.left_at
    # One accepted party left: the Agreement joins nobody.
    assert partners(personas.net_a) == set()
    assert partners(personas.net_b) == set()
    event = AuditEvent.objects.get(action=Action.AGREEMENT_LEAVE)
    assert event.network_id == personas.net_b.pk
    assert Notification.objects.filter(user=personas.operator_a, kind="agreement").exists()
    with pytest.raises(ValidationError):
        services.party_leave(actor=operator_b, party=party)


def test_a_third_network_leaving_keeps_the_others(personas, in_force, operator_b):
    services.agreement_invite(actor=operator_b, agreement=in_force, network=personas.net_c)
    party_c = in_force.parties.get(network=personas.net_c)
    services.party_accept(actor=personas.operator_c, party=party_c)
    assert partners(personas.net_a) == {personas.net_b.pk, personas.net_c.pk}
    services.party_leave(actor=personas.operator_c, party=party_c)
    assert partners(personas.net_a) == {personas.net_b.pk}


def test_end_ends_it_for_everyone(personas, in_force, operator_b):
    with pytest.raises(PermissionDenied):
        services.agreement_end(actor=personas.operator_c, agreement=in_force)
    services.agreement_end(actor=operator_b, agreement=in_force, reason="協定期間の満了")
    in_force.refresh_from_db()
    assert in_force.ended_at and in_force.ended_by == operator_b
    assert partners(personas.net_a) == set()
    event = AuditEvent.objects.get(action=Action.AGREEMENT_END)
    assert event.network_id == personas.net_b.pk and event.reason == "協定期間の満了"
    assert Notification.objects.filter(user=personas.operator_a, kind="agreement").exists()
    with pytest.raises(ValidationError) as error:
        services.agreement_end(actor=personas.operator_a, agreement=in_force)
    assert error.value.error_list[0].code == "ended"
    with pytest.raises(ValidationError):
        services.agreement_invite(
            actor=personas.operator_a, agreement=in_force, network=personas.net_c
        )


def test_invite_needs_an_accepted_party_and_a_new_network(personas, propose, operator_b):
    agreement = propose()
    # B is only invited: it cannot invite others yet.
    with pytest.raises(PermissionDenied):
        services.agreement_invite(actor=operator_b, agreement=agreement, network=personas.net_c)
    with pytest.raises(ValidationError) as error:
        services.agreement_invite(
            actor=personas.operator_a, agreement=agreement, network=personas.net_b
        )
    assert error.value.messages == ["このネットワークはすでに招待されています。"]
    with pytest.raises(ValidationError) as error:
        services.agreement_invite(
            actor=personas.operator_a, agreement=agreement, network=personas.net_a
        )
    assert error.value.messages == ["このネットワークはすでに協定に参加しています。"]
    services.agreement_invite(
        actor=personas.operator_a, agreement=agreement, network=personas.net_c
    )
    assert Notification.objects.filter(user=personas.operator_c, kind="agreement").count() == 1
    event = AuditEvent.objects.get(action=Action.AGREEMENT_INVITE)
    assert event.detail == {"network": str(personas.net_c.uuid)}


def test_a_network_that_declined_can_be_invited_again(personas, propose, operator_b):
    agreement = propose()
    party = agreement.parties.get(network=personas.net_b)
    services.party_decline(actor=operator_b, party=party)
    services.agreement_invite(
        actor=personas.operator_a, agreement=agreement, network=personas.net_b
    )
    party.refresh_from_db()
    assert party.status == "invited" and party.decided_at is None


@pytest.mark.parametrize(
    ("fields", "partners_of", "field", "message"),
    [
        ({"name": " "}, "b", "name", "協定の名称を入力してください。"),
        ({"starts_on": None}, "b", "starts_on", "開始日を入力してください。"),
        ({"ends_on": TODAY - 2 * DAY}, "b", "ends_on", "終了日は開始日以降の日付にしてください。"),
        ({"allows_teams": False}, "b", "allows", "協定で認める連携を1つ以上選んでください。"),
        ({}, "a", "partner_networks", "自分のネットワークは相手に選べません。"),
        ({}, "bb", "partner_networks", "同じネットワークが重複して選ばれています。"),
    ],
)
def test_propose_errors_in_japanese(personas, propose, fields, partners_of, field, message):
    nets = {"a": personas.net_a, "b": personas.net_b}
    with pytest.raises(ValidationError) as error:
        propose(*(nets[c] for c in partners_of), **fields)
    assert error.value.message_dict[field] == [message]
    assert not Agreement.objects.exists()
    assert not AuditEvent.objects.exists()


def test_no_partner_and_past_end(personas):
    with pytest.raises(ValidationError) as error:
        services.agreement_propose(
            actor=personas.operator_a,
            network=personas.net_a,
            name="x",
            starts_on=TODAY - 10 * DAY,
            ends_on=TODAY - DAY,
            partner_networks=[],
        )
    assert error.value.message_dict["ends_on"] == ["終了日が過ぎた協定は提案できません。"]


def test_only_an_operator_of_the_network_proposes(personas, propose):
    for actor in (personas.nurse, personas.operator_c):
        with pytest.raises(PermissionDenied):
            propose(actor=actor)
    assert not AgreementParty.objects.exists()


def test_a_suspended_operator_is_not_notified(personas, propose, operator_b):
    from renrakucho.networks.models import Suspension

    Suspension.objects.create(
        network=personas.net_b, user=operator_b, reason="x", suspended_by=personas.operator_a
    )
    propose()
    assert not Notification.objects.filter(user=operator_b).exists()
