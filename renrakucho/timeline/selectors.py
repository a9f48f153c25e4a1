"""Reads for the timeline screens, access-filtered, with what the templates show loaded.

Every function takes the access from timeline.access (`access_timeline` / `access_post`); the
posts it returns are those `visible_posts(access)` allows (medical posts only for medical
readers).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet, Subquery
from django.db.models.query import prefetch_related_objects
from django.utils import timezone

from renrakucho.accounts.models import Occupation, User
from renrakucho.residents.models import CareTeamMember, Resident

from .access import TimelineAccess, visible_posts
from .models import Post, PostVersion, VitalSigns

PAGE_SIZE = 20
PRINT_LIMIT = 1000
VITALS_LIMIT = 2000


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None
    is_first: bool


def _parse_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


# What `timeline/_post.html` shows: author (+ occupations, and the Network they posted from:
# an external member's posts are marked with it), vitals, retracted_by, attachments.
_DISPLAY_RELATED = ("author", "author_network", "vitals", "retracted_by")
_DISPLAY_PREFETCH = ("author__occupations", "attachments")


def for_display(queryset: QuerySet[Post], *, reader=None) -> QuerySet[Post]:
    """Posts with everything `_post.html` shows: one query for the posts (author,
    author_network, vitals and retracted_by joined), one for the authors' occupations, one for
    the attachments. With a `reader`, also what the post footer shows for them
    (interactions.with_interactions: read/ack/request annotations, acknowledgements and
    comments, two queries more)."""
    queryset = queryset.select_related(*_DISPLAY_RELATED).prefetch_related(*_DISPLAY_PREFETCH)
    if reader is not None:
        from .interactions import with_interactions

        queryset = with_interactions(queryset, reader)
    return queryset


def timeline_page(
    access: TimelineAccess,
    *,
    before: str | None = None,
    size: int = PAGE_SIZE,
    with_footer: bool = False,
) -> Page:
    """One keyset page of the resident's timeline, newest first, continuing after the post
    with UUID `before`. The cursor's position is read in a subquery: three queries per page
    (posts, occupations, attachments) whatever the offset, two more `with_footer` (see
    for_display). An unknown cursor starts at the top."""
    posts = visible_posts(access)
    cursor = _parse_uuid(before) if before else None
    if cursor is not None:
        posts = posts.filter(
            id__lt=Subquery(visible_posts(access).filter(uuid=cursor).values("id")[:1])
        )
    reader = access.user if with_footer else None
    # The page's ids first (an index-only walk), then the joins and annotations for those
    # rows only: PostgreSQL otherwise plans the footer's annotations over the whole timeline
    # (measured 25-31 ms at 100,000 posts, 0.5 ms this way).
    page_ids = posts.order_by("-id").values("id")[: size + 1]
    rows = list(for_display(Post.objects.filter(id__in=page_ids).order_by("-id"), reader=reader))
    more = len(rows) > size
    rows = rows[:size]
    for row in rows:
        row.resident = access.resident  # for templates and mark_read, without a query
    return Page(items=rows, next_cursor=str(rows[-1].uuid) if more else None, is_first=not cursor)


def post_for_display(post: Post, *, access: TimelineAccess | None = None) -> Post:
    """`post` (from access_post, author/vitals/retracted_by already joined) with its
    attachments and the author's occupations: two queries. With `access`, reloaded with the
    footer's data for `access.user` too (see for_display): five queries."""
    if access is None:
        prefetch_related_objects([post], *_DISPLAY_PREFETCH)
        return post
    reloaded = for_display(visible_posts(access).filter(pk=post.pk), reader=access.user).get()
    reloaded.resident = access.resident
    return reloaded


def versions_of(post: Post) -> list[PostVersion]:
    """Earlier versions of `post`, newest first, with who edited. One query."""
    return list(post.versions.select_related("edited_by").order_by("-version"))


def vitals_series(
    access: TimelineAccess,
    *,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    limit: int = VITALS_LIMIT,
) -> list[VitalSigns]:
    """The resident's vitals in time order (the latest `limit` of them), from posts the
    reader may see and that were not retracted. One query."""
    rows = VitalSigns.objects.filter(
        resident=access.resident,
        post__in=visible_posts(access).filter(retracted_at__isnull=True).values("id"),
    )
    if since is not None:
        rows = rows.filter(measured_at__gte=since)
    if until is not None:
        rows = rows.filter(measured_at__lt=until)
    latest = list(rows.select_related("post").order_by("-measured_at", "-id")[:limit])
    latest.reverse()
    return latest


def posts_for_print(
    access: TimelineAccess, start: datetime.date, end: datetime.date, *, limit: int = PRINT_LIMIT
) -> tuple[list[Post], bool]:
    """Posts written from `start` to `end` (local dates, inclusive), oldest first as on a
    paper record, and whether there were more than `limit`. Three queries."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    posts = visible_posts(access).filter(created_at__gte=since, created_at__lt=until)
    rows = list(for_display(posts.order_by("id"))[: limit + 1])
    return rows[:limit], len(rows) > limit


def team_recipients(resident: Resident, *, medical_only: bool = False) -> list[User]:
    """Active accounts on the resident's care team (active membership), for notifications;
    with `medical_only`, only those holding a medical occupation. One query."""
    members = CareTeamMember.objects.filter(
        resident=resident, status=CareTeamMember.Status.ACTIVE, user__is_active=True
    )
    users = User.objects.filter(pk__in=members.values("user_id"))
    if medical_only:
        users = users.filter(occupations__category=Occupation.Category.MEDICAL).distinct()
    return list(users.order_by("id"))
