"""Builders for the read receipt, acknowledgement, comment, request and search tests."""

from __future__ import annotations

from django.utils import timezone

from renrakucho.core.text import fold
from renrakucho.timeline.models import Post


def make_post(resident, author, body="本日訪問しました。", **fields) -> Post:
    """A post written straight to the database (no service, no notifications)."""
    return Post.objects.create(
        resident=resident,
        author=author,
        author_network=resident.network,
        kind=fields.pop("kind", "message"),
        body=body,
        search_key=fold(body),
        **fields,
    )


def make_posts(resident, authors, n, body="訪問しました {i}", **fields) -> list[Post]:
    """n posts in one statement, from `authors` in turn."""
    return Post.objects.bulk_create(
        [
            Post(
                resident=resident,
                author=authors[i % len(authors)],
                author_network=resident.network,
                kind=fields.get("kind", "message"),
                body=body.format(i=i),
                search_key=fold(body.format(i=i)),
                **{k: v for k, v in fields.items() if k != "kind"},
            )
            for i in range(n)
        ]
    )


def retract(post: Post, by) -> Post:
    post.retracted_at = timezone.now()
    post.retracted_by = by
    post.retraction_reason = "誤投稿"
    post.save(update_fields=["retracted_at", "retracted_by", "retraction_reason"])
    return post
