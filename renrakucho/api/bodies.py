"""Reading request bodies the operations parse themselves: those accepting JSON or form
data, and DELETEs whose reason may come in a JSON body or the query string. Errors are
FieldErrors in the API's shape (api.errors) with Japanese messages."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from pydantic import ValidationError as PydanticValidationError

from .errors import FieldErrors, field_error, pydantic_errors

JSON_TYPES = frozenset({"application/json", ""})
FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


def content_type(request: HttpRequest) -> str:
    """The media type of the body, lower case, without parameters ("" when not sent)."""
    return (request.content_type or "").split(";", 1)[0].strip().lower()


def json_object(request: HttpRequest, *, required: bool = True) -> dict[str, Any]:
    """The JSON object in the body; {} for an empty body unless `required`.

    A body in another media type is 415, except empty form data (what many clients send for
    a POST "without a body"), which counts as an empty body."""
    kind = content_type(request)
    if kind in FORM_TYPES:
        # Read as a form (the raw body is gone once Django has parsed it).
        empty = request.method == "POST" and not request.POST and not request.FILES
        if not empty:
            raise HttpError(415, _("Content-Type は application/json を指定してください。"))
    elif kind not in JSON_TYPES and request.body:
        raise HttpError(415, _("Content-Type は application/json を指定してください。"))
    if kind in FORM_TYPES or not request.body:
        if required:
            raise field_error(None, _("JSONのオブジェクトを指定してください。"), type_="dict_type")
        return {}
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise field_error(None, _("JSONの形式が正しくありません。"), type_="json_invalid")
    if not isinstance(data, dict):
        raise field_error(None, _("JSONのオブジェクトを指定してください。"), type_="dict_type")
    return data


def unknown_fields(names) -> FieldErrors:
    return FieldErrors(
        [
            {
                "loc": ["body", name],
                "msg": _("この項目は指定できません。"),
                "type": "extra_forbidden",
            }
            for name in sorted(names)
        ]
    )


def reason_of(request: HttpRequest) -> str:
    """The reason of a DELETE: `{"reason": "…"}` in a JSON body, or `?reason=…`. Whether it
    may be empty is the service's rule (it answers in Japanese)."""
    data = json_object(request, required=False)
    if set(data) - {"reason"}:
        raise unknown_fields(set(data) - {"reason"})
    reason = data.get("reason", request.GET.get("reason", ""))
    if reason is None:
        reason = ""
    if not isinstance(reason, str):
        raise field_error("reason", _("文字列を指定してください。"), type_="string_type")
    return reason


def validated(schema, data: dict[str, Any]):
    """`data` validated by the pydantic `schema`, or 422 in the API's shape."""
    try:
        return schema.model_validate(data)
    except PydanticValidationError as error:
        errors = pydantic_errors(error.errors())
        for item in errors:
            item["loc"] = ["body", *item["loc"]]
        raise FieldErrors(errors) from None


def json_schema(schema) -> dict[str, Any]:
    """The JSON schema of a body parsed by hand, for `openapi_extra`. Nested models and
    enums refer to the document's components (they are registered there by the operations
    that take them as a declared body)."""
    document = schema.model_json_schema(ref_template="#/components/schemas/{model}")
    document.pop("$defs", None)
    return document


# --- uploads: JSON, or form data with the files as repeated `files` parts ---------------------
FILES_PART = "files"
FILES_PART_DOC = {
    "type": "array",
    "items": {"type": "string", "format": "binary"},
    "description": "写真（JPEG/PNG/HEIC）・動画（MP4/MOV）・PDF",
}


def form_input(
    request: HttpRequest, *, optional: Iterable[str] = (), json_fields: Iterable[str] = ()
) -> tuple[dict[str, Any], list]:
    """(fields, files) of a body that may carry files: a JSON object (no files), or
    (multipart) form data with the files as repeated `files` parts — a file under any other
    part name is 422. In form data, the `optional` fields left empty ("") count as not given
    (as a key left out of JSON), and the `json_fields` hold a JSON text (422 when it is not
    one). Any other media type is 415."""
    kind = content_type(request)
    if kind in FORM_TYPES:
        unknown = sorted(name for name in request.FILES if name != FILES_PART)
        if unknown:
            raise FieldErrors(
                [
                    {
                        "loc": ["body", name],
                        "msg": _("ファイルは files という名前で送ってください。"),
                        "type": "extra_forbidden",
                    }
                    for name in unknown
                ]
            )
        data: dict[str, Any] = {name: request.POST.get(name) for name in request.POST}
        for name in optional:
            if data.get(name) == "":
                del data[name]
        for name in json_fields:
            if data.get(name) is not None:
                try:
                    data[name] = json.loads(data[name])
                except ValueError:
                    raise field_error(
                        name, _("JSONの形式が正しくありません。"), type_="json_invalid"
                    )
        return data, request.FILES.getlist(FILES_PART)
    if kind in JSON_TYPES:
        return json_object(request), []
    raise HttpError(
        415,
        _("Content-Type は application/json または multipart/form-data を指定してください。"),
    )


def upload_body_doc(
    json_body: dict[str, Any],
    form_properties: dict[str, Any],
    *,
    required: list[str] | None = None,
) -> dict[str, Any]:
    """`openapi_extra` of an operation reading `form_input`: the JSON body (`json_body`, a
    JSON schema) or form data with the fields `form_properties` (`required` among them)
    and the `files` parts."""
    form: dict[str, Any] = {"type": "object"}
    if required is not None:
        form["required"] = required
    form["properties"] = {**form_properties, FILES_PART: FILES_PART_DOC}
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": json_body},
                "multipart/form-data": {"schema": form},
            },
        }
    }
