"""Error responses of the API, all JSON with Japanese messages and no personal data.

- missing or not-allowed object → 404 `{"detail": "..."}` (the two are indistinguishable)
- missing write permission → 403 `{"detail": "..."}`
- no, invalid or revoked token → 401 `{"detail": "..."}` with `WWW-Authenticate: Bearer`
- bad input → 422 `{"detail": [{"loc": ["body", "field"], "msg": "...", "type": "..."}]}`,
  whether pydantic refused the request or a service raised Django's ValidationError.
- an uploaded file refused for its size → 413, for its type → 415, and a change on a record
  that moved on meanwhile (retracted, superseded, ended) → 409: the same list shape as 422
  (see `write_errors`).

Pydantic's own messages are English and echo the input; they are replaced by Japanese
messages chosen by error type, and the input is never sent back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

# The body parameter of every operation is named `payload`; ninja puts that name in the
# location, which says nothing to a client, so it is dropped: ["body", "field"].
BODY_PARAM = "payload"


class FieldErrors(Exception):
    """422 (or `status`) with errors already in the API's shape (raised by the API layer
    itself)."""

    def __init__(self, errors: list[dict[str, Any]], *, status: int = 422):
        self.errors = errors
        self.status = status
        super().__init__(errors)


def field_error(field: str | None, msg: str, *, source: str = "body", type_: str = "invalid"):
    loc = [source] if field is None else [source, field]
    return FieldErrors([{"loc": loc, "msg": msg, "type": type_}])


def not_found_message() -> str:
    return _("指定されたデータは見つからないか、参照する権限がありません。")


def _pydantic_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return _("この項目は必須です。")
    if kind.startswith("date_") and not kind.startswith("datetime_"):
        return _("日付の形式が正しくありません（例: 2024-04-01）。")
    if kind.startswith("datetime_"):
        return _("日時の形式が正しくありません。")
    if kind.startswith("uuid_"):
        return _("IDの形式が正しくありません。")
    if kind in {"enum", "literal_error"}:
        return _("選択肢の中から選んでください。")
    if kind.startswith(("int_", "decimal_", "float_")) and kind.endswith(("_parsing", "_type")):
        return _("数値を入力してください。")
    if kind.startswith("decimal_"):
        return _("数値の桁数が多すぎます。")
    if kind.startswith("bool_"):
        return _("true または false を指定してください。")
    if kind == "string_too_long":
        return _("%(n)s文字以内で入力してください。") % {"n": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("%(n)s文字以上で入力してください。") % {"n": ctx.get("min_length")}
    if kind == "string_type":
        return _("文字列を指定してください。")
    if kind in {"greater_than_equal", "greater_than"}:
        return _("%(n)s以上の値を指定してください。") % {"n": ctx.get("ge", ctx.get("gt"))}
    if kind in {"less_than_equal", "less_than"}:
        return _("%(n)s以下の値を指定してください。") % {"n": ctx.get("le", ctx.get("lt"))}
    if kind == "extra_forbidden":
        return _("この項目は指定できません。")
    if kind in {"model_attributes_type", "dict_type", "model_type"}:
        return _("JSONのオブジェクトを指定してください。")
    if kind == "list_type":
        return _("配列を指定してください。")
    if kind == "json_invalid":
        return _("JSONの形式が正しくありません。")
    if kind == "value_error" and "error" in ctx:
        # Raised by this API's own validators, whose messages are Japanese.
        return str(ctx["error"])
    return _("入力内容が正しくありません。")


def _location(loc: Any) -> list[Any]:
    loc = list(loc)
    if len(loc) >= 2 and loc[0] == "body" and loc[1] == BODY_PARAM:
        del loc[1]
    return loc


def pydantic_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"loc": _location(e.get("loc", ())), "msg": _pydantic_message(e), "type": e.get("type")}
        for e in errors
    ]


def _django_message(error: DjangoValidationError) -> str:
    if error.code in {"blank", "null", "required"}:
        return _("この項目は必須です。")
    if error.code == "invalid_choice":
        return _("選択肢の中から選んでください。")
    message = error.message
    if error.params:
        message = message % error.params
    return str(message)


def django_errors(
    exc: DjangoValidationError, *, rename: dict[str, str] | None = None, source: str = "body"
) -> list[dict[str, Any]]:
    """Django ValidationError (from full_clean or a service) → the API's error list.

    `rename` maps a service's field names to the API's (e.g. "invitee" → "user")."""
    rename = rename or {}
    out = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            loc = [source] if field == NON_FIELD_ERRORS else [source, rename.get(field, field)]
            out += [
                {"loc": loc, "msg": _django_message(e), "type": e.code or "invalid"} for e in errors
            ]
    else:
        out += [
            {"loc": [source], "msg": _django_message(e), "type": e.code or "invalid"}
            for e in exc.error_list
        ]
    return out


@contextmanager
def service_errors(*, rename: dict[str, str] | None = None) -> Iterator[None]:
    """Around a service call: its ValidationError becomes a 422 with the API's field names."""
    try:
        yield
    except DjangoValidationError as exc:
        raise FieldErrors(django_errors(exc, rename=rename)) from None


# Codes of files.uploads.check_upload / files.attachments.check_files and the status each
# answers with. "empty" (a zero-byte file) is an invalid value, not a refused type: 422.
TOO_LARGE_CODES = frozenset({"too_large"})
REFUSED_TYPE_CODES = frozenset({"bad_type", "name_mismatch", "unreadable"})
# A write on a record that moved on meanwhile (someone retracted, edited or ended it).
CONFLICT_CODES = frozenset({"retracted", "superseded", "ended"})


def error_status(exc: DjangoValidationError) -> int:
    """413 when a file is too large, else 415 when a file's type is refused, else 409 for a
    record that moved on, else 422. A file error decides even when other fields are wrong
    too (the client must change the file first); every error is listed either way."""
    codes = {e.code for e in exc.error_list} if not hasattr(exc, "error_dict") else set()
    file_codes: set[str | None] = set()
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            found = {e.code for e in errors}
            codes |= found
            if field == "files":
                file_codes |= found
    if file_codes & TOO_LARGE_CODES:
        return 413
    if file_codes & REFUSED_TYPE_CODES:
        return 415
    if codes & CONFLICT_CODES:
        return 409
    return 422


@contextmanager
def write_errors(*, nested: dict[str, str] | None = None) -> Iterator[None]:
    """Around a service call: its ValidationError becomes FieldErrors with the status of
    `error_status`. `nested` places a service's field under an object of the request, e.g.
    {"temperature": "vitals"} → loc ["body", "vitals", "temperature"]."""
    try:
        yield
    except DjangoValidationError as exc:
        errors = django_errors(exc)
        for error in errors:
            loc = error["loc"]
            if len(loc) == 2 and nested and loc[1] in nested:
                error["loc"] = [loc[0], nested[loc[1]], loc[1]]
        raise FieldErrors(errors, status=error_status(exc)) from None


def install(api: NinjaAPI) -> None:
    """Register the handlers above on `api` (replacing ninja's English defaults)."""

    def respond(request, detail, status) -> HttpResponse:
        return api.create_response(request, {"detail": detail}, status=status)

    @api.exception_handler(NinjaValidationError)
    def _ninja_validation(request: HttpRequest, exc: NinjaValidationError):
        return respond(request, pydantic_errors(exc.errors), 422)

    @api.exception_handler(FieldErrors)
    def _field_errors(request: HttpRequest, exc: FieldErrors):
        return respond(request, exc.errors, exc.status)

    @api.exception_handler(DjangoValidationError)
    def _django_validation(request: HttpRequest, exc: DjangoValidationError):
        return respond(request, django_errors(exc), 422)

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404):
        return respond(request, not_found_message(), 404)

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied):
        return respond(request, _("この操作を行う権限がありません。"), 403)

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError):
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            # Malformed JSON is bad input like any other: 422 in the same shape.
            return respond(
                request,
                [
                    {
                        "loc": ["body"],
                        "msg": _("JSONの形式が正しくありません。"),
                        "type": "json_invalid",
                    }
                ],
                422,
            )
        return respond(request, str(exc), exc.status_code)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError):
        response = respond(
            request,
            _(
                "認証が必要です。有効なAPIトークンを Authorization: Bearer ヘッダーで"
                "指定してください。"
            ),
            401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="renrakucho"'
        return response
