"""The access checklist for EVERY resident view: outsiders and other Networks get 404,
anonymous users are sent to the login page, a wrong HTTP method is 405, and a member
without the permission gets 403 on writes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from renrakucho.residents.models import CareTeamMember


def _urls(p):
    resident = p.resident.uuid
    member = CareTeamMember.objects.get(resident=p.resident, user=p.nurse).uuid
    consent = p.consent.uuid
    # (name, kwargs, allowed methods)
    return {
        "detail": ({"resident_uuid": resident}, {"get"}),
        "edit": ({"resident_uuid": resident}, {"get", "post"}),
        "access_history": ({"resident_uuid": resident}, {"get"}),
        "consents": ({"resident_uuid": resident}, {"get", "post"}),
        "consent_revoke": ({"resident_uuid": resident, "consent_uuid": consent}, {"post"}),
        "consent_file": ({"resident_uuid": resident, "consent_uuid": consent}, {"get"}),
        "team": ({"resident_uuid": resident}, {"get"}),
        "team_invite": ({"resident_uuid": resident}, {"post"}),
        "team_leave": ({"resident_uuid": resident}, {"post"}),
        "team_remove": ({"resident_uuid": resident, "member_uuid": member}, {"post"}),
        "team_set_lead": ({"resident_uuid": resident, "member_uuid": member}, {"post"}),
    }


RESIDENT_VIEWS = [
    "detail",
    "edit",
    "access_history",
    "consents",
    "consent_revoke",
    "consent_file",
    "team",
    "team_invite",
    "team_leave",
    "team_remove",
    "team_set_lead",
]
GLOBAL_VIEWS = {"list": {"get"}, "create": {"get", "post"}}


@pytest.mark.parametrize("name", RESIDENT_VIEWS)
def test_outsiders_get_404_with_every_method(personas, client_for, name):
    kwargs, methods = _urls(personas)[name]
    url = reverse(f"residents:{name}", kwargs=kwargs)
    for who in ("pharmacist", "nurse_b", "operator_c"):
        client = client_for(getattr(personas, who))
        for method in methods:
            assert getattr(client, method)(url).status_code == 404, (who, method, url)


@pytest.mark.parametrize("name", RESIDENT_VIEWS)
def test_unknown_resident_is_404(personas, client_for, name):
    kwargs, methods = _urls(personas)[name]
    kwargs = {**kwargs, "resident_uuid": "00000000-0000-4000-8000-000000000000"}
    client = client_for(personas.operator_a)
    for method in methods:
        assert (
            getattr(client, method)(reverse(f"residents:{name}", kwargs=kwargs)).status_code == 404
        )


@pytest.mark.parametrize("name", [*RESIDENT_VIEWS, *GLOBAL_VIEWS])
def test_anonymous_is_sent_to_login(personas, client, name):
    kwargs, methods = _urls(personas).get(name, ({}, GLOBAL_VIEWS.get(name)))
    url = reverse(f"residents:{name}", kwargs=kwargs)
    for method in methods:
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", [*RESIDENT_VIEWS, *GLOBAL_VIEWS])
def test_wrong_method_is_405(personas, client_for, name):
    kwargs, methods = _urls(personas).get(name, ({}, GLOBAL_VIEWS.get(name)))
    url = reverse(f"residents:{name}", kwargs=kwargs)
    client = client_for(personas.caremanager)
    for method in {"get", "post", "put", "delete"} - methods:
        assert getattr(client, method)(url).status_code == 405, (method, url)


@pytest.mark.parametrize("name", ["team_remove", "team_set_lead", "access_history"])
def test_member_without_the_permission_gets_403(personas, client_for, name):
    kwargs, methods = _urls(personas)[name]
    client = client_for(personas.doctor)  # on the team, not its lead, not an operator
    for method in methods:
        assert (
            getattr(client, method)(reverse(f"residents:{name}", kwargs=kwargs)).status_code == 403
        )


@pytest.mark.parametrize("name", ["invitation_accept", "invitation_decline"])
def test_only_the_invitee_answers_an_invitation(personas, client_for, name):
    invitation = CareTeamMember.objects.create(
        resident=personas.resident, user=personas.pharmacist, role="pharmacist",
        invited_by=personas.caremanager,
    )  # fmt: skip
    url = reverse(f"residents:{name}", kwargs={"membership_uuid": invitation.uuid})
    assert client_for(personas.pharmacist).get(url).status_code == 405
    for who in ("nurse_b", "operator_c", "operator_a", "caremanager"):
        assert client_for(getattr(personas, who)).post(url).status_code == 404, who
    invitation.refresh_from_db()
    assert invitation.status == CareTeamMember.Status.INVITED


@pytest.mark.parametrize("name", ["invitation_accept", "invitation_decline"])
def test_anonymous_invitation_answer_goes_to_login(personas, client, name):
    url = reverse(
        f"residents:{name}", kwargs={"membership_uuid": "00000000-0000-4000-8000-000000000000"}
    )
    response = client.post(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
