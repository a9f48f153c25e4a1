"""Timeline search (記事の検索): within one resident's timeline and across my residents.

Text is matched on `Post.search_key` (`core.text.fold` of the body), so width and kana do
not matter ("ﾊﾞｲﾀﾙ", "ばいたる" and "バイタル" meet); every word typed must occur. Filters:
kind, author (one resident's timeline), period (local dates, inclusive). Retracted posts are
not found. Pages are keyset pages (newest first, cursor = the last post's UUID): one query
per page whatever the depth.

Across my residents means the residents `residents_visible_to(user)` reaches (my teams, and
every resident of a Network I operate) whose team-sharing consent is in force; medical-only
posts only for a reader with a medical occupation — the same rules as timeline.access.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from renrakucho.accounts.models import User
from renrakucho.core.text import fold
from renrakucho.residents.access import residents_visible_to
from renrakucho.residents.models import Consent

from .access import TimelineAccess, visible_posts
from .interactions import visibility_q
from .models import Post

PAGE_SIZE = 20


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    kind: str = ""
    author: uuid.UUID | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None

    @classmethod
    def from_form(cls, data: dict) -> SearchQuery:
        return cls(
            q=data.get("q") or "",
            kind=data.get("kind") or "",
            author=data.get("author"),
            since=data.get("from_"),
            until=data.get("to"),
        )

    @property
    def terms(self) -> list[str]:
        return [key for key in (fold(word) for word in self.q.split()) if key]

    @property
    def is_empty(self) -> bool:
        return not (self.terms or self.kind or self.author or self.since or self.until)


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None
    is_first: bool
    residents: list = field(default_factory=list)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def _filtered(posts: QuerySet[Post], query: SearchQuery) -> QuerySet[Post]:
    posts = posts.filter(retracted_at__isnull=True)
    for term in query.terms:
        posts = posts.filter(search_key__contains=term)
    if query.kind:
        posts = posts.filter(kind=query.kind)
    if query.author:
        posts = posts.filter(author__uuid=query.author)
    if query.since:
        posts = posts.filter(created_at__gte=_local_midnight(query.since))
    if query.until:
        posts = posts.filter(
            created_at__lt=_local_midnight(query.until + datetime.timedelta(days=1))
        )
    return posts


def _page(posts: QuerySet[Post], base: QuerySet[Post], before, size: int) -> Page:
    cursor = _parse_uuid(before) if before else None
    if cursor is not None:
        posts = posts.filter(id__lt=Subquery(base.filter(uuid=cursor).values("id")[:1]))
    rows = list(posts.order_by("-id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(items=rows, next_cursor=str(rows[-1].uuid) if more else None, is_first=not cursor)


def _parse_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def search_resident(
    access: TimelineAccess, query: SearchQuery, *, before: str | None = None, size: int = PAGE_SIZE
) -> Page:
    """One page of `access.resident`'s posts matching `query`, with their authors. One
    query (the cursor is resolved in a subquery)."""
    base = visible_posts(access)
    posts = _filtered(base, query).select_related("author")
    return _page(posts, base, before, size)


def authors_of(access: TimelineAccess) -> list[User]:
    """Everyone who wrote a post on this timeline (also past members), by kana. One query."""
    return list(
        User.objects.filter(pk__in=visible_posts(access).values("author_id")).order_by(
            "name_kana", "id"
        )
    )


def searchable_posts(user) -> QuerySet[Post]:
    """Posts of every resident `user` reaches with a team-sharing consent in force, by
    visibility. Lazy; embedded as subqueries, so it adds no query of its own."""
    consent = Consent.objects.in_force().filter(resident=OuterRef("pk"), scope_team=True)
    residents = residents_visible_to(user).filter(Exists(consent))
    return Post.objects.filter(resident__in=residents).filter(visibility_q(user))


def search_my_residents(
    user, query: SearchQuery, *, before: str | None = None, size: int = PAGE_SIZE
) -> Page:
    """One page of posts across my residents matching `query`, with resident and author.
    One query. An empty query finds nothing (no firehose of every timeline)."""
    if query.is_empty:
        return Page(items=[], next_cursor=None, is_first=True)
    base = searchable_posts(user)
    posts = _filtered(base, query).select_related("resident", "author")
    page = _page(posts, base, before, size)
    seen: dict[int, Any] = {}
    for post in page.items:
        seen.setdefault(post.resident_id, post.resident)
    page.residents = list(seen.values())
    return page
