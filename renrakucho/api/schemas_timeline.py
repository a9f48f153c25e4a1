"""Request and response shapes of the timeline part of API v1: posts (記事), attachments,
vitals, read receipts (既読), acknowledgements (了解) and comments.

Field names are an external interface (see api/schemas.py). The routers build the responses
from ORM rows with explicit functions (api/routers/timeline.py), so these classes only
describe the shapes.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from ninja import Field, Schema

from renrakucho.timeline.models import PostKind, Visibility

from .schemas import AttachmentOut, InputSchema, NetworkRef, OccupationOut, UserRef


# --- input ---------------------------------------------------------------------------------
class VitalsIn(InputSchema):
    """Measured values; leave out (or send null for) what was not measured. Plausible ranges
    are checked (e.g. 体温 30.0–45.0 ℃) with a Japanese message per value."""

    systolic: Decimal | None = Field(None, description="収縮期血圧（mmHg）")
    diastolic: Decimal | None = Field(None, description="拡張期血圧（mmHg）")
    pulse: Decimal | None = Field(None, description="脈拍（回/分）")
    temperature: Decimal | None = Field(None, description="体温（℃、小数第1位まで）")
    spo2: Decimal | None = Field(None, description="SpO2（%）")
    respiration: Decimal | None = Field(None, description="呼吸数（回/分）")
    weight: Decimal | None = Field(None, description="体重（kg、小数第1位まで）")
    glucose: Decimal | None = Field(None, description="血糖値（mg/dL）")
    pain: Decimal | None = Field(None, description="痛み（0〜10）")


class PostIn(InputSchema):
    """A new post, as JSON or as multipart form data (then `vitals` is a JSON string and the
    files are repeated `files` parts)."""

    kind: PostKind
    body: str = ""
    vitals: VitalsIn | None = None
    visibility: Visibility = Visibility.TEAM
    urgent: bool = False
    visited_at: datetime.datetime | None = Field(
        None,
        description="訪問・測定日時（訪問記録では必須）。時差の指定がなければ日本時間",
    )


class PostPatchIn(InputSchema):
    """Only the fields sent are changed; the previous content is kept as a version
    (編集履歴). `vitals: null` removes the vitals; `visited_at: null` clears it."""

    kind: PostKind | None = None
    body: str | None = None
    vitals: VitalsIn | None = None
    visibility: Visibility | None = None
    urgent: bool | None = None
    visited_at: datetime.datetime | None = None


class CommentIn(InputSchema):
    body: str = Field(..., min_length=1, max_length=5000)


# --- output --------------------------------------------------------------------------------
class AuthorOut(Schema):
    id: uuid.UUID
    username: str
    name: str
    name_kana: str
    occupations: list[OccupationOut]


class VitalsOut(Schema):
    systolic: int | None
    diastolic: int | None
    pulse: int | None
    temperature: float | None
    spo2: int | None
    respiration: int | None
    weight: float | None
    glucose: int | None
    pain: int | None
    measured_at: datetime.datetime
    abnormal: list[str] = Field(..., description='ネットワークの基準値を外れた項目（例: ["spo2"]）')


class AcknowledgementOut(Schema):
    user: UserRef
    at: datetime.datetime


class PostOut(Schema):
    """A post. A retracted post keeps only its marker: `body` is empty, `vitals` null,
    `attachments` empty, and `retraction` says who retracted it, when and why."""

    id: uuid.UUID
    resident: uuid.UUID
    kind: PostKind
    kind_label: str
    body: str
    author: AuthorOut
    author_network: NetworkRef | None = Field(
        ...,
        description="投稿者が投稿したときのネットワーク（利用者のネットワーク以外なら、"
        "広域連携の外部メンバーの記事）",
    )
    created_at: datetime.datetime
    visited_at: datetime.datetime | None
    visibility: Visibility
    urgent: bool
    version: int
    edited: bool
    edited_at: datetime.datetime | None
    retracted: bool
    retraction: RetractionOut | None
    vitals: VitalsOut | None
    attachments: list[AttachmentOut]
    read_count: int = Field(..., description="既読の人数（投稿者を除く）")
    read_by_me: bool
    acknowledged_by: list[AcknowledgementOut] = Field(..., description="了解した人（早い順）")
    comment_count: int


class RetractionOut(Schema):
    at: datetime.datetime
    by: UserRef | None
    reason: str


PostOut.model_rebuild()


class PostPage(Schema):
    items: list[PostOut]
    next_cursor: str | None = Field(
        ..., description="次のページ: ?cursor= に指定する値（なければ null）"
    )


class ReaderOut(Schema):
    user: AuthorOut
    read_at: datetime.datetime


class CommentOut(Schema):
    id: uuid.UUID
    post: uuid.UUID
    author: UserRef
    body: str
    created_at: datetime.datetime


class VitalPoint(Schema):
    at: datetime.datetime
    value: float
    abnormal: bool
    post: uuid.UUID


class Threshold(Schema):
    low: float | None
    high: float | None


class VitalSeries(Schema):
    type: str
    label: str
    unit: str
    low: float | None = Field(..., description="この値未満は基準値外")
    high: float | None = Field(..., description="この値以上は基準値外")
    points: list[VitalPoint]


class VitalsSeriesOut(Schema):
    resident: uuid.UUID
    from_: datetime.datetime = Field(..., alias="from")
    to: datetime.datetime
    series: list[VitalSeries]
    thresholds: dict[str, Threshold] = Field(
        ..., description="ネットワークの基準値（low 未満・high 以上が基準値外）"
    )
