"""Timelines written straight to the database (no services: fast), for query counts at two
sizes."""

from __future__ import annotations

from django.utils import timezone

from renrakucho.timeline.models import Acknowledgement, Attachment, Post, ReadReceipt, VitalSigns


def bulk_posts(resident, authors, n, *, read_and_acked_by=None) -> list[Post]:
    """`n` visit reports on `resident`'s timeline by `authors` in turn, each with vitals (a
    systolic ≥ 180 flagged now and then), a photo and a PDF row (files not on disk), every
    seventh urgent; with `read_and_acked_by`, that user's read receipt and 了解 on each."""
    now = timezone.now()
    posts = Post.objects.bulk_create(
        [
            Post(
                resident=resident,
                author=authors[i % len(authors)],
                author_network=resident.network,
                kind="visit",
                body=f"訪問しました {i}\n変わりなし",
                visited_at=now,
                urgent=i % 7 == 0,
            )
            for i in range(n)
        ]
    )
    VitalSigns.objects.bulk_create(
        [
            VitalSigns(
                post=post,
                resident=resident,
                measured_at=now,
                systolic=120 + i % 70,
                diastolic=70,
                temperature="36.5",
                spo2=95,
                abnormal=["systolic"] if 120 + i % 70 >= 180 else [],
            )
            for i, post in enumerate(posts)
        ]
    )
    Attachment.objects.bulk_create(
        [
            Attachment(
                post=post,
                resident=resident,
                uploaded_by=post.author,
                kind=kind,
                file=f"timeline/test/{post.pk}.{ext}",
                thumbnail=f"timeline/thumbs/test/{post.pk}.jpg",
                content_type=content_type,
                size=1000,
            )
            for post in posts
            for kind, ext, content_type in (
                ("photo", "jpg", "image/jpeg"),
                ("pdf", "pdf", "application/pdf"),
            )
        ]
    )
    if read_and_acked_by is not None:
        reader = read_and_acked_by
        ReadReceipt.objects.bulk_create(
            [ReadReceipt(post=post, user=reader, read_at=now) for post in posts]
        )
        Acknowledgement.objects.bulk_create(
            [Acknowledgement(post=post, user=reader, acknowledged_at=now) for post in posts]
        )
    return posts
