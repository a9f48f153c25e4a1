"""Agreements through the API: propose, accept, decline, leave, invite, end; 404 for
non-operators and operators of unrelated Networks, 403 for a write the caller may not do on
an Agreement they see, 409 once it is over; query counts at two sizes."""

import datetime

import pytest
from django.utils import timezone

from renrakucho.accounts.models import User
from renrakucho.agreements.models import Agreement, Allows
from renrakucho.agreements.selectors import partner_network_ids
from renrakucho.agreements.services import agreement_propose, party_accept
from renrakucho.audit.models import Action, AuditEvent
from renrakucho.networks.models import OperatorRole
from renrakucho.testing.personas import make_facility, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def operator_b(personas):
    hall = make_facility(personas.net_b, "南箕輪村 健康福祉課", "municipal_department")
    user = make_user("p-operator-b", "運営 南", "ウンエイ ミナミ", "municipal_officer", hall)
    OperatorRole.objects.create(network=personas.net_b, user=user)
    return user


def propose(personas, *partners, name="上伊那広域連携協定"):
    return agreement_propose(
        actor=personas.operator_a,
        network=personas.net_a,
        name=name,
        starts_on=TODAY - datetime.timedelta(days=1),
        allows_groups=True,
        partner_networks=list(partners or [personas.net_b]),
    )


def body(personas, **fields):
    return {
        "name": "上伊那広域連携協定",
        "starts_on": TODAY.isoformat(),
        "partners": [str(personas.net_b.uuid)],
        **fields,
    }


def test_propose_and_accept(personas, api_for, operator_b):
    response = api_for(personas.operator_a).post("/agreements", body(personas, allows_groups=True))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["phase"] == "pending"
    assert [(p["network"]["slug"], p["status"]) for p in data["parties"]] == [
        ("ina", "accepted"),
        ("minamiminowa", "invited"),
    ]
    assert data["parties"][0]["municipalities"][0]["code"] == "202096"
    assert data["actions"] == ["leave", "invite", "end"]
    assert data["allows_teams"] and data["allows_groups"] and not data["allows_evacuees"]
    agreement_id = data["id"]
    api_b = api_for(operator_b)
    assert api_b.get(f"/agreements/{agreement_id}").json()["actions"] == ["accept", "decline"]
    # B cannot end or leave before taking part.
    assert api_b.post(f"/agreements/{agreement_id}/end").status_code == 403
    assert api_b.post(f"/agreements/{agreement_id}/leave").status_code == 403
    response = api_b.post(f"/agreements/{agreement_id}/accept")
    assert response.status_code == 200
    assert response.json()["phase"] == "in_force"
    assert partner_network_ids([personas.net_a.pk], allows=Allows.GROUPS) == {personas.net_b.pk}
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == [Action.AGREEMENT_PROPOSE, Action.AGREEMENT_ACCEPT]
    # Answering again: 422 in Japanese.
    response = api_b.post(f"/agreements/{agreement_id}/decline", {"reason": "x"})
    assert response.status_code == 403  # B's party is no longer invited


def test_decline_with_a_reason(personas, api_for, operator_b):
    agreement = propose(personas)
    response = api_for(operator_b).post(
        f"/agreements/{agreement.uuid}/decline", {"reason": "検討中"}
    )
    assert response.status_code == 200
    assert response.json()["parties"][1]["status"] == "declined"
    assert AuditEvent.objects.get(action=Action.AGREEMENT_DECLINE).reason == "検討中"


def test_operator_a_cannot_accept_for_b(personas, api_for):
    agreement = propose(personas)
    response = api_for(personas.operator_a).post(
        f"/agreements/{agreement.uuid}/accept", {"network": str(personas.net_b.uuid)}
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "この操作を行う権限がありません。"


def test_leave_invite_end(personas, api_for, operator_b):
    agreement = propose(personas)
    party_accept(actor=operator_b, party=agreement.parties.get(network=personas.net_b))
    api_a = api_for(personas.operator_a)
    response = api_a.post(
        f"/agreements/{agreement.uuid}/invite", {"network": str(personas.net_c.uuid)}
    )
    assert response.status_code == 200
    assert response.json()["parties"][2]["status"] == "invited"
    response = api_a.post(
        f"/agreements/{agreement.uuid}/invite", {"network": str(personas.net_c.uuid)}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "network"],
            "msg": "このネットワークはすでに招待されています。",
            "type": "invited",
        }
    ]
    response = api_for(operator_b).post(f"/agreements/{agreement.uuid}/leave", {"reason": "見直し"})
    assert response.status_code == 200
    assert response.json()["phase"] == "pending"
    assert partner_network_ids([personas.net_a.pk], allows=Allows.TEAMS) == set()
    response = api_a.post(f"/agreements/{agreement.uuid}/end", {"reason": "満了"})
    assert response.status_code == 200
    assert response.json()["phase"] == "over" and response.json()["actions"] == []
    # Over: every write is 409.
    response = api_a.post(f"/agreements/{agreement.uuid}/end")
    assert response.status_code == 409
    assert response.json()["detail"][0]["msg"] == "この協定はすでに終了しています。"
    response = api_for(personas.operator_c).post(f"/agreements/{agreement.uuid}/accept")
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("fields", "loc", "msg"),
    [
        (
            {"ends_on": "2020-01-01"},
            ["body", "ends_on"],
            "終了日は開始日以降の日付にしてください。",
        ),
        ({"partners": []}, ["body", "partners"], "相手のネットワークを1つ以上選んでください。"),
        (
            {"partners": ["00000000-0000-0000-0000-000000000000"]},
            ["body", "partners"],
            "選べないネットワークが含まれています。",
        ),
        ({"allows_teams": False}, ["body", "allows"], "協定で認める連携を1つ以上選んでください。"),
        ({"name": ""}, ["body", "name"], "この項目は必須です。"),
        (
            {"starts_on": "2024/04/01"},
            ["body", "starts_on"],
            "日付の形式が正しくありません（例: 2024-04-01）。",
        ),
    ],
)
def test_propose_errors_in_japanese(personas, api_for, fields, loc, msg):
    response = api_for(personas.operator_a).post("/agreements", body(personas, **fields))
    assert response.status_code == 422
    assert {"loc": loc, "msg": msg} in [
        {"loc": e["loc"], "msg": e["msg"]} for e in response.json()["detail"]
    ]
    assert not Agreement.objects.exists()


def test_a_network_twice(personas, api_for):
    twice = [str(personas.net_b.uuid)] * 2
    response = api_for(personas.operator_a).post("/agreements", body(personas, partners=twice))
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "同じネットワークが重複して選ばれています。"


def test_proposing_for_a_network_not_operated_is_403(personas, api_for):
    response = api_for(personas.operator_a).post(
        "/agreements", body(personas, network=str(personas.net_c.uuid))
    )
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["nurse", "pharmacist", "nurse_b", "doctor"])
def test_404_for_non_operators(personas, api_for, who):
    agreement = propose(personas)
    api = api_for(getattr(personas, who))
    assert api.get("/agreements").status_code == 404
    assert api.post("/agreements", body(personas)).status_code == 404
    assert api.get(f"/agreements/{agreement.uuid}").status_code == 404
    for action in ("accept", "decline", "leave", "end"):
        assert api.post(f"/agreements/{agreement.uuid}/{action}").status_code == 404
    response = api.post(
        f"/agreements/{agreement.uuid}/invite", {"network": str(personas.net_c.uuid)}
    )
    assert response.status_code == 404
    assert "上伊那" not in response.content.decode()
    assert Agreement.objects.get().parties.count() == 2


def test_404_for_an_unrelated_operator(personas, api_for, operator_b):
    agreement = propose(personas)
    api = api_for(personas.operator_c)
    assert api.get("/agreements").json() == []
    assert api.get(f"/agreements/{agreement.uuid}").status_code == 404
    for action in ("accept", "decline", "leave", "end"):
        assert api.post(f"/agreements/{agreement.uuid}/{action}").status_code == 404
    assert api.get("/agreements/not-a-uuid").status_code == 404
    assert not AuditEvent.objects.filter(actor=personas.operator_c).exists()


def test_superuser_lists_everything_but_may_not_act(personas, api_for, operator_b):
    agreement = propose(personas)
    admin = User.objects.create_superuser("p-admin", "x", name="管理 者")
    api = api_for(admin)
    assert [a["id"] for a in api.get("/agreements").json()] == [str(agreement.uuid)]
    assert api.get(f"/agreements/{agreement.uuid}").json()["actions"] == []
    assert api.post(f"/agreements/{agreement.uuid}/end").status_code == 403
    assert api.post(f"/agreements/{agreement.uuid}/accept").status_code == 403


def test_list_query_count_is_constant(personas, api_for, operator_b):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_for(personas.operator_a)
    api.get("/agreements")  # the token's last_used_at is stamped once

    def count():
        with CaptureQueriesContext(connection) as context:
            response = api.get("/agreements")
        assert response.status_code == 200
        return len(context.captured_queries), len(response.json())

    for i in range(2):
        propose(personas, personas.net_b, personas.net_c, name=f"協定{i}")
    small, n = count()
    assert n == 2
    for i in range(2, 12):
        propose(personas, personas.net_b, personas.net_c, name=f"協定{i}")
    large, n = count()
    assert n == 12
    # token with its user (1), network links (1), agreements (1), parties with Networks
    # (1), municipalities with 二次医療圏 (1), and the session/transaction bookkeeping.
    assert small == large <= 7
