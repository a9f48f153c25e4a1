"""GET /me: who the token belongs to."""

from ninja import Router

from renrakucho.api import selectors
from renrakucho.api.schemas import MeOut

router = Router(tags=["me"])


@router.get("", response=MeOut, summary="ログイン中の利用者")
def me(request):
    return selectors.me(request.user)
