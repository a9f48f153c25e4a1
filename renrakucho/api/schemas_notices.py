"""Request and response shapes of notices (お知らせ) and notifications (通知) in API v1.
Neither carries resident data: a notification says what happened and where (`url`, a web
path with UUIDs); the record behind it is read through its own, access-checked endpoint."""

from __future__ import annotations

import datetime
import uuid

from ninja import Field, Schema

from renrakucho.notifications.models import Kind

from .schemas import InputSchema, NetworkRef


class NoticeAttachmentOut(Schema):
    id: uuid.UUID
    filename: str
    content_type: str
    size: int
    url: str = Field(..., description="ダウンロード（Bearerトークンが必要）")


class NoticeOut(Schema):
    id: uuid.UUID
    network: NetworkRef
    title: str
    body: str
    confirmation_required: bool = Field(..., description="確認必須")
    published_at: datetime.datetime
    read_at: datetime.datetime | None
    confirmed_at: datetime.datetime | None
    pending: bool = Field(..., description="未読、または確認必須で未確認")
    attachments: list[NoticeAttachmentOut]


class NoticeInbox(Schema):
    pending: list[NoticeOut] = Field(
        ..., description="未読・未確認のお知らせ（新しい順、最大100件。最初のページのみ）"
    )
    items: list[NoticeOut] = Field(..., description="読んだお知らせ（新しい順）")
    next_cursor: str | None = Field(
        ..., description="読んだお知らせの次のページ: ?cursor= に指定する値"
    )


class NotificationOut(Schema):
    id: uuid.UUID
    kind: Kind
    kind_label: str
    text: str = Field(..., description="通知の文（利用者名や記録の内容は含みません）")
    url: str = Field(..., description="関連する画面のパス")
    resident: uuid.UUID | None
    target: uuid.UUID | None = Field(..., description="記事・依頼・お知らせなどのID")
    urgent: bool
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    next_cursor: str | None
    unread_count: int = Field(..., description="未読の件数（100以上は100）")


class NotificationsReadIn(InputSchema):
    ids: list[uuid.UUID] | None = Field(
        None,
        max_length=100,
        description="既読にする通知のID（省略するとすべての未読を既読にします）",
    )


class NotificationsReadOut(Schema):
    marked: int = Field(..., description="新たに既読にした件数")
    unread_count: int
