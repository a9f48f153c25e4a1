"""The OpenAPI document and the shape every operation shares."""

import enum
import typing
from collections import defaultdict

import pytest
from django.test import Client
from ninja.openapi.schema import REF_TEMPLATE
from ninja.schema import NinjaGenerateJsonSchema
from pydantic import BaseModel

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/v1/auth/token": {"post"},
    "/api/v1/auth/tokens": {"get"},
    "/api/v1/auth/tokens/{token_id}": {"delete"},
    "/api/v1/me": {"get"},
    "/api/v1/residents": {"get", "post"},
    "/api/v1/residents/{resident_id}": {"get", "patch"},
    "/api/v1/residents/{resident_id}/team": {"get", "post"},
    "/api/v1/residents/{resident_id}/team/candidates": {"get"},
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
    "/api/v1/groups/{group_id}": {"get", "patch"},
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
    # issue 5: agreements between Networks
    "/api/v1/agreements": {"get", "post"},
    "/api/v1/agreements/{agreement_id}": {"get"},
    "/api/v1/agreements/{agreement_id}/accept": {"post"},
    "/api/v1/agreements/{agreement_id}/decline": {"post"},
    "/api/v1/agreements/{agreement_id}/leave": {"post"},
    "/api/v1/agreements/{agreement_id}/invite": {"post"},
    "/api/v1/agreements/{agreement_id}/end": {"post"},
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


# --- components: one class per name -------------------------------------------------------
# ninja names each component after its class (`__name__`) and keeps the last schema registered
# under a name: two classes sharing a name would silently document one operation with the
# other's shape.
def _operations():
    """(method, path, operation) of every operation of the document."""
    from renrakucho.api.urls import api

    for router in api._get_bound_routers():  # what ninja's document generator walks
        for path, view in router.path_operations.items():
            parts = [part.strip("/") for part in (router.prefix, path) if part.strip("/")]
            for operation in view.operations:
                for method in operation.methods:
                    yield method.lower(), "/api/v1/" + "/".join(parts), operation


def _is_model(value) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _named_classes(annotation, found: set) -> None:
    """Add the models and enums under `annotation` (and under their fields) to `found`: each
    becomes a component named after the class."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel | enum.Enum):
        if annotation not in found:
            found.add(annotation)
            if issubclass(annotation, BaseModel):
                for field in annotation.model_fields.values():
                    _named_classes(field.annotation, found)
        return
    for argument in typing.get_args(annotation):
        _named_classes(argument, found)


def _subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def _component_classes() -> set:
    found: set = set()
    for _method, _path, operation in _operations():
        # ninja wraps the parameters, bodies and responses of an operation in models of its
        # own (never components); their fields hold the declared classes.
        for wrapper in [*operation.models, *operation.response_models.values()]:
            if _is_model(wrapper):
                for field in wrapper.model_fields.values():
                    _named_classes(field.annotation, found)
    # Bodies read by hand are documented from their models through openapi_extra
    # (bodies.json_schema), out of ninja's sight: count every model of the project.
    for model in _subclasses(BaseModel):
        if model.__module__.startswith("renrakucho."):
            _named_classes(model, found)
    return found


def test_component_names_are_unique():
    classes = _component_classes()
    assert {"ResidentRef", "AttachmentOut", "PostKind"} <= {cls.__name__ for cls in classes}
    by_name = defaultdict(set)
    for cls in classes:
        by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(found) for name, found in by_name.items() if len(found) > 1}
    assert shared == {}, "one component name for several classes; rename the router's own"


def _inlined(node, definitions: dict, depth: int = 0):
    """`node` with every reference replaced by its definition; a `"default": null` (shown by
    one schema generator, left out by the other) dropped."""
    assert depth < 20, "a recursive schema"
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].removeprefix("#/components/schemas/")
            return _inlined(definitions[name], definitions, depth + 1)
        return {
            key: _inlined(value, definitions, depth)
            for key, value in node.items()
            if not (key == "default" and value is None)
        }
    if isinstance(node, list):
        return [_inlined(value, definitions, depth) for value in node]
    return node


def _declared(wrapper, mode: str, by_alias: bool = True):
    """The schema of the class an operation declares (the one field of ninja's wrapper),
    generated on its own: no other operation's class can stand in for one it refers to."""
    schema = wrapper.model_json_schema(
        ref_template=REF_TEMPLATE,
        schema_generator=NinjaGenerateJsonSchema,
        mode=mode,
        by_alias=by_alias,
    )
    [field] = schema["properties"].values()
    return _inlined(field, schema.get("$defs", {}))


def test_every_operation_documents_the_shapes_it_declares():
    document = Client().get("/api/v1/openapi.json").json()
    components = document["components"]["schemas"]
    checked, wrong = 0, []
    for method, path, operation in _operations():
        documented = document["paths"][path][method]
        for status, wrapper in operation.response_models.items():
            if status is Ellipsis or not _is_model(wrapper):
                continue
            content = documented["responses"][str(status)]["content"]["application/json"]
            checked += 1
            if _inlined(content["schema"], components) != _declared(
                wrapper, "serialization", operation.by_alias
            ):
                wrong.append(f"{method} {path} {status}")
        body = [m for m in operation.models if m.__ninja_param_source__ == "body"]
        if body and "requestBody" not in (operation.openapi_extra or {}):
            [wrapper] = body
            content = documented["requestBody"]["content"]["application/json"]
            checked += 1
            if _inlined(content["schema"], components) != _declared(wrapper, "validation"):
                wrong.append(f"{method} {path} body")
    assert checked > 100
    assert wrong == []
