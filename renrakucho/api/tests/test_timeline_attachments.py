"""GET /attachments/{id} (the file) and GET /attachments/{id}/thumbnail (the preview)."""

import pytest

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.testing.files import has_gps, jpeg_with_gps, pdf_bytes, upload

pytestmark = pytest.mark.django_db

OUTSIDERS = ["pharmacist", "nurse_b", "operator_c"]


@pytest.fixture
def photo_post(personas, make_post, media_root):
    def make(author=None, **fields):
        post = make_post(
            author or personas.nurse, files=[upload("a.jpg", jpeg_with_gps())], **fields
        )
        return post, post.attachments.get()

    return make


def path(attachment, suffix=""):
    return f"/attachments/{attachment.uuid}{suffix}"


def test_download_is_an_attachment_with_nosniff(personas, api_for, photo_post, last_audit):
    post, attachment = photo_post()
    response = api_for(personas.doctor).get(path(attachment))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith('attachment; filename="photo-')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    content = b"".join(response.streaming_content)
    assert content[:3] == b"\xff\xd8\xff" and not has_gps(content)
    event = last_audit()
    assert event.action == Action.ATTACHMENT_VIEW and event.target_id == str(attachment.uuid)
    assert event.detail == {"channel": "api", "post": str(post.uuid)}


def test_pdf_download_and_its_preview(personas, api_for, make_post, media_root):
    post = make_post(personas.nurse, files=[upload("shiji.pdf", pdf_bytes())])
    attachment = post.attachments.get()
    api = api_for(personas.doctor)
    response = api.get(path(attachment))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    preview = api.get(path(attachment, "/thumbnail"))
    assert preview.status_code == 200 and preview["Content-Type"] == "image/jpeg"
    assert preview["X-Content-Type-Options"] == "nosniff"


def test_thumbnail_is_not_audited(personas, api_for, photo_post):
    _, attachment = photo_post()
    before = AuditEvent.objects.count()
    response = api_for(personas.doctor).get(path(attachment, "/thumbnail"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    assert AuditEvent.objects.count() == before


def test_file_of_a_retracted_post_is_404(personas, api_for, photo_post):
    post, attachment = photo_post()
    api = api_for(personas.nurse)
    assert api.delete(f"/posts/{post.uuid}", {"reason": "誤った写真"}).status_code == 200
    assert api.get(path(attachment)).status_code == 404
    assert api.get(path(attachment, "/thumbnail")).status_code == 404


def test_file_of_a_medical_post_is_404_for_non_medical_readers(personas, api_for, photo_post):
    _, attachment = photo_post(visibility="medical")
    assert api_for(personas.doctor).get(path(attachment)).status_code == 200
    assert api_for(personas.caremanager).get(path(attachment)).status_code == 404
    assert api_for(personas.caremanager).get(path(attachment, "/thumbnail")).status_code == 404


def test_a_member_who_left_loses_the_files(personas, api_for, photo_post):
    _, attachment = photo_post()
    api = api_for(personas.doctor)
    assert api.get(path(attachment)).status_code == 200
    personas.resident.team_members.filter(user=personas.doctor).update(status="left")
    assert api.get(path(attachment)).status_code == 404


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_404(personas, api_for, photo_post, who):
    _, attachment = photo_post()
    before = AuditEvent.objects.count()
    api = api_for(getattr(personas, who))
    assert api.get(path(attachment)).status_code == 404
    assert api.get(path(attachment, "/thumbnail")).status_code == 404
    assert AuditEvent.objects.count() == before


def test_wrong_method_and_anonymous(personas, api_for, photo_post):
    _, attachment = photo_post()
    assert api_for(personas.doctor).post(path(attachment)).status_code == 405
    assert api_for(personas.doctor).delete(path(attachment, "/thumbnail")).status_code == 405
    assert api_for(None).get(path(attachment)).status_code == 401
    assert api_for(None).get(path(attachment, "/thumbnail")).status_code == 401


def test_download_query_count(personas, api_for, photo_post, django_assert_max_num_queries):
    _, attachment = photo_post()
    api = api_for(personas.doctor)
    # auth 4; access_attachment: attachment (+post, resident) 1, resident access 1, medical
    # occupation 1; audit 5. The size of the file changes nothing.
    with django_assert_max_num_queries(12):
        response = api.get(path(attachment))
    assert response.status_code == 200
