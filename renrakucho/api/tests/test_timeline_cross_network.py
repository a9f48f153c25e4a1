"""Posts of external members (広域連携) stay on the timeline marked with the Network they
posted from — on the timeline, a post's page, the print page and in the API — also after
the Agreement ended."""

from __future__ import annotations

import pytest
from django.urls import reverse

from renrakucho.residents.tests.crossnet import cross_team, end_agreement
from renrakucho.timeline.access import access_timeline
from renrakucho.timeline.services import post_create

pytestmark = pytest.mark.django_db

BADGE = "外部（南箕輪村電子連絡帳）"


def _post(personas, author, body):
    return post_create(
        actor=author,
        access=access_timeline(author, personas.resident.uuid),
        kind="message",
        body=body,
    )


def test_external_posts_keep_their_network_badge_after_the_agreement_ends(
    personas, client_for, api_for
):
    agreement = cross_team(personas)
    external = _post(personas, personas.nurse_b, "南箕輪村から訪問しました。")
    local = _post(personas, personas.nurse, "伊那市から訪問しました。")
    assert personas.net_b.name == "南箕輪村電子連絡帳"
    assert (
        BADGE
        in client_for(personas.nurse_b)
        .get(reverse("timeline:timeline", args=[personas.resident.uuid]))
        .content.decode()
    )

    end_agreement(agreement, personas.operator_a)

    client = client_for(personas.nurse)
    timeline = client.get(reverse("timeline:timeline", args=[personas.resident.uuid]))
    html = timeline.content.decode()
    assert "南箕輪村から訪問しました。" in html and "伊那市から訪問しました。" in html
    assert html.count(BADGE) == 1
    article = html[html.index(f'id="post-{external.uuid}"') :]
    assert BADGE in article[: article.index("</header>")]
    for post, marked in [(external, True), (local, False)]:
        page = client.get(reverse("timeline:post_detail", args=[post.uuid])).content.decode()
        assert (BADGE in page) is marked
    printed = client.get(reverse("timeline:print", args=[personas.resident.uuid]))
    assert printed.content.decode().count(BADGE) == 1

    api = api_for(personas.nurse)
    posts = api.get(f"/residents/{personas.resident.uuid}/posts").json()["items"]
    networks = {item["id"]: item["author_network"] for item in posts}
    assert networks[str(external.uuid)] == {
        "id": str(personas.net_b.uuid),
        "slug": "minamiminowa",
        "name": "南箕輪村電子連絡帳",
    }
    assert networks[str(local.uuid)]["id"] == str(personas.net_a.uuid)
    one = api.get(f"/posts/{external.uuid}").json()
    assert one["author_network"]["name"] == "南箕輪村電子連絡帳"


def test_a_post_without_a_recorded_network_has_no_badge(personas, client_for, api_for):
    post = _post(personas, personas.nurse, "記録")
    type(post).objects.filter(pk=post.pk).update(author_network=None)
    page = client_for(personas.nurse).get(reverse("timeline:post_detail", args=[post.uuid]))
    assert "外部（" not in page.content.decode()
    assert api_for(personas.nurse).get(f"/posts/{post.uuid}").json()["author_network"] is None
