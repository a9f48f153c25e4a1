"""Facility operating status (事業所の運営状況): the Network's board, one facility's status
with its history, and a new report from the facility's staff.

Access as on the pages (facility_status.access): the board and every approved facility's
status are visible to the users who may act in the facility's Network; anyone else gets 404.
Any active staff member of the facility (admin or not) may PUT a new report; other users of
the Network get 403. Every PUT is a new history row (the previous reports are kept) and is
audited (FACILITY_STATUS). Nothing here is resident data, so reads are not audited.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any, Literal

from ninja import Field, Query, Router, Schema

from renrakucho.api.errors import write_errors
from renrakucho.api.schemas import InputSchema, NetworkRef, UserRef
from renrakucho.facilities.models import FacilityType
from renrakucho.facility_status import selectors
from renrakucho.facility_status.access import access_facility, choose_network, visible_networks
from renrakucho.facility_status.models import (
    SUPPLIES,
    FacilityStatus,
    Restriction,
    StatusKind,
    SupplyLevel,
)
from renrakucho.facility_status.services import facility_status_update

router = Router(tags=["facility-status"])


# --- shapes --------------------------------------------------------------------------------
class FacilityRef(Schema):
    id: uuid.UUID
    name: str
    name_kana: str
    facility_type: FacilityType
    facility_type_label: str


class SuppliesOut(Schema):
    masks: SupplyLevel = Field(..., description="マスク")
    gloves: SupplyLevel = Field(..., description="手袋")
    disinfectant: SupplyLevel = Field(..., description="消毒液")
    ppe: SupplyLevel = Field(..., description="ガウン等の防護具")


class SuppliesIn(InputSchema):
    masks: SupplyLevel = Field(SupplyLevel.UNKNOWN, description="マスク")
    gloves: SupplyLevel = Field(SupplyLevel.UNKNOWN, description="手袋")
    disinfectant: SupplyLevel = Field(SupplyLevel.UNKNOWN, description="消毒液")
    ppe: SupplyLevel = Field(SupplyLevel.UNKNOWN, description="ガウン等の防護具")


class FacilityStatusOut(Schema):
    id: uuid.UUID
    status: StatusKind
    status_label: str
    restrictions: list[Restriction] = Field(..., description="制限している内容（受入制限のとき）")
    restriction_labels: list[str]
    restriction_note: str = Field(..., description="制限の内容（その他・詳細）")
    reason: str = Field(..., description="理由（休止・閉鎖では必須）")
    expected_reopening: datetime.date | None = Field(..., description="再開予定日")
    supplies: SuppliesOut
    notes: str = Field(..., description="備考（PCR検査の実施可否など）")
    updated_by: UserRef
    updated_at: datetime.datetime = Field(..., description="この報告の日時")
    stale: bool = Field(..., description="14日より前の報告（古い情報）")


class BoardItem(Schema):
    facility: FacilityRef
    status: FacilityStatusOut | None = Field(..., description="現在の運営状況（未登録は null）")


class StatusCounts(Schema):
    normal: int
    restricted: int
    suspended: int
    closed: int
    none: int = Field(..., description="未登録")


class BoardOut(Schema):
    network: NetworkRef
    counts: StatusCounts = Field(..., description="運営状況ごとの事業所数（絞り込み前）")
    items: list[BoardItem] = Field(..., description="承認済みの事業所（種別・名前順）")


class FacilityStatusPage(Schema):
    facility: FacilityRef
    network: NetworkRef
    current: FacilityStatusOut | None
    can_update: bool = Field(..., description="呼び出した利用者がこの事業所の職員（更新できる）")
    history: list[FacilityStatusOut] = Field(..., description="報告の履歴（新しい順）")
    next_cursor: str | None = Field(..., description="履歴の次のページ: ?cursor= に指定する値")


class FacilityStatusIn(InputSchema):
    status: StatusKind
    restrictions: list[Restriction] = Field(
        default_factory=list, description="受入制限のとき1つ以上（other は restriction_note も）"
    )
    restriction_note: str = Field("", max_length=200)
    reason: str = Field("", max_length=500, description="休止・閉鎖では必須")
    expected_reopening: datetime.date | None = Field(None, description="今日以降の日付")
    supplies: SuppliesIn | None = Field(None, description="省略した物資は未回答")
    notes: str = Field("", max_length=1000)


# --- conversions -----------------------------------------------------------------------------
def facility_ref(facility) -> dict[str, Any]:
    return {
        "id": facility.uuid,
        "name": facility.name,
        "name_kana": facility.name_kana,
        "facility_type": facility.facility_type,
        "facility_type_label": facility.get_facility_type_display(),
    }


def status_out(entry: FacilityStatus | None) -> dict[str, Any] | None:
    """Expects `updated_by` joined."""
    if entry is None:
        return None
    return {
        "id": entry.uuid,
        "status": entry.status,
        "status_label": entry.get_status_display(),
        "restrictions": entry.restrictions,
        "restriction_labels": entry.restriction_labels,
        "restriction_note": entry.restriction_note,
        "reason": entry.reason,
        "expected_reopening": entry.expected_reopening,
        "supplies": {name: getattr(entry, name) for name, _label in SUPPLIES},
        "notes": entry.notes,
        "updated_by": entry.updated_by,
        "updated_at": entry.created_at,
        "stale": selectors.is_stale(entry),
    }


# --- operations ------------------------------------------------------------------------------
@router.get("/facility-status", response=BoardOut, summary="事業所の運営状況の一覧")
def facility_status_board(
    request,
    network: Annotated[
        str | None, Query(description="ネットワークの識別名またはID（省略時は最初のもの）")
    ] = None,
    facility_type: Annotated[FacilityType | None, Query(description="事業所の種別")] = None,
    status: Annotated[
        Literal["normal", "restricted", "suspended", "closed", "none"] | None,
        Query(description="運営状況（none は未登録）"),
    ] = None,
    shortage: Annotated[bool, Query(description="物資が少ない・不足の事業所のみ")] = False,
):
    """The approved facilities of one of the caller's Networks with their current status,
    by type and name; filters combine. 404 for a Network the caller may not act in. One
    query for the list whatever the number of facilities and the length of their
    histories."""
    chosen = choose_network(visible_networks(request.user), network)
    filters = selectors.BoardFilters.from_query(
        {
            "type": facility_type.value if facility_type else "",
            "status": status or "",
            "shortage": "1" if shortage else "",
        }
    )
    facilities = selectors.board(chosen, filters)
    return {
        "network": chosen,
        "counts": selectors.status_counts(chosen),
        "items": [
            {"facility": facility_ref(f), "status": status_out(selectors.current_entry(f))}
            for f in facilities
        ],
    }


def _page(request, access, cursor) -> dict[str, Any]:
    page = selectors.history(access.facility, before=str(cursor) if cursor else None)
    if page.is_first:
        current = page.items[0] if page.items else None
    else:
        current = selectors.current_entry(access.facility)
    return {
        "facility": facility_ref(access.facility),
        "network": access.facility.network,
        "current": status_out(current),
        "can_update": access.can_update,
        "history": [status_out(e) for e in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/facilities/{facility_id}/status",
    response=FacilityStatusPage,
    summary="事業所の運営状況と履歴",
)
def facility_status_get(
    request,
    facility_id: str,
    cursor: Annotated[uuid.UUID | None, Query(description="前のページの next_cursor")] = None,
):
    """The facility's current status and its reports, newest first (30 a page)."""
    access = access_facility(request.user, facility_id)
    return _page(request, access, cursor)


@router.put(
    "/facilities/{facility_id}/status",
    response=FacilityStatusPage,
    summary="事業所の運営状況の更新",
)
def facility_status_put(request, facility_id: str, payload: FacilityStatusIn):
    """Post a new report (the whole status: what is not sent is empty or 未回答); the
    previous reports stay in the history. Any active staff member of the facility may; 403
    for other users of the Network. 422 (Japanese) for 受入制限 without restrictions,
    「その他」 without restriction_note, 休止/閉鎖 without a reason, a reopening date in the
    past, unknown values. Audited (FACILITY_STATUS)."""
    access = access_facility(request.user, facility_id, write=True)
    supplies = payload.supplies or SuppliesIn()
    with write_errors():
        facility_status_update(
            actor=request.user,
            access=access,
            status=payload.status.value,
            restrictions=[r.value for r in payload.restrictions],
            restriction_note=payload.restriction_note,
            reason=payload.reason,
            expected_reopening=payload.expected_reopening,
            supplies={name: getattr(supplies, name).value for name, _label in SUPPLIES},
            notes=payload.notes,
            request=request,
        )
    return _page(request, access, None)
