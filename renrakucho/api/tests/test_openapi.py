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


def test_docs_page_never_loads_from_a_cdn():
    response = Client().get("/api/v1/docs")
    # Served only with ninja's vendored static files ("ninja" in INSTALLED_APPS), else absent.
    assert response.status_code in {200, 404}
    body = response.content.decode()
    assert "cdn." not in body
    assert "<script>" not in body
