"""POST /auth/token (no token needed), GET /auth/tokens, DELETE /auth/tokens/{id}."""

from django.http import Http404
from ninja import Router, Status

from renrakucho.accounts.services import api_token_issue, api_token_revoke
from renrakucho.api import selectors
from renrakucho.api.auth import LoginRefused, check_login
from renrakucho.api.errors import service_errors
from renrakucho.api.schemas import ApiTokenOut, Message, TokenIn, TokenOut

router = Router(tags=["auth"])


@router.post(
    "/token",
    auth=None,
    response={201: TokenOut, 401: Message, 429: Message},
    summary="APIトークンの発行",
)
def token_issue(request, payload: TokenIn):
    """Log in with the login ID, password and (when the user has a TOTP device or a Network
    requires two-factor login) `otp`. Repeated failures lock the login ID out exactly as the
    login page does (429). No CSRF token is needed: nothing here relies on a cookie."""
    try:
        user = check_login(
            request, username=payload.username, password=payload.password, otp=payload.otp
        )
    except LoginRefused as refused:
        return Status(refused.status, {"detail": refused.message})
    with service_errors():
        token, raw = api_token_issue(user=user, name=payload.name, request=request)
    return Status(201, {"token": raw, "id": token.uuid})


@router.get("/tokens", response=list[ApiTokenOut], summary="自分のAPIトークン一覧")
def token_list(request):
    """The caller's active tokens, newest first."""
    return list(selectors.my_tokens(request.user))


@router.delete("/tokens/{token_id}", response={204: None}, summary="APIトークンの失効")
def token_revoke(request, token_id: str):
    """Revoke one of the caller's active tokens (another user's, or one already revoked, is
    404). Audited (TOKEN_REVOKED)."""
    token = selectors.my_token(request.user, token_id)
    if token is None:
        raise Http404
    api_token_revoke(user=request.user, token=token, request=request)
    return Status(204, None)
