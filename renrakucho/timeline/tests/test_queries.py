"""Query counts are part of the contract (ARCHITECTURE.md rule 8): each timeline page runs
the same number of queries with 5 or 60 posts carrying vitals, a photo and a PDF each."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

# Every signed-in page also runs queries outside the view (session, user, the login policy,
# the navigation's counters: about ten, changed by other features). The contract here is
# that a page's count does not grow with the posts; the bound below adds this allowance to
# the view's own queries listed in each test.
OUTSIDE_THE_VIEW = 12
AUDIT_ROW = 5  # savepoint, chain head, insert, head update, release


def run(client, url, **kwargs):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def two_sizes(bulk_posts, client, url_for, *, small=5, large=60, **kwargs):
    posts = bulk_posts(small)
    first = run(client, url_for(posts), **kwargs)
    posts += bulk_posts(large - small)
    second = run(client, url_for(posts), **kwargs)
    return first, second


@pytest.mark.parametrize("who", ["nurse", "operator_a"])
def test_timeline_page(personas, client_for, bulk_posts, django_assert_max_num_queries, who):
    # The view: resident access (1), is the reader medical (1), posts with author, vitals,
    # retracted_by and the footer's annotations joined (1), authors' occupations (1),
    # attachments (1), acknowledgements (1), comments (1), read receipts the reader already
    # has (1) and one insert of the new ones in a savepoint (3), audit row (5).
    client = client_for(getattr(personas, who))
    url = reverse("timeline:timeline", args=[personas.resident.uuid])
    first, second = two_sizes(bulk_posts, client, lambda posts: url)
    assert first == second
    with django_assert_max_num_queries(11 + AUDIT_ROW + OUTSIDE_THE_VIEW):
        client.get(url)


def test_timeline_next_page_fragment(personas, client_for, bulk_posts):
    client = client_for(personas.doctor)
    url = reverse("timeline:timeline", args=[personas.resident.uuid])

    def next_page(posts):
        newest = max(posts, key=lambda p: p.pk)
        return f"{url}?before={newest.uuid}"

    first, second = two_sizes(bulk_posts, client, next_page, HTTP_HX_REQUEST="true")
    assert first == second
    assert second <= 11 + AUDIT_ROW + OUTSIDE_THE_VIEW


def test_print_page(personas, client_for, bulk_posts):
    # Access (2), posts (1), occupations (1), attachments (1), audit row (5).
    client = client_for(personas.nurse)
    url = reverse("timeline:print", args=[personas.resident.uuid])
    first, second = two_sizes(bulk_posts, client, lambda posts: url)
    assert first == second
    assert second <= 5 + AUDIT_ROW + OUTSIDE_THE_VIEW


@pytest.mark.parametrize("name", ["vitals", "vitals_json"])
def test_vitals_pages(personas, client_for, bulk_posts, name):
    # Access (2), vitals of visible live posts with their post (1), audit row (5).
    client = client_for(personas.nurse)
    url = reverse(f"timeline:{name}", args=[personas.resident.uuid])
    first, second = two_sizes(bulk_posts, client, lambda posts: url)
    assert first == second
    assert second <= 3 + AUDIT_ROW + OUTSIDE_THE_VIEW


def test_post_page_does_not_grow_with_attachments(personas, client_for, bulk_posts):
    # Post with author, vitals, retracted_by, resident (1), access (2), read receipt (a few,
    # interactions.mark_read), the post again with the footer's annotations (1), occupations,
    # attachments, acknowledgements, comments (4), audit row (5).
    client = client_for(personas.nurse)
    posts = bulk_posts(1)
    url = reverse("timeline:post_detail", args=[posts[0].uuid])
    first = run(client, url)
    from renrakucho.timeline.models import Attachment

    Attachment.objects.bulk_create(
        [
            Attachment(
                post=posts[0], resident=personas.resident, uploaded_by=personas.nurse,
                kind="photo", file=f"timeline/t/{i}.jpg", content_type="image/jpeg", size=1,
            )
            for i in range(8)
        ]
    )  # fmt: skip
    assert run(client, url) == first
    for fragment in ({"HTTP_HX_REQUEST": "true"}, {"data": {"fragment": "1"}}):
        assert run(client, url, **fragment) <= first
