"""The pages: the board, a facility's status and history, the update form, the operator's
request and reminder. Outsiders (users of another Network) get 404 everywhere; users of the
Network who are not on a facility's staff see its status and get 403 on the form."""

import pytest
from django.urls import reverse

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.facility_status import services
from renrakucho.facility_status.models import FacilityStatus, StatusRequest
from renrakucho.networks.models import OperatorRole
from renrakucho.notices.models import Notice

pytestmark = pytest.mark.django_db

OTHER_NETWORKS = ["nurse_b", "operator_c"]


def urls(personas, status_request=None):
    facility = personas.nursing_a.uuid
    found = [
        ("get", reverse("facility_status:facility", args=[facility])),
        ("get", reverse("facility_status:update", args=[facility])),
        ("post", reverse("facility_status:update", args=[facility])),
        ("get", reverse("facility_status:request") + "?network=ina"),
        ("post", reverse("facility_status:request") + "?network=ina"),
    ]
    if status_request is not None:
        found.append(("post", reverse("facility_status:remind", args=[status_request.uuid])))
    return found


@pytest.mark.parametrize("who", OTHER_NETWORKS)
def test_other_networks_get_404_everywhere(personas, client_for, report, who):
    report(personas.nurse, personas.nursing_a, "suspended", reason="職員の感染")
    status_request = services.status_request_create(
        actor=personas.operator_a, network=personas.net_a
    )
    client = client_for(getattr(personas, who))
    board = client.get(reverse("facility_status:board") + "?network=ina")
    assert board.status_code == 404
    for method, url in urls(personas, status_request):
        data = {"status": "normal", "message": "x"} if method == "post" else None
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url, response.status_code)
        assert "職員の感染" not in response.content.decode()
    assert FacilityStatus.objects.count() == 1 and StatusRequest.objects.count() == 1


def test_their_own_board_shows_only_their_network(personas, client_for, report):
    report(personas.nurse, personas.nursing_a, "suspended", reason="職員の感染")
    page = client_for(personas.nurse_b).get(reverse("facility_status:board")).content.decode()
    assert "まっくん訪問看護" in page and "いーな" not in page and "職員の感染" not in page


def test_anonymous_is_sent_to_login(personas, client):
    response = client.get(reverse("facility_status:board"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_board(personas, client_for, report):
    report(
        personas.nurse,
        personas.nursing_a,
        "restricted",
        restrictions=["new_clients", "other"],
        restriction_note="発熱者の訪問",
        supplies={"masks": "short", "gloves": "enough"},
        notes="PCR検査 実施可",
    )
    FacilityStatus.objects.update(created_at="2026-01-01T00:00:00Z")
    report(personas.doctor, personas.clinic_a, supplies={"disinfectant": "low"})
    response = client_for(personas.pharmacist).get(reverse("facility_status:board"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "いーな訪問看護ステーション" in page and "受入制限" in page
    assert "新規利用者の受入、その他（発熱者の訪問）" in page
    assert "マスク: 不足" in page and "手袋: 十分" in page and "PCR検査 実施可" in page
    assert "消毒液: 少ない" in page
    assert "古い情報" in page and "日前" in page  # the nursing station's report is old
    assert page.count("古い情報") == 1
    assert "訪問看護ステーション</h2>" in page  # grouped by type
    # The pharmacist may update the pharmacy (his own) from the board; no operator box.
    assert reverse("facility_status:update", args=[personas.pharmacy_a.uuid]) in page
    assert reverse("facility_status:update", args=[personas.nursing_a.uuid]) not in page
    assert "全事業所に更新を依頼" not in page
    assert 'href="/facility-status/" id="nav-facility-status"' in page  # the menu entry


def test_board_filters_and_network_switch(personas, client_for, report):
    report(personas.nurse, personas.nursing_a, "restricted", restrictions=["short_stay"])
    OperatorRole.objects.create(network=personas.net_b, user=personas.operator_a)
    client = client_for(personas.operator_a)
    page = client.get(reverse("facility_status:board"), {"status": "restricted"}).content.decode()
    assert "いーな訪問看護ステーション" in page and "いーなクリニック" not in page
    assert '<select id="fs-network" name="network">' in page  # two Networks: a switch
    page = client.get(reverse("facility_status:board"), {"network": "minamiminowa"})
    assert "まっくん訪問看護" in page.content.decode()
    missing = client.get(reverse("facility_status:board"), {"network": "minowa"})
    assert missing.status_code == 404


def test_facility_page_with_history(personas, client_for, report):
    report(personas.nurse, personas.nursing_a, "suspended", reason="職員の感染")
    report(personas.nurse, personas.nursing_a, "normal", notes="再開しました")
    url = reverse("facility_status:facility", args=[personas.nursing_a.uuid])
    page = client_for(personas.pharmacist).get(url).content.decode()
    assert page.index("再開しました") < page.index("職員の感染")  # newest first
    assert "看護 花子" in page  # who reported
    assert reverse("facility_status:update", args=[personas.nursing_a.uuid]) not in page
    page = client_for(personas.nurse).get(url).content.decode()
    assert reverse("facility_status:update", args=[personas.nursing_a.uuid]) in page
    assert AuditEvent.objects.filter(action=Action.FACILITY_STATUS).count() == 2


def test_history_pages(personas, client_for, report):
    for i in range(32):
        report(personas.nurse, personas.nursing_a, notes=f"報告 {i}")
    client = client_for(personas.nurse)
    url = reverse("facility_status:facility", args=[personas.nursing_a.uuid])
    first = client.get(url)
    cursor = first.context["page"].next_cursor
    assert len(first.context["page"].items) == 30 and cursor
    second = client.get(url, {"before": cursor})
    assert [e.notes for e in second.context["page"].items] == ["報告 1", "報告 0"]
    assert second.context["current"].notes == "報告 31"


def test_update_form_is_prefilled_and_posts_a_new_report(personas, client_for, report):
    report(personas.nurse, personas.nursing_a, "restricted", restrictions=["short_stay"],
           supplies={"masks": "low"})  # fmt: skip
    client = client_for(personas.nurse)
    url = reverse("facility_status:update", args=[personas.nursing_a.uuid])
    form = client.get(url).context["form"]
    assert form.initial["status"] == "restricted" and form.initial["restrictions"] == ["short_stay"]
    assert form.initial["masks"] == "low"
    response = client.post(
        url, {"status": "normal", "masks": "enough", "gloves": "short", "notes": "通常どおり"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "facility_status:facility", args=[personas.nursing_a.uuid]
    )
    latest = FacilityStatus.objects.latest("id")
    assert (latest.status, latest.masks, latest.gloves, latest.disinfectant) == (
        "normal", "enough", "short", "unknown"
    )  # fmt: skip
    assert FacilityStatus.objects.count() == 2
    event = AuditEvent.objects.latest("id")
    assert event.action == Action.FACILITY_STATUS and event.ip == "127.0.0.1"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "restricted", "restriction_note": "発熱者"}, "受入制限の場合は、制限している内容を1つ以上選んでください。"),
        ({"status": "suspended", "restriction_note": "発熱者"}, "休止・閉鎖の場合は、理由を入力してください。"),
        ({"status": "restricted", "restrictions": ["other"], "restriction_note": "発熱者", "masks": "plenty"}, "物資の状況は「十分」「少ない」「不足」「未回答」から選んでください。"),
        ({"restriction_note": "発熱者"}, "運営状況を選んでください。"),
        ({"status": "closed", "reason": "x", "expected_reopening": "2020-01-01", "restriction_note": "発熱者"}, "再開予定日は今日以降の日付を入力してください。"),
        ({"status": "closed", "reason": "x", "expected_reopening": "来月", "restriction_note": "発熱者"}, "日付の形式が正しくありません（例: 2024-04-01）。"),
    ],
)  # fmt: skip
def test_invalid_update_keeps_the_input_and_says_why(personas, client_for, data, message):
    url = reverse("facility_status:update", args=[personas.nursing_a.uuid])
    response = client_for(personas.nurse).post(url, {"notes": "PCR検査 実施可", **data})
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page
    assert "PCR検査 実施可" in page and 'value="発熱者"' in page  # what was typed is kept
    assert not FacilityStatus.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.FACILITY_STATUS).exists()


@pytest.mark.parametrize("who", ["pharmacist", "operator_a", "doctor"])
def test_network_users_off_the_staff_get_403_on_the_form(personas, client_for, who):
    client = client_for(getattr(personas, who))
    url = reverse("facility_status:update", args=[personas.nursing_a.uuid])
    assert client.get(url).status_code == 403
    assert client.post(url, {"status": "normal"}).status_code == 403
    assert not FacilityStatus.objects.exists()


def test_operator_requests_and_reminds_from_the_board(personas, client_for, report):
    client = client_for(personas.operator_a)
    board = reverse("facility_status:board")
    page = client.get(board).content.decode()
    assert "全事業所に更新を依頼" in page
    form = client.get(reverse("facility_status:request"), {"network": "ina"})
    assert form.status_code == 200
    response = client.post(
        reverse("facility_status:request"), {"network": "ina", "message": "よろしくお願いします。"}
    )
    assert response.status_code == 302 and response["Location"] == board + "?network=ina"
    status_request = StatusRequest.objects.get()
    assert status_request.notice.body.startswith("よろしくお願いします。")
    event = AuditEvent.objects.filter(action=Action.FACILITY_STATUS_REQUEST).get()
    assert event.actor == personas.operator_a
    report(personas.nurse, personas.nursing_a)
    page = client.get(board).content.decode()
    assert "依頼後に更新: 1 / 5 事業所" in page and "未更新の事業所に再依頼（4事業所）" in page
    response = client.post(reverse("facility_status:remind", args=[status_request.uuid]))
    assert response.status_code == 302
    assert "未更新の4事業所に再依頼しました。" in client.get(board).content.decode()
    assert AuditEvent.objects.filter(action=Action.FACILITY_STATUS_REQUEST).count() == 2


def test_request_errors_keep_the_message(personas, client_for):
    response = client_for(personas.operator_a).post(
        reverse("facility_status:request"), {"network": "ina", "message": "あ" * 2001}
    )
    assert response.status_code == 422
    assert "メッセージは2000文字以内で入力してください。" in response.content.decode()
    assert not Notice.objects.exists()


@pytest.mark.parametrize("who", ["pharmacist", "nurse"])
def test_network_users_who_do_not_operate_get_403_on_requests(personas, client_for, who):
    status_request = services.status_request_create(
        actor=personas.operator_a, network=personas.net_a
    )
    client = client_for(getattr(personas, who))
    assert client.get(reverse("facility_status:request")).status_code == 403
    assert client.post(reverse("facility_status:request"), {"network": "ina"}).status_code == 403
    remind = reverse("facility_status:remind", args=[status_request.uuid])
    assert client.post(remind).status_code == 403
    assert StatusRequest.objects.count() == 1 and Notice.objects.count() == 1
    assert status_request.reminder_count == 0
