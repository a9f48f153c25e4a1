"""Operator pages (/agreements/) and the superusers' overview: 404 for everyone else, 403 for
a write the reader may not do on an Agreement they see, Japanese errors, audit rows."""

import pytest
from django.urls import reverse

from renrakucho.accounts.models import User
from renrakucho.agreements.models import Agreement
from renrakucho.audit.models import Action, AuditEvent

from .conftest import DAY, TODAY

pytestmark = pytest.mark.django_db

NOT_OPERATORS = ["nurse", "pharmacist", "nurse_b", "doctor"]


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("p-admin", "x", name="管理 者")


def test_list_sorts_my_agreements(personas, client_for, propose, in_force, operator_b):
    from renrakucho.agreements.services import agreement_end

    waiting = propose(personas.net_c, name="上伊那北部の協定")
    over = propose(name="終了した協定")
    agreement_end(actor=personas.operator_a, agreement=over)
    text = client_for(personas.operator_a).get(reverse("agreements:list")).content.decode()
    in_force_part = text.split('id="agreements-in-force"')[1].split("</ul>")[0]
    assert in_force.name in in_force_part
    assert waiting.name in text.split('id="agreements-pending"')[1].split("</ul>")[0]
    assert over.name in text.split('id="agreements-past"')[1].split("</ul>")[0]
    # C sees the one it is asked to accept, and only that one.
    text = client_for(personas.operator_c).get(reverse("agreements:list")).content.decode()
    assert waiting.name in text.split('id="agreements-awaiting"')[1].split("</ul>")[0]
    assert in_force.name not in text and over.name not in text


@pytest.mark.parametrize("who", NOT_OPERATORS)
def test_pages_are_404_for_non_operators(personas, client_for, in_force, who):
    client = client_for(getattr(personas, who))
    detail = reverse("agreements:detail", args=[in_force.uuid])
    for url in (
        reverse("agreements:list"),
        reverse("agreements:propose"),
        reverse("agreements:overview"),
        detail,
    ):
        assert client.get(url).status_code == 404, url
    for action in ("accept", "decline", "leave", "end", "invite"):
        url = reverse(f"agreements:{action}", args=[in_force.uuid])
        assert client.post(url, {"network": str(personas.net_a.uuid)}).status_code == 404
    in_force.refresh_from_db()
    assert in_force.ended_at is None


def test_an_unrelated_operator_gets_404(personas, client_for, in_force):
    client = client_for(personas.operator_c)
    assert client.get(reverse("agreements:detail", args=[in_force.uuid])).status_code == 404
    assert client.get(reverse("agreements:overview")).status_code == 404
    for action in ("accept", "decline", "leave", "end", "invite"):
        url = reverse(f"agreements:{action}", args=[in_force.uuid])
        assert client.post(url, {"network": str(personas.net_c.uuid)}).status_code == 404
    assert not AuditEvent.objects.filter(
        action__startswith="agreement.", actor=personas.operator_c
    ).exists()


def test_anonymous_is_sent_to_log_in(client, in_force):
    response = client.get(reverse("agreements:detail", args=[in_force.uuid]))
    assert response.status_code == 302


def test_propose_form(personas, client_for, operator_b):
    client = client_for(personas.operator_a)
    page = client.get(reverse("agreements:propose")).content.decode()
    # Networks to choose from, with the municipalities they serve; no people.
    assert "南箕輪村電子連絡帳（南箕輪村）" in page and "箕輪町" in page
    assert "南 看護" not in page
    assert "南箕輪村" in client.get(reverse("agreements:propose"), {"q": "南箕輪"}).content.decode()
    filtered = client.get(reverse("agreements:propose"), {"q": "南箕輪"}).content.decode()
    assert "箕輪町電子連絡帳" not in filtered
    response = client.post(
        reverse("agreements:propose"),
        {
            "network": str(personas.net_a.uuid),
            "name": "上伊那広域連携協定",
            "starts_on": TODAY.isoformat(),
            "allows": ["allows_teams", "allows_groups"],
            "partner_networks": [str(personas.net_b.uuid)],
        },
    )
    agreement = Agreement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("agreements:detail", args=[agreement.uuid])
    assert agreement.allows_groups and not agreement.allows_evacuees
    assert AuditEvent.objects.filter(action=Action.AGREEMENT_PROPOSE).count() == 1


def test_propose_form_keeps_input_and_shows_japanese_errors(personas, client_for):
    client = client_for(personas.operator_a)
    response = client.post(
        reverse("agreements:propose"),
        {
            "network": str(personas.net_a.uuid),
            "name": "上伊那広域連携協定",
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY - DAY).isoformat(),
            "allows": ["allows_teams"],
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "終了日は開始日以降の日付にしてください。" in text
    assert 'value="上伊那広域連携協定"' in text
    response = client.post(
        reverse("agreements:propose"),
        {
            "network": str(personas.net_a.uuid),
            "name": "上伊那広域連携協定",
            "starts_on": TODAY.isoformat(),
            "allows": ["allows_teams"],
        },
    )
    assert "相手のネットワークを1つ以上選んでください。" in response.content.decode()
    assert not Agreement.objects.exists()


def test_invited_operator_accepts_from_the_page(personas, client_for, propose, operator_b):
    agreement = propose()
    client = client_for(operator_b)
    url = reverse("agreements:detail", args=[agreement.uuid])
    page = client.get(url).content.decode()
    assert "参加を承諾する" in page and "協定を終了する" not in page
    # B may not end or invite before taking part: 403.
    assert client.post(reverse("agreements:end", args=[agreement.uuid])).status_code == 403
    assert client.post(reverse("agreements:leave", args=[agreement.uuid])).status_code == 403
    response = client.post(reverse("agreements:accept", args=[agreement.uuid]))
    assert response.status_code == 302 and response["Location"] == url
    assert agreement.parties.get(network=personas.net_b).status == "accepted"
    page = client.get(url).content.decode()
    assert "協定から離脱する" in page and "協定を終了する" in page
    assert "協定への参加を承諾しました。" in page
    # Answering twice: a Japanese message, nothing changed.
    client.post(reverse("agreements:decline", args=[agreement.uuid]))
    assert agreement.parties.get(network=personas.net_b).status == "accepted"


def test_operator_a_cannot_answer_for_b(personas, client_for, propose):
    agreement = propose()
    client = client_for(personas.operator_a)
    response = client.post(
        reverse("agreements:accept", args=[agreement.uuid]), {"network": personas.net_b.uuid}
    )
    assert response.status_code == 403
    assert agreement.parties.get(network=personas.net_b).status == "invited"


def test_detail_shows_municipalities_and_medical_areas(personas, client_for, in_force):
    from renrakucho.networks.models import MedicalArea

    area = MedicalArea.objects.create(prefecture="20", name="上伊那")
    personas.net_a.municipalities.update(medical_area=area)
    text = (
        client_for(personas.operator_a)
        .get(reverse("agreements:detail", args=[in_force.uuid]))
        .content.decode()
    )
    assert "長野県伊那市（二次医療圏: 上伊那）" in text
    assert "支援チームへの他ネットワークの専門職の参加" in text


def test_leave_end_and_invite_from_the_page(personas, client_for, in_force, operator_b):
    client = client_for(personas.operator_a)
    response = client.post(
        reverse("agreements:invite", args=[in_force.uuid]), {"network": personas.net_c.uuid}
    )
    assert response.status_code == 302
    assert in_force.parties.get(network=personas.net_c).status == "invited"
    # Inviting it twice: it is no longer among the choices.
    client.post(
        reverse("agreements:invite", args=[in_force.uuid]), {"network": personas.net_c.uuid}
    )
    page = client.get(reverse("agreements:detail", args=[in_force.uuid])).content.decode()
    assert "選べないネットワークです。" in page
    client_for(operator_b).post(
        reverse("agreements:leave", args=[in_force.uuid]), {"reason": "見直し"}
    )
    assert in_force.parties.get(network=personas.net_b).status == "left"
    client.post(reverse("agreements:end", args=[in_force.uuid]))
    in_force.refresh_from_db()
    assert in_force.ended_at is not None
    page = client.get(reverse("agreements:detail", args=[in_force.uuid])).content.decode()
    assert "協定を終了する</button>" not in page and "終了" in page


def test_overview_for_superusers(personas, client_for, in_force, propose, superuser):
    from renrakucho.networks.models import MedicalArea, Municipality

    kamiina = MedicalArea.objects.create(prefecture="20", name="上伊那")
    matsumoto = MedicalArea.objects.create(prefecture="20", name="松本")
    Municipality.objects.filter(code__in=["202096", "203858"]).update(medical_area=kamiina)
    Municipality.objects.filter(code="203840").update(medical_area=matsumoto)
    spanning = propose(personas.net_c, name="圏域をまたぐ協定")
    from renrakucho.agreements.services import party_accept

    party_accept(actor=personas.operator_c, party=spanning.parties.get(network=personas.net_c))
    client = client_for(superuser)
    text = client.get(reverse("agreements:overview")).content.decode()
    assert "2件の協定" in text and "うち二次医療圏をまたぐもの 1件" in text
    assert f'href="{reverse("agreements:overview")}"' in text  # the menu links to it
    section = text.split(f'id="overview-{spanning.uuid}"')[1].split("</section>")[0]
    assert "二次医療圏をまたぐ連携" in section and "松本" in section
    assert "長野県箕輪町（二次医療圏: 松本）" in section
    assert (
        "0件の協定"
        in client.get(reverse("agreements:overview"), {"prefecture": "23"}).content.decode()
    )
    assert (
        "2件の協定"
        in client.get(reverse("agreements:overview"), {"prefecture": "20"}).content.decode()
    )
    # The superuser reads any Agreement but is no party: no buttons, 403 on writes.
    detail = client.get(reverse("agreements:detail", args=[in_force.uuid]))
    assert detail.status_code == 200 and "協定を終了する" not in detail.content.decode()
    assert client.post(reverse("agreements:end", args=[in_force.uuid])).status_code == 403


def test_console_links_to_agreements(personas, client_for):
    page = client_for(personas.operator_a).get(reverse("console:index")).content.decode()
    assert f'href="{reverse("agreements:list")}"' in page


def test_no_invite_form_when_every_network_takes_part(personas, client_for, in_force, operator_b):
    from renrakucho.agreements.services import agreement_invite

    agreement_invite(actor=operator_b, agreement=in_force, network=personas.net_c)
    page = client_for(personas.operator_a).get(reverse("agreements:detail", args=[in_force.uuid]))
    assert 'id="agreement-invite"' not in page.content.decode()
