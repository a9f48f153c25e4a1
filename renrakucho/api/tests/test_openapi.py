"""The OpenAPI document and the shape every operation shares."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/v1/auth/token": {"post"},
    "/api/v1/auth/tokens": {"get"},
    "/api/v1/auth/tokens/{token_id}": {"delete"},
    "/api/v1/me": {"get"},
    "/api/v1/residents": {"get", "post"},
    "/api/v1/residents/{resident_id}": {"get", "patch"},
    "/api/v1/residents/{resident_id}/team": {"get", "post"},
    "/api/v1/residents/{resident_id}/team/leave": {"post"},
    "/api/v1/residents/{resident_id}/team/{membership_id}": {"delete"},
    "/api/v1/team-invitations": {"get"},
    "/api/v1/team-invitations/{membership_id}/accept": {"post"},
    "/api/v1/team-invitations/{membership_id}/decline": {"post"},
    "/api/v1/residents/{resident_id}/consents": {"get", "post"},
    "/api/v1/residents/{resident_id}/consents/{consent_id}/revoke": {"post"},
    "/api/v1/audit": {"get"},
    # issue 3: the timeline, vitals, medication and disease lists, notices, notifications
    "/api/v1/residents/{resident_id}/posts": {"get", "post"},
    "/api/v1/posts/{post_id}": {"get", "patch", "delete"},
    "/api/v1/posts/{post_id}/read": {"post"},
    "/api/v1/posts/{post_id}/readers": {"get"},
    "/api/v1/posts/{post_id}/ack": {"post"},
    "/api/v1/posts/{post_id}/comments": {"get", "post"},
    "/api/v1/attachments/{attachment_id}": {"get"},
    "/api/v1/attachments/{attachment_id}/thumbnail": {"get"},
    "/api/v1/residents/{resident_id}/vitals": {"get"},
    "/api/v1/residents/{resident_id}/medications": {"get", "post"},
    "/api/v1/medications/{medication_id}": {"patch", "delete"},
    "/api/v1/residents/{resident_id}/diagnoses": {"get", "post"},
    "/api/v1/diagnoses/{diagnosis_id}": {"patch", "delete"},
    "/api/v1/notices": {"get"},
    "/api/v1/notices/{notice_id}/read": {"post"},
    "/api/v1/notices/{notice_id}/confirm": {"post"},
    "/api/v1/notices/{notice_id}/attachments/{attachment_id}": {"get"},
    "/api/v1/notifications": {"get"},
    "/api/v1/notifications/read": {"post"},
    # issue 4: the directory, chat, groups and boards, facility status, meetings
    "/api/v1/users": {"get"},
    "/api/v1/conversations": {"get", "post"},
    "/api/v1/conversations/{conversation_id}": {"get", "patch"},
    "/api/v1/conversations/{conversation_id}/members": {"post"},
    "/api/v1/conversations/{conversation_id}/members/{user_id}": {"delete"},
    "/api/v1/conversations/{conversation_id}/leave": {"post"},
    "/api/v1/conversations/{conversation_id}/messages": {"get", "post"},
    "/api/v1/messages/{message_id}": {"delete", "patch"},
    "/api/v1/conversations/{conversation_id}/read": {"post"},
    "/api/v1/conversations/{conversation_id}/attachments/{attachment_id}": {"get"},
    "/api/v1/groups": {"get", "post"},
    "/api/v1/groups/{group_id}": {"get"},
    "/api/v1/groups/{group_id}/join": {"post"},
    "/api/v1/groups/{group_id}/decline": {"post"},
    "/api/v1/groups/{group_id}/leave": {"post"},
    "/api/v1/groups/{group_id}/members": {"get", "post"},
    "/api/v1/groups/{group_id}/members/{membership_id}/approve": {"post"},
    "/api/v1/groups/{group_id}/members/{membership_id}/reject": {"post"},
    "/api/v1/groups/{group_id}/members/{membership_id}": {"delete", "patch"},
    "/api/v1/groups/{group_id}/threads": {"get", "post"},
    "/api/v1/threads/{thread_id}": {"get", "patch"},
    "/api/v1/threads/{thread_id}/read": {"post"},
    "/api/v1/threads/{thread_id}/replies": {"get", "post"},
    "/api/v1/board-files/{attachment_id}": {"get"},
    "/api/v1/board-files/{attachment_id}/thumbnail": {"get"},
    "/api/v1/facility-status": {"get"},
    "/api/v1/facilities/{facility_id}/status": {"get", "put"},
    "/api/v1/meetings": {"get", "post"},
    "/api/v1/meetings/{meeting_id}": {"get", "patch"},
    "/api/v1/meetings/{meeting_id}/cancel": {"post"},
    "/api/v1/meetings/{meeting_id}/respond": {"post"},
    "/api/v1/meetings/{meeting_id}/minutes": {"get", "put"},
    "/api/v1/meetings/{meeting_id}/attachments/{attachment_id}": {"get"},
}


def test_openapi_json_is_served_without_a_token_and_lists_every_path():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["version"] == "1"
    assert {path: set(ops) for path, ops in schema["paths"].items()} == PATHS
    schemes = schema["components"]["securitySchemes"]
    assert {s["scheme"] for s in schemes.values()} == {"bearer"}


def test_only_the_token_endpoint_is_open():
    schema = Client().get("/api/v1/openapi.json").json()
    open_ops = [
        (path, method)
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if not op.get("security")
    ]
    assert open_ops == [("/api/v1/auth/token", "post")]


def test_documented_field_names_of_the_external_interface():
    components = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert set(components["ResidentPage"]["properties"]) == {"items", "count"}
    assert {"id", "name", "name_kana", "care_level", "care_level_label", "age", "network"} == set(
        components["ResidentListItem"]["properties"]
    )
    assert {"at", "actor", "action", "action_label", "target", "ip"} <= set(
        components["AuditEntryOut"]["properties"]
    )
    assert set(components["TokenIn"]["properties"]) >= {"username", "password", "otp"}
    assert {
        "id", "kind", "body", "author", "created_at", "visited_at", "visibility", "urgent",
        "version", "edited", "retracted", "vitals", "attachments", "read_count",
        "acknowledged_by", "comment_count",
    } <= set(components["PostOut"]["properties"])  # fmt: skip
    assert {"id", "content_type", "size", "kind", "url", "thumbnail_url"} <= set(
        components["AttachmentOut"]["properties"]
    )
    assert set(components["AuthorOut"]["properties"]) == {
        "id", "username", "name", "name_kana", "occupations",
    }  # fmt: skip
    assert set(components["VitalsIn"]["properties"]) == {
        "systolic", "diastolic", "pulse", "temperature", "spo2", "respiration", "weight",
        "glucose", "pain",
    }  # fmt: skip
    assert "abnormal" in components["VitalsOut"]["properties"]
    assert set(components["PostPage"]["properties"]) == {"items", "next_cursor"}


def test_every_reference_resolves():
    # Bodies parsed by hand (JSON or multipart) are documented through openapi_extra; their
    # references must point at registered components.
    schema = Client().get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]

    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    found = set(refs(schema["paths"])) | set(refs(components))
    assert found
    for ref in found:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[-1] in components, ref


def test_posting_documents_json_and_multipart():
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    content = paths["/api/v1/residents/{resident_id}/posts"]["post"]["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    form = content["multipart/form-data"]["schema"]["properties"]
    assert form["files"]["items"]["format"] == "binary"
    assert set(content["application/json"]["schema"]["properties"]) == {
        "kind", "body", "vitals", "visibility", "urgent", "visited_at",
    }  # fmt: skip


def test_docs_page_never_loads_from_a_cdn():
    response = Client().get("/api/v1/docs")
    # Served only with ninja's vendored static files ("ninja" in INSTALLED_APPS), else absent.
    assert response.status_code in {200, 404}
    body = response.content.decode()
    assert "cdn." not in body
    assert "<script>" not in body
