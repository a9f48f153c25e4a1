"""GET /users: the professionals the caller may contact (chat's directory).

Active users of the caller's active Networks (the caller left out), searched by name, kana or
login ID (width- and kana-insensitive, `q`), by kana order. `facility` is the name of their
first active facility in those Networks. No resident data: not audited.
"""

from __future__ import annotations

import uuid

from ninja import Field, Query, Router, Schema

from renrakucho.api.schemas import OccupationOut
from renrakucho.chat import selectors as chat_selectors

router = Router(tags=["chat"])

MAX_PAGE = 100


class ContactOut(Schema):
    id: uuid.UUID
    username: str
    name: str
    name_kana: str
    occupations: list[OccupationOut]
    facility: str = Field(..., description="所属事業所の名前（そのネットワークで最初のもの）")


class ContactPage(Schema):
    items: list[ContactOut]
    next_offset: int | None = Field(..., description="次のページ: ?offset= に指定する値")


@router.get("/users", response=ContactPage, summary="連絡できる専門職の一覧")
def user_list(
    request,
    q: str = Query("", max_length=100, description="名前・ふりがな・ログインIDの一部"),
    limit: int = Query(chat_selectors.DIRECTORY_LIMIT, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0),
):
    """Professionals of the caller's active Networks. Four queries whatever the page size."""
    rows = chat_selectors.directory(request.user, q=q, limit=limit + 1, offset=offset)
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [
            {
                "id": user.uuid,
                "username": user.username,
                "name": user.name,
                "name_kana": user.name_kana,
                "occupations": list(user.occupations.all()),
                "facility": user.chat_facility,
            }
            for user in rows
        ],
        "next_offset": offset + limit if more else None,
    }
