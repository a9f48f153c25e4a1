"""Request and response shapes of the medication and disease lists (服薬・病名) in API v1.

An item is append-only clinical history: an edit writes a new version (a new `id`) of the
same item (`lineage`); ending marks the latest version with a reason.
"""

from __future__ import annotations

import datetime
import uuid

from ninja import Field, Schema

from .schemas import InputSchema, UserRef


class MedicationIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200, description="薬剤名")
    dose: str = Field("", max_length=300, description="用量・用法（例: 1回1錠 1日2回 朝夕食後）")
    since: datetime.date | None = Field(None, description="開始日")
    until: datetime.date | None = Field(None, description="終了日（予定）")
    note: str = Field("", max_length=500)


class MedicationPatchIn(InputSchema):
    """Only the fields sent are changed (a new version is written). `null` clears an
    optional field."""

    name: str | None = Field(None, min_length=1, max_length=200)
    dose: str | None = Field(None, max_length=300)
    since: datetime.date | None = None
    until: datetime.date | None = None
    note: str | None = Field(None, max_length=500)


class DiagnosisIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200, description="病名")
    since: datetime.date | None = Field(None, description="診断日")
    note: str = Field("", max_length=500)


class DiagnosisPatchIn(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    since: datetime.date | None = None
    note: str | None = Field(None, max_length=500)


class EndIn(InputSchema):
    reason: str = Field("", max_length=300, description="終了の理由（必須）")


class _EntryOut(Schema):
    id: uuid.UUID = Field(..., description="この版のID（編集すると新しい版のIDになります）")
    lineage: uuid.UUID = Field(..., description="項目のID（版が変わっても同じ）")
    name: str
    since: datetime.date | None
    note: str
    recorded_by: UserRef
    recorded_at: datetime.datetime
    first_recorded_at: datetime.datetime
    ended: bool
    ended_at: datetime.datetime | None
    ended_by: UserRef | None
    end_reason: str


class MedicationOut(_EntryOut):
    dose: str
    until: datetime.date | None


class DiagnosisOut(_EntryOut):
    pass


class MedicationLists(Schema):
    current: list[MedicationOut] = Field(..., description="服用中（登録順）")
    ended: list[MedicationOut] = Field(..., description="終了したもの（終了の新しい順、最大50件）")


class DiagnosisLists(Schema):
    current: list[DiagnosisOut]
    ended: list[DiagnosisOut]
