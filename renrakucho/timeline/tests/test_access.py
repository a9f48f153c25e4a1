"""timeline.access: who sees which post (team, consent, medical-only), and for_write."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from renrakucho.residents.models import CareTeamMember
from renrakucho.timeline.access import (
    access_attachment,
    access_post,
    access_timeline,
    visible_posts,
)
from renrakucho.timeline.models import Attachment, Post


@pytest.fixture
def posts(personas):
    team = Post.objects.create(
        resident=personas.resident, author=personas.nurse, kind="message", body="team"
    )
    medical = Post.objects.create(
        resident=personas.resident,
        author=personas.doctor,
        kind="medical_care",
        body="medical",
        visibility="medical",
    )
    return team, medical


def test_team_members_and_the_operator_see_team_posts(personas, posts):
    team, _ = posts
    for user in (personas.nurse, personas.doctor, personas.caremanager, personas.operator_a):
        access, post = access_post(user, team.uuid)
        assert post == team and access.resident == personas.resident


@pytest.mark.parametrize("who", ["pharmacist", "nurse_b", "operator_c"])
def test_outsiders_get_404(personas, posts, who):
    for post in posts:
        with pytest.raises(Http404):
            access_post(getattr(personas, who), post.uuid)
    with pytest.raises(Http404):
        access_timeline(getattr(personas, who), personas.resident.uuid)


def test_medical_posts_only_for_medical_occupations(personas, posts):
    team, medical = posts
    assert access_post(personas.doctor, medical.uuid)[1] == medical
    assert access_post(personas.nurse, medical.uuid)[1] == medical
    for user in (personas.caremanager, personas.operator_a):  # care manager; municipal officer
        with pytest.raises(Http404):
            access_post(user, medical.uuid)
        assert list(visible_posts(access_timeline(user, personas.resident.uuid))) == [team]
    assert set(visible_posts(access_timeline(personas.doctor, personas.resident.uuid))) == {
        team,
        medical,
    }


def test_plain_resident_access_fails_closed(personas, posts):
    from renrakucho.residents.access import Permission, access_resident

    access = access_resident(
        personas.doctor, personas.resident.uuid, permission=Permission.VIEW_DETAILS
    )
    assert list(visible_posts(access)) == [posts[0]]


def test_no_consent_in_force_hides_the_timeline(personas, posts):
    personas.consent.revoked_on = timezone.localdate()
    personas.consent.save(update_fields=["revoked_on"])
    with pytest.raises(Http404):
        access_post(personas.nurse, posts[0].uuid)
    with pytest.raises(Http404):
        access_timeline(personas.operator_a, personas.resident.uuid)


def test_a_member_who_left_loses_access(personas, posts):
    CareTeamMember.objects.filter(resident=personas.resident, user=personas.nurse).update(
        status=CareTeamMember.Status.LEFT
    )
    with pytest.raises(Http404):
        access_post(personas.nurse, posts[0].uuid)


def test_unknown_and_malformed_uuids_are_404(personas):
    for value in ("00000000-0000-4000-8000-000000000000", "not-a-uuid", None):
        with pytest.raises(Http404):
            access_post(personas.nurse, value)
        with pytest.raises(Http404):
            access_attachment(personas.nurse, value)


def test_for_write_needs_author_lead_or_operator(personas, posts):
    team, _ = posts  # written by the nurse
    assert access_post(personas.nurse, team.uuid, for_write=True)
    assert access_post(personas.caremanager, team.uuid, for_write=True)  # lead
    assert access_post(personas.operator_a, team.uuid, for_write=True)
    with pytest.raises(PermissionDenied):
        access_post(personas.doctor, team.uuid, for_write=True)


def test_attachments_follow_their_post(personas, posts):
    team, medical = posts
    photo = Attachment.objects.create(
        post=team, resident=personas.resident, uploaded_by=personas.nurse, kind="photo",
        file="timeline/x.jpg", content_type="image/jpeg", size=1,
    )  # fmt: skip
    secret = Attachment.objects.create(
        post=medical, resident=personas.resident, uploaded_by=personas.doctor, kind="pdf",
        file="timeline/y.pdf", content_type="application/pdf", size=1,
    )  # fmt: skip
    loose = Attachment.objects.create(
        resident=personas.resident, uploaded_by=personas.nurse, kind="pdf",
        file="timeline/z.pdf", content_type="application/pdf", size=1,
    )  # fmt: skip
    assert access_attachment(personas.caremanager, photo.uuid)[1] == photo
    with pytest.raises(Http404):
        access_attachment(personas.caremanager, secret.uuid)
    with pytest.raises(Http404):
        access_attachment(personas.nurse, loose.uuid)
    team.retracted_at = timezone.now()
    team.save(update_fields=["retracted_at"])
    with pytest.raises(Http404):
        access_attachment(personas.nurse, photo.uuid)
