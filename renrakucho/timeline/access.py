"""Who may read and change timeline posts. Built on residents.access (THE chokepoint).

A post is visible to a user who
- passes `access_resident(user, resident, permission=VIEW_DETAILS)`: an active member of the
  resident's care team or an operator of its Network, not suspended there, with a
  team-sharing consent in force; and
- for a `medical` post (医療・看護職のみ), holds an occupation of the medical category
  (Occupation.Category.MEDICAL). An operator without one does not see medical posts either.

Missing and not-allowed are both Http404, so a stranger cannot tell a post exists.
PermissionDenied (403) only when the user sees the post but may not do the write.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404

from renrakucho.accounts.models import Occupation
from renrakucho.residents.access import Permission, ResidentAccess, access_resident

from .models import Attachment, Post, Visibility


def is_medical(user) -> bool:
    """Whether `user` holds a medical/nursing occupation (医療・看護職). One query, cached on
    the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_timeline_is_medical", None)
    if cached is None:
        cached = user.occupations.filter(category=Occupation.Category.MEDICAL).exists()
        user._timeline_is_medical = cached
    return cached


@dataclass(frozen=True)
class TimelineAccess(ResidentAccess):
    """A ResidentAccess (VIEW_DETAILS granted) that also knows who is reading and whether
    they may see medical posts."""

    user: object = None
    is_medical: bool = False

    @property
    def can_post(self) -> bool:
        """Writing on the timeline is for team members; an operator reads (and may retract)."""
        return self.is_member

    def can_edit(self, post: Post) -> bool:
        return post.author_id == self.user.pk and not post.is_retracted

    def can_retract(self, post: Post) -> bool:
        return not post.is_retracted and (
            post.author_id == self.user.pk or self.is_lead or self.is_operator
        )

    def can_see(self, post: Post) -> bool:
        return post.visibility != Visibility.MEDICAL or self.is_medical


def _parse_uuid(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError, ValidationError):
        raise Http404


def access_timeline(user, resident_uuid) -> TimelineAccess:
    """The user's access to a resident's timeline, or Http404 (unknown resident, not on its
    team nor its operator, suspended, or no team-sharing consent in force). Two queries."""
    try:
        access = access_resident(user, resident_uuid, permission=Permission.VIEW_DETAILS)
    except PermissionDenied:
        # Without consent the timeline does not exist for anyone.
        raise Http404
    return TimelineAccess(
        resident=access.resident,
        is_member=access.is_member,
        is_lead=access.is_lead,
        is_operator=access.is_operator,
        has_team_consent=access.has_team_consent,
        user=user,
        is_medical=is_medical(user),
    )


def access_post(user, post_uuid, *, for_write: bool = False) -> tuple[TimelineAccess, Post]:
    """(access, post) for a post `user` may see, or Http404.

    Http404 when the post is unknown, its resident is not reachable (other team, other
    Network, left the team, suspended, no consent) or it is a medical post and `user` holds no
    medical occupation. With `for_write`, PermissionDenied (403) unless `user` is the author,
    the team's lead or an operator (the services decide the exact rule per write).

    The post comes with author, author_network, vitals and retracted_by. Three or four queries.
    """
    if not getattr(user, "is_authenticated", False):
        raise Http404
    parsed = _parse_uuid(post_uuid)
    post = (
        Post.objects.select_related(
            "author", "author_network", "vitals", "retracted_by", "resident"
        )
        .filter(uuid=parsed)
        .first()
    )
    if post is None:
        raise Http404
    access = access_timeline(user, post.resident.uuid)
    if not access.can_see(post):
        raise Http404
    post.resident = access.resident
    if for_write and not (post.author_id == user.pk or access.is_lead or access.is_operator):
        raise PermissionDenied
    return access, post


def access_attachment(user, attachment_uuid) -> tuple[TimelineAccess, Attachment]:
    """(access, attachment) of a post `user` may see, or Http404 — also when the attachment
    belongs to no post or its post was retracted (retracted files are kept, not served).
    Three queries."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    parsed = _parse_uuid(attachment_uuid)
    attachment = (
        Attachment.objects.select_related("post", "post__resident").filter(uuid=parsed).first()
    )
    if attachment is None or attachment.post is None:
        raise Http404
    post = attachment.post
    access = access_timeline(user, post.resident.uuid)
    if not access.can_see(post) or post.is_retracted:
        raise Http404
    post.resident = attachment.resident = access.resident
    return access, attachment


def visible_posts(access: ResidentAccess) -> QuerySet[Post]:
    """The resident's posts `access` may see (retracted ones included: they show a marker).

    Pass a TimelineAccess (from `access_timeline` / `access_post`). A plain ResidentAccess
    does not say who reads, so it fails closed: medical posts are left out.
    """
    queryset = Post.objects.filter(resident=access.resident)
    if not getattr(access, "is_medical", False):
        queryset = queryset.exclude(visibility=Visibility.MEDICAL)
    return queryset
