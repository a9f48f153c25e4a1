"""Persona tests of cross-Network care teams (広域連携), through the pages and the API.

B's nurse (Network B, in an Agreement with A) is invited to R's team in A, joins, reads and
posts; C's nurse (Network C, not in it) cannot be invited and gets 404 everywhere; ending the
Agreement removes B's nurse's access to pages, API and attachments at once (the websocket:
residents/tests/test_cross_network_socket.py); her posts stay, marked with Network B.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from renrakucho.residents.access import access_resident
from renrakucho.residents.models import CareTeamMember
from renrakucho.residents.tests.crossnet import (
    allow_cross_network,
    cross_team,
    end_agreement,
    make_agreement,
    make_nurse_c,
)
from renrakucho.testing.files import jpeg_with_gps
from renrakucho.timeline.access import access_timeline
from renrakucho.timeline.services import post_create

NOT_INVITABLE = (
    "この方は招待できません（このネットワーク、または広域連携協定を結んでいるネットワークの"
    "専門職ではありません）。"
)
NO_CONSENT = (
    "本人の同意（ネットワークをまたぐ共有）がないため、他のネットワークの方は招待できません。"
)


def team_path(personas):
    return f"/residents/{personas.resident.uuid}/team"


def pages(personas, post=None, attachment=None):
    r = personas.resident.uuid
    urls = [
        reverse("residents:detail", args=[r]),
        reverse("residents:team", args=[r]),
        reverse("timeline:timeline", args=[r]),
        reverse("timeline:vitals", args=[r]),
    ]
    if post is not None:
        urls.append(reverse("timeline:post_detail", args=[post.uuid]))
    if attachment is not None:
        urls.append(reverse("timeline:attachment", args=[attachment.uuid]))
        urls.append(reverse("timeline:attachment_thumbnail", args=[attachment.uuid]))
    return urls


def api_paths(personas, post=None, attachment=None):
    r = personas.resident.uuid
    paths = [f"/residents/{r}", f"/residents/{r}/team", f"/residents/{r}/posts"]
    if post is not None:
        paths.append(f"/posts/{post.uuid}")
    if attachment is not None:
        paths.append(f"/attachments/{attachment.uuid}")
    return paths


def post_with_photo(personas, author):
    post = post_create(
        actor=author,
        access=access_timeline(author, personas.resident.uuid),
        kind="message",
        body="訪問しました。",
        files=[SimpleUploadedFile("photo.jpg", jpeg_with_gps(), content_type="image/jpeg")],
    )
    return post, post.attachments.get()


def test_nurse_of_b_is_invited_joins_reads_and_posts(personas, client_for, api_for):
    make_agreement(personas.net_a, personas.net_b, proposer=personas.operator_a)
    allow_cross_network(personas)
    lead = api_for(personas.caremanager)
    # The directory finds her, with only what is needed to invite.
    found = lead.get(f"{team_path(personas)}/candidates", {"q": "みなみ"}).json()
    assert [p["name"] for p in found] == ["南 看護"]
    assert set(found[0]) == {"id", "name", "name_kana", "occupations", "facility", "network"}
    assert found[0]["facility"] == "まっくん訪問看護"
    assert found[0]["network"]["slug"] == "minamiminowa"
    # Also on the page, by facility name, marked with her Network.
    page = client_for(personas.caremanager).get(
        reverse("residents:team", args=[personas.resident.uuid]), {"facility": "まっくん"}
    )
    assert "南 看護" in page.content.decode() and "南箕輪村電子連絡帳" in page.content.decode()

    response = lead.post(team_path(personas), {"user": str(personas.nurse_b.uuid), "role": "other"})
    assert response.status_code == 201, response.json()
    invitations = api_for(personas.nurse_b).get("/team-invitations").json()
    assert [i["resident"]["name"] for i in invitations] == ["山田 花子"]
    accepted = api_for(personas.nurse_b).post(f"/team-invitations/{invitations[0]['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "active"

    # She reads the pages and the API, and posts.
    nurse_b = client_for(personas.nurse_b)
    for url in pages(personas):
        assert nurse_b.get(url).status_code == 200, url
    api = api_for(personas.nurse_b)
    for path in api_paths(personas):
        assert api.get(path).status_code == 200, path
    posted = api.post(
        f"/residents/{personas.resident.uuid}/posts", {"kind": "message", "body": "B"}
    )
    assert posted.status_code == 201
    # "My residents": R, marked with A's Network.
    dashboard = nurse_b.get(reverse("residents:list")).content.decode()
    assert "山田 花子" in dashboard and "他のネットワーク" in dashboard
    # The resident's operator sees her as an external member.
    team_page = client_for(personas.operator_a).get(
        reverse("residents:team", args=[personas.resident.uuid])
    )
    assert "外部（南箕輪村電子連絡帳）" in team_page.content.decode()


def test_without_cross_network_consent_the_invitation_is_refused(personas, api_for, client_for):
    make_agreement(personas.net_a, personas.net_b, proposer=personas.operator_a)
    lead = api_for(personas.caremanager)
    assert lead.get(f"{team_path(personas)}/candidates", {"q": "みなみ"}).json() == []
    response = lead.post(team_path(personas), {"user": str(personas.nurse_b.uuid), "role": "other"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == NO_CONSENT
    page = client_for(personas.caremanager).post(
        reverse("residents:team_invite", args=[personas.resident.uuid]),
        {"invitee": str(personas.nurse_b.uuid), "role": "other"},
    )
    assert page.status_code == 200
    assert not personas.resident.team_members.filter(user=personas.nurse_b).exists()


def test_nurse_of_c_cannot_be_invited_and_gets_404_everywhere(personas, api_for, client_for):
    cross_team(personas)
    nurse_c = make_nurse_c(personas)
    lead = api_for(personas.caremanager)
    assert lead.get(f"{team_path(personas)}/candidates", {"q": "みのわ"}).json() == []
    response = lead.post(team_path(personas), {"user": str(nurse_c.uuid), "role": "other"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == NOT_INVITABLE
    post, attachment = post_with_photo(personas, personas.nurse)
    client = client_for(nurse_c)
    for url in pages(personas, post, attachment):
        assert client.get(url).status_code == 404, url
    api = api_for(nurse_c)
    for path in [*api_paths(personas, post, attachment), f"{team_path(personas)}/candidates"]:
        assert api.get(path).status_code == 404, path


def test_ending_the_agreement_removes_access_at_once(personas, client_for, api_for):
    agreement = cross_team(personas)
    own_post, own_file = post_with_photo(personas, personas.nurse_b)
    assert own_post.author_network == personas.net_b
    post, attachment = post_with_photo(personas, personas.nurse)
    client, api = client_for(personas.nurse_b), api_for(personas.nurse_b)
    for url in pages(personas, post, attachment):
        assert client.get(url).status_code == 200, url
    for path in api_paths(personas, post, attachment):
        assert api.get(path).status_code == 200, path

    end_agreement(agreement, personas.operator_a)

    for url in pages(personas, post, attachment) + pages(personas, own_post, own_file):
        assert client.get(url).status_code == 404, url
    for path in api_paths(personas, post, attachment) + api_paths(personas, own_post, own_file):
        assert api.get(path).status_code == 404, path
    assert api.get("/residents").json()["count"] == 0
    # Her past posts stay on the timeline, marked with her Network; the membership row stays.
    timeline = client_for(personas.nurse).get(
        reverse("timeline:timeline", args=[personas.resident.uuid])
    )
    assert str(own_post.uuid) in timeline.content.decode()
    own_post.refresh_from_db()
    assert own_post.author_network == personas.net_b and not own_post.is_retracted
    assert personas.resident.team_members.get(user=personas.nurse_b).status == (
        CareTeamMember.Status.ACTIVE
    )


@pytest.mark.parametrize("who", ["operator_a", "operator_b"])
def test_operators_see_only_what_they_should(personas, client_for, who):
    cross_team(personas)
    from renrakucho.networks.models import OperatorRole
    from renrakucho.testing.personas import make_facility, make_user

    hall_b = make_facility(personas.net_b, "南箕輪村 福祉課", "municipal_department")
    operator_b = make_user(
        "p-operator-b", "運営 南", "ウンエイ ミナミ", "municipal_officer", hall_b
    )
    OperatorRole.objects.create(network=personas.net_b, user=operator_b)
    user = personas.operator_a if who == "operator_a" else operator_b
    client = client_for(user)
    expected = 200 if who == "operator_a" else 404
    for url in pages(personas):
        assert client.get(url).status_code == expected, url
    if who == "operator_a":
        access = access_resident(user, personas.resident.uuid)
        assert access.is_operator and not access.is_member


def test_the_page_says_why_a_partner_professional_is_refused(personas, client_for):
    make_agreement(personas.net_a, personas.net_b, proposer=personas.operator_a)
    client = client_for(personas.caremanager)
    url = reverse("residents:team_invite", args=[personas.resident.uuid])
    response = client.post(url, {"invitee": str(personas.nurse_b.uuid), "role": "other"})
    assert NO_CONSENT in response.content.decode()
    allow_cross_network(personas)
    response = client.post(url, {"invitee": str(personas.nurse_b.uuid), "role": "other"})
    assert response.status_code == 302
    assert personas.resident.team_members.get(user=personas.nurse_b).status == "invited"


def test_nurse_of_c_is_refused_on_the_page(personas, client_for):
    cross_team(personas)
    nurse_c = make_nurse_c(personas)
    response = client_for(personas.caremanager).post(
        reverse("residents:team_invite", args=[personas.resident.uuid]),
        {"invitee": str(nurse_c.uuid), "role": "other"},
    )
    assert "この方は招待できません" in response.content.decode()
    assert not personas.resident.team_members.filter(user=nurse_c).exists()


@pytest.mark.parametrize("n", [1, 12])
def test_candidates_query_count_does_not_grow(personas, api_for, django_assert_num_queries, n):
    from renrakucho.testing.personas import make_user

    cross_team(personas)
    for i in range(n):
        make_user(
            f"b-helper-{i}", f"南 介護{i}", f"ミナミ カイゴ{i}", "home_helper", personas.nursing_b
        )
    api = api_for(personas.caremanager)
    path = f"{team_path(personas)}/candidates"
    # token, the token user's Networks and two-factor policy (2), token last used, access,
    # partner Networks, people, occupations, affiliations with facility and Network, audit
    # row (savepoint, head, insert, head update, release)
    with django_assert_num_queries(14):
        response = api.get(path, {"q": "みなみ"})
    assert len(response.json()) == n
