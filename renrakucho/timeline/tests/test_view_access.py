"""The access checklist for EVERY timeline page, post, attachment and thumbnail: outsiders
(same-Network pharmacist, other-Network nurse and operator) get 404 with every method,
anonymous users go to the login page, a wrong method is 405, a non-medical member gets 404 on
a medical post, a teammate who left loses the files, and writes the reader may not do are
403."""

from __future__ import annotations

import pytest
from django.urls import reverse

from renrakucho.residents.models import CareTeamMember
from renrakucho.testing.files import pdf_bytes, png_bytes, upload
from renrakucho.timeline import services

OUTSIDERS = ("pharmacist", "nurse_b", "operator_c")


@pytest.fixture
def posts(personas, access_for, media_root):
    team = services.post_create(
        actor=personas.nurse, access=access_for(personas.nurse), kind="visit", body="訪問",
        visited_at=personas.resident.created_at, vitals={"pulse": "70"}, visibility="team",
        urgent=False, files=[upload("p.png", png_bytes())],
    )  # fmt: skip
    medical = services.post_create(
        actor=personas.doctor, access=access_for(personas.doctor), kind="medical_care",
        body="指示", visibility="medical", urgent=False, files=[upload("d.pdf", pdf_bytes())],
    )  # fmt: skip
    return team, medical


def _urls(personas, posts):
    team, medical = posts
    resident = {"resident_uuid": personas.resident.uuid}
    photo = team.attachments.get()
    pdf = medical.attachments.get()

    def post(p):
        return {"post_uuid": p.uuid}

    # name → (kwargs, allowed methods); "medical" variants point at the medical post.
    return {
        "timeline": (resident, {"get", "post"}),
        "print": (resident, {"get"}),
        "vitals": (resident, {"get"}),
        "vitals_json": (resident, {"get"}),
        "post_detail": (post(team), {"get"}),
        "post_edit": (post(team), {"get", "post"}),
        "post_history": (post(team), {"get"}),
        "post_retract": (post(team), {"get", "post"}),
        "attachment": ({"attachment_uuid": photo.uuid}, {"get"}),
        "attachment_thumbnail": ({"attachment_uuid": photo.uuid}, {"get"}),
        "medical:post_detail": (post(medical), {"get"}),
        "medical:post_edit": (post(medical), {"get", "post"}),
        "medical:post_history": (post(medical), {"get"}),
        "medical:post_retract": (post(medical), {"get", "post"}),
        "medical:attachment": ({"attachment_uuid": pdf.uuid}, {"get"}),
        "medical:attachment_thumbnail": ({"attachment_uuid": pdf.uuid}, {"get"}),
    }


def _url(name, kwargs):
    return reverse(f"timeline:{name.split(':')[-1]}", kwargs=kwargs)


def test_outsiders_get_404_everywhere(personas, posts, client_for):
    for who in OUTSIDERS:
        client = client_for(getattr(personas, who))
        for name, (kwargs, methods) in _urls(personas, posts).items():
            for method in methods:
                response = getattr(client, method)(_url(name, kwargs))
                assert response.status_code == 404, (who, name, method)


def test_unknown_uuids_are_404(personas, posts, client_for):
    client = client_for(personas.nurse)
    unknown = "00000000-0000-4000-8000-000000000000"
    for name, (kwargs, methods) in _urls(personas, posts).items():
        kwargs = {key: unknown for key in kwargs}
        for method in methods:
            assert getattr(client, method)(_url(name, kwargs)).status_code == 404, (name, method)


def test_anonymous_goes_to_login(personas, posts, client):
    for name, (kwargs, methods) in _urls(personas, posts).items():
        for method in methods:
            response = getattr(client, method)(_url(name, kwargs))
            assert response.status_code == 302, (name, method)
            assert response["Location"].startswith(reverse("accounts:login"))


def test_wrong_method_is_405(personas, posts, client_for):
    client = client_for(personas.nurse)
    for name, (kwargs, methods) in _urls(personas, posts).items():
        for method in {"get", "post", "put", "delete"} - methods:
            assert getattr(client, method)(_url(name, kwargs)).status_code == 405, (name, method)


def test_non_medical_members_get_404_on_medical_posts(personas, posts, client_for):
    for who in ("caremanager", "operator_a"):  # care manager on the team; municipal operator
        client = client_for(getattr(personas, who))
        for name, (kwargs, methods) in _urls(personas, posts).items():
            if not name.startswith("medical:"):
                continue
            for method in methods:
                assert getattr(client, method)(_url(name, kwargs)).status_code == 404, (who, name)
    # …while the doctor and nurse open them.
    for who in ("doctor", "nurse"):
        client = client_for(getattr(personas, who))
        assert client.get(_url("post_detail", {"post_uuid": posts[1].uuid})).status_code == 200
        pdf = posts[1].attachments.get()
        assert client.get(_url("attachment", {"attachment_uuid": pdf.uuid})).status_code == 200


def test_a_teammate_who_left_loses_the_files(personas, posts, client_for):
    client = client_for(personas.doctor)
    photo = posts[0].attachments.get()
    download = _url("attachment", {"attachment_uuid": photo.uuid})
    thumbnail = _url("attachment_thumbnail", {"attachment_uuid": photo.uuid})
    assert client.get(download).status_code == 200
    assert client.get(thumbnail).status_code == 200
    CareTeamMember.objects.filter(resident=personas.resident, user=personas.doctor).update(
        status=CareTeamMember.Status.REMOVED
    )
    assert client.get(download).status_code == 404
    assert client.get(thumbnail).status_code == 404
    assert client.get(_url("post_detail", {"post_uuid": posts[0].uuid})).status_code == 404


def test_writes_the_reader_may_not_do_are_403(personas, posts, client_for):
    team, _ = posts  # written by the nurse
    timeline = _url("timeline", {"resident_uuid": personas.resident.uuid})
    # The operator reads the timeline but does not post.
    operator = client_for(personas.operator_a)
    assert operator.get(timeline).status_code == 200
    assert operator.post(timeline, {"kind": "message", "body": "x"}).status_code == 403
    # The doctor (not the author, not the lead) neither edits nor retracts the nurse's post.
    doctor = client_for(personas.doctor)
    for name in ("post_edit", "post_retract"):
        url = _url(name, {"post_uuid": team.uuid})
        assert doctor.get(url).status_code == 403
        assert doctor.post(url, {"body": "x", "reason": "x"}).status_code == 403
    # The lead may retract but not edit.
    lead = client_for(personas.caremanager)
    assert lead.get(_url("post_retract", {"post_uuid": team.uuid})).status_code == 200
    assert lead.get(_url("post_edit", {"post_uuid": team.uuid})).status_code == 403
