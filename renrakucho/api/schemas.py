"""Request and response shapes of API v1 (the OpenAPI document is generated from these).

Field names are an external interface: change them only with a new API version. Objects are
identified by their UUID (`id`); integer keys never leave the server. Input schemas forbid
unknown fields so that a typo is a 422, not a silently ignored change.

The document names each component after its class, and one name holds one schema: class
names are unique across the API (a router's own classes carry its feature, e.g.
`ChatReadOut`, `MeetingResidentRef`); tests/test_openapi.py checks.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from renrakucho.audit.models import Action
from renrakucho.audit.selectors import target_label
from renrakucho.facilities.models import FacilityType
from renrakucho.residents.models import CareLevel, CareTeamMember, Consent, Sex, TeamRole


def _public_id(obj) -> uuid.UUID:
    # ORM rows expose their public `uuid` as `id`; an already-built schema (validated again
    # when it is returned from an operation) has `id` itself.
    return obj.uuid if hasattr(obj, "uuid") else obj.id


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid")


# --- shared references -----------------------------------------------------------------
class NetworkRef(Schema):
    id: uuid.UUID
    slug: str
    name: str

    @staticmethod
    def resolve_id(obj) -> uuid.UUID:
        return _public_id(obj)


class UserRef(Schema):
    id: uuid.UUID
    username: str
    name: str
    name_kana: str

    @staticmethod
    def resolve_id(obj) -> uuid.UUID:
        return _public_id(obj)


class Message(Schema):
    detail: str


# --- attachments (files of posts, messages, threads and replies) --------------------------
class AttachmentOut(Schema):
    id: uuid.UUID
    kind: str = Field(..., description="photo（写真）・video（動画）・pdf（PDF）")
    content_type: str
    size: int
    width: int | None = None
    height: int | None = None
    url: str = Field(..., description="ファイル本体（ダウンロード、Bearerトークンが必要）")
    thumbnail_url: str | None = Field(None, description="JPEGのプレビュー（写真・PDF）")


def attachment_out(attachment, *, url: str, thumbnail_url: str) -> dict[str, Any]:
    """An attachment (any model filled by files.attachments.store_attachment) as the API
    shows it: `url` the download, `thumbnail_url` the JPEG preview — null when the file has
    none."""
    return {
        "id": attachment.uuid,
        "kind": attachment.kind,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "width": attachment.width,
        "height": attachment.height,
        "url": url,
        "thumbnail_url": thumbnail_url if attachment.thumbnail else None,
    }


# --- auth ------------------------------------------------------------------------------
class TokenIn(InputSchema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=1024)
    otp: str | None = Field(None, max_length=16, description="TOTPの6桁のコード")
    name: str = Field("", max_length=100, description="トークンの用途（任意）")


class TokenOut(Schema):
    token: str = Field(..., description="この応答でのみ表示されます。安全に保管してください。")
    id: uuid.UUID


class ApiTokenOut(Schema):
    id: uuid.UUID
    name: str
    hint: str = Field(..., description="トークン末尾4文字")
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None

    @staticmethod
    def resolve_id(obj) -> uuid.UUID:
        return _public_id(obj)


# --- me --------------------------------------------------------------------------------
class OccupationOut(Schema):
    code: str
    name: str


class FacilityOut(Schema):
    id: uuid.UUID
    name: str
    type: FacilityType
    type_label: str
    network: NetworkRef

    @staticmethod
    def resolve_id(obj) -> uuid.UUID:
        return _public_id(obj)

    @staticmethod
    def resolve_type(obj) -> str:
        return obj.facility_type

    @staticmethod
    def resolve_type_label(obj) -> str:
        return str(obj.get_facility_type_display())


class MeOut(Schema):
    id: uuid.UUID
    username: str
    name: str
    name_kana: str
    occupations: list[OccupationOut]
    facilities: list[FacilityOut]
    networks: list[NetworkRef]
    operator_of: list[NetworkRef]


# --- residents -------------------------------------------------------------------------
def _care_level(obj) -> str | None:
    return obj.care_level or None


def _care_level_label(obj) -> str:
    return str(obj.get_care_level_display()) if obj.care_level else ""


class ResidentListItem(Schema):
    id: uuid.UUID
    name: str
    name_kana: str
    care_level: CareLevel | None
    care_level_label: str
    age: int
    network: NetworkRef

    @staticmethod
    def resolve_id(obj) -> uuid.UUID:
        return _public_id(obj)

    @staticmethod
    def resolve_care_level(obj) -> str | None:
        return _care_level(obj)

    @staticmethod
    def resolve_care_level_label(obj) -> str:
        return _care_level_label(obj)


class ResidentPage(Schema):
    items: list[ResidentListItem]
    count: int


class KeyPersonOut(Schema):
    name: str
    name_kana: str
    relation: str
    phone: str
    address: str
    is_guardian: bool
    note: str


class ResidentCardOut(Schema):
    """The basic card (基本情報): all that is shown while no consent for team sharing is in
    force (`consent_required` is then true)."""

    id: uuid.UUID
    name: str
    name_kana: str
    age: int
    sex: Sex
    sex_label: str
    care_level: CareLevel | None
    care_level_label: str
    network: NetworkRef
    consent_required: bool
    permissions: list[str] = Field(..., description="この利用者がこの支援対象者に行える操作")


class ResidentDetailOut(ResidentCardOut):
    """The full record, shown when a consent for team sharing is in force."""

    birth_date: datetime.date
    postal_code: str
    address: str
    latitude: float | None
    longitude: float | None
    phone: str
    lives_alone: bool
    elderly_only_household: bool
    medical_care_child: bool
    disability: bool
    evacuation_support_needed: bool
    financial_hardship: bool
    primary_doctor: UserRef | None
    primary_doctor_note: str
    note: str
    key_persons: list[KeyPersonOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime


class KeyPersonIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    name_kana: str = Field("", max_length=100, description="カタカナまたはひらがな")
    relation: str = Field(..., min_length=1, max_length=50, description="続柄・関係")
    phone: str = Field("", max_length=20)
    address: str = Field("", max_length=300)
    is_guardian: bool = False
    note: str = Field("", max_length=300)


_LAT = {"ge": -90, "le": 90, "max_digits": 9, "decimal_places": 6}
_LNG = {"ge": -180, "le": 180, "max_digits": 9, "decimal_places": 6}


class ResidentPatchIn(InputSchema):
    """Only the fields sent are changed. `null` clears an optional field."""

    name: str | None = Field(None, min_length=1, max_length=100)
    name_kana: str | None = Field(
        None, min_length=1, max_length=100, description="カタカナまたはひらがな"
    )
    birth_date: datetime.date | None = None
    sex: Sex | None = None
    postal_code: str | None = Field(None, max_length=8)
    address: str | None = Field(None, max_length=300)
    latitude: Decimal | None = Field(None, **_LAT)
    longitude: Decimal | None = Field(None, **_LNG)
    phone: str | None = Field(None, max_length=20)
    care_level: CareLevel | None = None
    lives_alone: bool | None = None
    elderly_only_household: bool | None = None
    medical_care_child: bool | None = None
    disability: bool | None = None
    evacuation_support_needed: bool | None = None
    financial_hardship: bool | None = None
    primary_doctor: uuid.UUID | None = Field(
        None, description="このネットワークに所属する医師の利用者ID"
    )
    primary_doctor_note: str | None = Field(None, max_length=200)
    note: str | None = None
    key_persons: list[KeyPersonIn] | None = Field(
        None,
        description="キーパーソンの一覧（送ると全体を置き換えます。空の配列で全削除。"
        "情報共有の同意が必要です）",
    )


class ResidentCreateIn(InputSchema):
    network: str = Field(
        ..., min_length=1, max_length=50, description="登録先ネットワークのIDまたは識別名"
    )
    team_role: TeamRole | None = Field(
        None,
        description="登録者が就くチームでの役割（専門職は必須ではなく、省略時は「その他」）",
    )
    name: str = Field(..., min_length=1, max_length=100)
    name_kana: str = Field(..., min_length=1, max_length=100)
    birth_date: datetime.date
    sex: Sex
    postal_code: str = Field("", max_length=8)
    address: str = Field("", max_length=300)
    latitude: Decimal | None = Field(None, **_LAT)
    longitude: Decimal | None = Field(None, **_LNG)
    phone: str = Field("", max_length=20)
    care_level: CareLevel | None = None
    lives_alone: bool = False
    elderly_only_household: bool = False
    medical_care_child: bool = False
    disability: bool = False
    evacuation_support_needed: bool = False
    financial_hardship: bool = False
    primary_doctor: uuid.UUID | None = None
    primary_doctor_note: str = Field("", max_length=200)
    note: str = ""
    key_persons: list[KeyPersonIn] = Field(default_factory=list)


# --- care team -------------------------------------------------------------------------
class TeamMemberOut(Schema):
    id: uuid.UUID
    user: UserRef
    role: TeamRole
    role_label: str
    is_lead: bool
    status: CareTeamMember.Status
    status_label: str
    joined_at: datetime.datetime | None
    ended_at: datetime.datetime | None

    @staticmethod
    def resolve_id(obj) -> uuid.UUID:
        return _public_id(obj)

    @staticmethod
    def resolve_role_label(obj) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class ResidentRef(Schema):
    id: uuid.UUID
    name: str
    name_kana: str

    @staticmethod
    def resolve_id(obj) -> uuid.UUID:
        return _public_id(obj)


class InvitationOut(Schema):
    id: uuid.UUID
    resident: ResidentRef
    role: TeamRole
    role_label: str
    message: str
    invited_by: UserRef | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_id(obj) -> uuid.UUID:
        return _public_id(obj)

    @staticmethod
    def resolve_role_label(obj) -> str:
        return str(obj.get_role_display())


class TeamInviteIn(InputSchema):
    user: uuid.UUID = Field(..., description="招待する専門職の利用者ID")
    role: TeamRole
    message: str = Field("", max_length=300)


class TeamLeaveIn(InputSchema):
    successor: uuid.UUID | None = Field(
        None, description="チームリーダーが退出するときの後任（メンバーのID）"
    )
    reason: str = Field("", max_length=300)


class ReasonIn(InputSchema):
    reason: str = Field("", max_length=300)


# --- consent ---------------------------------------------------------------------------
class ConsentOut(Schema):
    id: uuid.UUID
    consenter: Consent.Consenter
    consenter_label: str
    proxy_name: str
    proxy_relation: str
    consented_on: datetime.date
    scope_team: bool
    scope_family: bool
    scope_emergency: bool
    scope_cross_network: bool
    in_force: bool
    has_form: bool = Field(..., description="同意書のスキャンが添付されているか（Web画面で閲覧）")
    revoked_on: datetime.date | None
    revocation_reason: str
    recorded_by: UserRef
    created_at: datetime.datetime

    @staticmethod
    def resolve_id(obj) -> uuid.UUID:
        return _public_id(obj)

    @staticmethod
    def resolve_consenter_label(obj) -> str:
        return str(obj.get_consenter_display())

    @staticmethod
    def resolve_in_force(obj) -> bool:
        return obj.is_in_force

    @staticmethod
    def resolve_has_form(obj) -> bool:
        return bool(obj.form_file)


class ConsentIn(InputSchema):
    consenter: Consent.Consenter
    proxy_name: str = Field("", max_length=100)
    proxy_relation: str = Field("", max_length=50)
    consented_on: datetime.date
    scope_team: bool = True
    scope_family: bool = False
    scope_emergency: bool = False
    scope_cross_network: bool = False


class ConsentRevokeIn(InputSchema):
    revoked_on: datetime.date
    reason: str = Field("", max_length=300)


# --- audit -----------------------------------------------------------------------------
class AuditActorOut(Schema):
    username: str
    name: str


class AuditTargetOut(Schema):
    type: str = Field(..., description="対象の種類（例: residents.resident）")
    id: str
    label: str = Field(..., description="対象の種類の名前（例: 支援対象者）")


class AuditEntryOut(Schema):
    id: str = Field(..., description="エントリのハッシュ（?before= に指定して次のページへ）")
    at: datetime.datetime
    actor: AuditActorOut
    action: Action
    action_label: str
    target: AuditTargetOut | None
    resident: uuid.UUID | None
    ip: str | None
    reason: str

    @staticmethod
    def resolve_id(obj) -> str:
        return obj.hash

    @staticmethod
    def resolve_actor(obj) -> dict:
        return {
            "username": obj.actor.username if obj.actor else obj.actor_username,
            "name": obj.actor.name if obj.actor else "",
        }

    @staticmethod
    def resolve_action_label(obj) -> str:
        return str(obj.get_action_display())

    @staticmethod
    def resolve_target(obj) -> dict | None:
        if not obj.target_type:
            return None
        return {
            "type": obj.target_type,
            "id": obj.target_id,
            "label": target_label(obj.target_type),
        }

    @staticmethod
    def resolve_resident(obj) -> uuid.UUID | None:
        return obj.resident_uuid


class AuditPage(Schema):
    items: list[AuditEntryOut]
    next: str | None = Field(..., description="次のページ: ?before= に指定する値（なければ null）")
