"""Facility admins manage their staff: lists, approve/reject, end, admin rights, invitations."""

import pytest
from django.urls import reverse

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.facilities.models import Affiliation, StaffInvitation

pytestmark = pytest.mark.django_db


def _staff_url(facility):
    return reverse("facilities:staff", kwargs={"facility_uuid": facility.uuid})


def _aff_url(name, affiliation):
    return reverse(
        f"facilities:{name}",
        kwargs={"facility_uuid": affiliation.facility.uuid, "affiliation_uuid": affiliation.uuid},
    )


def _affiliation(user, facility):
    return Affiliation.objects.get(user=user, facility=facility)


# --- My facilities ----------------------------------------------------------------------


def test_mine_lists_the_facilities_i_administer_with_counts(client_for, personas, add_staff):
    add_staff(personas.clinic_a, 2, status=Affiliation.Status.PENDING)
    response = client_for(personas.doctor).get(reverse("facilities:mine"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "事業所管理" in html
    assert "いーなクリニック" in html
    assert "承認待ち 2名" in html
    assert "いーな訪問看護ステーション" not in html  # the nurse's facility, not mine
    assert _staff_url(personas.clinic_a) in html


def test_mine_for_a_non_admin_is_empty(client_for, personas):
    html = client_for(personas.pharmacist).get(reverse("facilities:mine")).content.decode()
    assert "管理している事業所はありません。" in html
    assert "いーな薬局" not in html


def test_mine_anonymous_redirects_and_post_is_405(client, client_for, personas):
    response = client.get(reverse("facilities:mine"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client_for(personas.doctor).post(reverse("facilities:mine")).status_code == 405


def test_mine_query_count_does_not_grow_with_facilities(
    client_for, personas, django_assert_max_num_queries
):
    from renrakucho.testing.personas import make_facility

    def add_facilities(n):
        for i in range(n):
            facility = make_facility(personas.net_a, f"追加事業所{i}", "clinic")
            Affiliation.objects.create(
                user=personas.doctor, facility=facility, is_admin=True, status="active"
            )

    client = client_for(personas.doctor)
    add_facilities(1)
    with django_assert_max_num_queries(MINE_QUERIES):
        client.get(reverse("facilities:mine"))
    add_facilities(20)
    with django_assert_max_num_queries(MINE_QUERIES):
        response = client.get(reverse("facilities:mine"))
    assert response.content.decode().count('class="row-link"') == 22


# session, user, login policy (can_log_in: affiliations, operator roles, suspensions; a TOTP
# device?; a Network requiring two factors?), my facilities with counts, my applications,
# navigation context (operator roles, suspensions, admin affiliation exists).
MINE_QUERIES = 12


# --- Staff page: access -----------------------------------------------------------------


def test_staff_page_shows_the_three_lists_in_japanese(client_for, personas, add_staff):
    pending = add_staff(personas.clinic_a, 1, status=Affiliation.Status.PENDING, prefix="p")[0]
    ended = add_staff(personas.clinic_a, 1, status=Affiliation.Status.ENDED, prefix="e")[0]
    response = client_for(personas.doctor).get(_staff_url(personas.clinic_a))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("承認待ちの職員", "所属中の職員", "所属の履歴", "職員を招待する"):
        assert text in html
    assert "伊那 一郎" in html and "イナ イチロウ" in html  # name with kana
    assert pending.name_kana in html and ended.name_kana in html
    assert _aff_url("staff_approve", _affiliation(pending, personas.clinic_a)) in html
    assert f"/facility-status/facilities/{personas.clinic_a.uuid}/update/" in html
    assert "<script>" not in html and "style=" not in html


@pytest.mark.parametrize(
    "who",
    [
        "pharmacist",  # same Network, no admin anywhere
        "nurse",  # admin of another facility of the same Network
        "nurse_b",  # another Network
        "operator_c",  # an operator of another Network
    ],
)
def test_staff_pages_are_404_for_anyone_but_the_facilitys_admins(
    client_for, personas, add_staff, who
):
    pending = add_staff(personas.clinic_a, 1, status=Affiliation.Status.PENDING)[0]
    affiliation = _affiliation(pending, personas.clinic_a)
    client = client_for(getattr(personas, who))
    assert client.get(_staff_url(personas.clinic_a)).status_code == 404
    assert client.post(_aff_url("staff_approve", affiliation)).status_code == 404
    assert client.post(_aff_url("staff_reject", affiliation)).status_code == 404
    assert client.get(_aff_url("staff_end", affiliation)).status_code == 404
    assert client.post(_aff_url("staff_admin", affiliation), {"is_admin": "1"}).status_code == 404
    invite = reverse("facilities:invite", kwargs={"facility_uuid": personas.clinic_a.uuid})
    assert client.post(invite).status_code == 404
    affiliation.refresh_from_db()
    assert affiliation.status == Affiliation.Status.PENDING and not affiliation.is_admin
    assert not StaffInvitation.objects.exists()


def test_affiliation_of_another_facility_is_404_even_for_an_admin(client_for, personas):
    # The doctor administers the clinic; the nurse's affiliation belongs to the station.
    foreign = _affiliation(personas.nurse, personas.nursing_a)
    url = reverse(
        "facilities:staff_end",
        kwargs={"facility_uuid": personas.clinic_a.uuid, "affiliation_uuid": foreign.uuid},
    )
    assert client_for(personas.doctor).post(url).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Affiliation.Status.ACTIVE


def test_staff_page_anonymous_and_wrong_method(client, client_for, personas):
    response = client.get(_staff_url(personas.clinic_a))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client_for(personas.doctor).post(_staff_url(personas.clinic_a)).status_code == 405
    own = _affiliation(personas.doctor, personas.clinic_a)
    client = client_for(personas.doctor)
    assert client.get(_aff_url("staff_approve", own)).status_code == 405
    assert client.get(_aff_url("staff_reject", own)).status_code == 405
    assert client.get(_aff_url("staff_admin", own)).status_code == 405


def test_a_suspended_admin_cannot_manage_that_networks_facility(client_for, personas):
    from renrakucho.networks.models import Suspension

    Affiliation.objects.create(user=personas.doctor, facility=personas.nursing_b, status="active")
    Suspension.objects.create(
        network=personas.net_a,
        user=personas.doctor,
        reason="調査",
        suspended_by=personas.operator_a,
    )
    assert client_for(personas.doctor).get(_staff_url(personas.clinic_a)).status_code == 404


# Queries of the staff page, whatever the number of staff:
# session, user, login policy (5, as above), the facility (access), open affiliations with
# users, history with users, occupations of both, open invitations, navigation (3).
STAFF_QUERIES = 15


@pytest.mark.parametrize("n", [3, 30])
def test_staff_page_query_count_does_not_grow_with_staff(
    client_for, personas, add_staff, django_assert_max_num_queries, n
):
    add_staff(personas.clinic_a, n)
    add_staff(personas.clinic_a, n, status=Affiliation.Status.PENDING, prefix="p")
    add_staff(personas.clinic_a, n, status=Affiliation.Status.ENDED, prefix="e")
    client = client_for(personas.doctor)
    with django_assert_max_num_queries(STAFF_QUERIES):
        response = client.get(_staff_url(personas.clinic_a))
    assert response.content.decode().count("ショクイン") == 3 * n


# --- Approve / reject -------------------------------------------------------------------


def test_admin_approves_a_pending_staff_member(client_for, personas, add_staff):
    user = add_staff(personas.clinic_a, 1, status=Affiliation.Status.PENDING)[0]
    affiliation = _affiliation(user, personas.clinic_a)
    assert not user.can_log_in()
    response = client_for(personas.doctor).post(_aff_url("staff_approve", affiliation), follow=True)
    assert "承認しました。" in response.content.decode()
    affiliation.refresh_from_db()
    assert affiliation.status == Affiliation.Status.ACTIVE
    assert affiliation.approved_by == personas.doctor and affiliation.approved_at
    assert user.can_log_in()
    event = AuditEvent.objects.get(action=Action.STAFF_APPROVE)
    assert event.actor == personas.doctor
    assert event.network_id == personas.net_a.id
    assert event.target_id == str(affiliation.uuid)


def test_admin_rejects_a_pending_staff_member(client_for, personas, add_staff):
    user = add_staff(personas.clinic_a, 1, status=Affiliation.Status.PENDING)[0]
    affiliation = _affiliation(user, personas.clinic_a)
    response = client_for(personas.doctor).post(_aff_url("staff_reject", affiliation), follow=True)
    assert "却下しました。" in response.content.decode()
    affiliation.refresh_from_db()
    assert affiliation.status == Affiliation.Status.REJECTED
    assert not user.can_log_in()
    assert AuditEvent.objects.filter(action=Action.STAFF_REJECT).count() == 1


def test_approving_an_active_member_again_is_a_japanese_error(client_for, personas):
    own = _affiliation(personas.doctor, personas.clinic_a)
    response = client_for(personas.doctor).post(_aff_url("staff_approve", own), follow=True)
    assert "この職員は承認待ちではありません。" in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.STAFF_APPROVE).exists()


# --- Ending an affiliation ------------------------------------------------------------------


def test_end_confirmation_page(client_for, personas, add_staff):
    user = add_staff(personas.clinic_a, 1)[0]
    response = client_for(personas.doctor).get(
        _aff_url("staff_end", _affiliation(user, personas.clinic_a))
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "所属を終了します" in html and user.name_kana in html
    assert 'method="post"' in html


def test_ending_the_last_affiliation_stops_login(client_for, personas, add_staff):
    user = add_staff(personas.clinic_a, 1)[0]
    affiliation = _affiliation(user, personas.clinic_a)
    assert user.can_log_in()
    response = client_for(personas.doctor).post(_aff_url("staff_end", affiliation), follow=True)
    assert "所属を終了しました。" in response.content.decode()
    affiliation.refresh_from_db()
    assert affiliation.status == Affiliation.Status.ENDED
    assert affiliation.ended_by == personas.doctor and affiliation.ended_at
    assert not user.can_log_in()
    event = AuditEvent.objects.get(action=Action.STAFF_END)
    assert event.target_id == str(affiliation.uuid) and event.network_id == personas.net_a.id
    # It stays in the history.
    page = client_for(personas.doctor).get(_staff_url(personas.clinic_a)).content.decode()
    assert "所属終了" in page and user.name_kana in page


def test_ending_one_of_several_affiliations_keeps_login(client_for, personas, add_staff):
    user = add_staff(personas.clinic_a, 1)[0]
    Affiliation.objects.create(user=user, facility=personas.pharmacy_a, status="active")
    client_for(personas.doctor).post(_aff_url("staff_end", _affiliation(user, personas.clinic_a)))
    assert user.can_log_in()


def test_the_last_admin_cannot_end_their_own_affiliation(client_for, personas):
    own = _affiliation(personas.doctor, personas.clinic_a)
    response = client_for(personas.doctor).post(_aff_url("staff_end", own))
    assert response.status_code == 400
    assert (
        "この事業所の管理者はこの方だけのため、所属を終了できません。" in response.content.decode()
    )
    own.refresh_from_db()
    assert own.status == Affiliation.Status.ACTIVE
    assert not AuditEvent.objects.filter(action=Action.STAFF_END).exists()


def test_an_admin_can_leave_once_there_is_another_admin(client_for, personas, add_staff):
    colleague = add_staff(personas.clinic_a, 1)[0]
    client = client_for(personas.doctor)
    client.post(
        _aff_url("staff_admin", _affiliation(colleague, personas.clinic_a)), {"is_admin": "1"}
    )
    assert _affiliation(colleague, personas.clinic_a).is_admin
    own = _affiliation(personas.doctor, personas.clinic_a)
    response = client.post(_aff_url("staff_end", own))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == Affiliation.Status.ENDED
    # The doctor had no other affiliation: signed out and unable to log in.
    assert not personas.doctor.can_log_in()
    assert client.get(_staff_url(personas.clinic_a)).status_code == 302


def test_admin_rights_can_be_taken_but_not_from_the_last_admin(client_for, personas, add_staff):
    colleague = add_staff(personas.clinic_a, 1)[0]
    theirs = _affiliation(colleague, personas.clinic_a)
    client = client_for(personas.doctor)
    response = client.post(_aff_url("staff_admin", theirs), {"is_admin": "1"}, follow=True)
    assert "管理者にしました。" in response.content.decode()
    response = client.post(_aff_url("staff_admin", theirs), {"is_admin": "0"}, follow=True)
    assert "管理者権限を外しました。" in response.content.decode()
    theirs.refresh_from_db()
    assert not theirs.is_admin
    own = _affiliation(personas.doctor, personas.clinic_a)
    response = client.post(_aff_url("staff_admin", own), {"is_admin": "0"}, follow=True)
    assert "管理者が一人もいなくなるため、管理者権限を外せません。" in response.content.decode()
    own.refresh_from_db()
    assert own.is_admin
    details = [e.detail for e in AuditEvent.objects.filter(action=Action.STAFF_ROLE)]
    assert details == [{"is_admin": False}, {"is_admin": True}]  # newest first


# --- Invitations ----------------------------------------------------------------------


def _invite(client, facility, note="4月入職の看護師"):
    return client.post(
        reverse("facilities:invite", kwargs={"facility_uuid": facility.uuid}), {"note": note}
    )


def test_invitation_link_is_shown_once_and_stored_hashed(client_for, personas):
    client = client_for(personas.doctor)
    response = _invite(client, personas.clinic_a)
    assert response.status_code == 200
    html = response.content.decode()
    assert "招待リンクを作成しました" in html
    invitation = StaffInvitation.objects.get()
    prefix = "http://testserver/facilities/join/"
    start = html.index(prefix) + len(prefix)
    raw = html[start : html.index("/", start)]
    assert len(raw) >= 40
    assert invitation.token_hash == StaffInvitation.hash_token(raw)
    assert raw not in invitation.token_hash
    assert invitation.note == "4月入職の看護師"
    assert invitation.created_by == personas.doctor
    event = AuditEvent.objects.get(action=Action.STAFF_INVITE)
    assert event.target_id == str(invitation.uuid) and event.network_id == personas.net_a.id
    # The staff page lists the open invitation but never the link again.
    page = client.get(_staff_url(personas.clinic_a)).content.decode()
    assert "4月入職の看護師" in page and "未使用の招待リンク" in page
    assert raw not in page


def test_invite_needs_post(client_for, personas):
    url = reverse("facilities:invite", kwargs={"facility_uuid": personas.clinic_a.uuid})
    assert client_for(personas.doctor).get(url).status_code == 405


def test_too_long_note_is_a_japanese_error(client_for, personas):
    response = _invite(client_for(personas.doctor), personas.clinic_a, note="あ" * 201)
    assert response.status_code == 400
    assert "この値は 200 文字以下でなければなりません" in response.content.decode()
    assert not StaffInvitation.objects.exists()


def test_revoked_invitation_is_no_longer_usable(client, client_for, personas):
    admin = client_for(personas.doctor)
    html = _invite(admin, personas.clinic_a).content.decode()
    prefix = "http://testserver"
    start = html.index(prefix + "/facilities/join/") + len(prefix)
    join_url = html[start : html.index('"', start)]
    invitation = StaffInvitation.objects.get()
    revoke = reverse(
        "facilities:invitation_revoke",
        kwargs={"facility_uuid": personas.clinic_a.uuid, "invitation_uuid": invitation.uuid},
    )
    assert admin.get(revoke).status_code == 405
    assert client_for(personas.nurse).post(revoke).status_code == 404
    response = admin.post(revoke, follow=True)
    assert "招待リンクを取り消しました。" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at and invitation.revoked_by == personas.doctor
    assert client.get(join_url).status_code == 410
    again = admin.post(revoke, follow=True)
    assert "既に使用済みか、取り消されています。" in again.content.decode()
