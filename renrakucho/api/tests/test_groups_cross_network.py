"""The groups API across Networks (広域連携): B's nurse joins a group of A open to partners,
reads and posts; C's nurse gets 404; ending the Agreement removes B's access at once (group,
board, threads, replies, files); PATCH /groups/{id} opens a group to partners only for an
owner operating its Network under an Agreement allowing groups; GET /groups?network=."""

from __future__ import annotations

import pytest

from renrakucho.groups import board
from renrakucho.groups.tests.crossnet import (
    cross_group,
    end_agreement,
    make_agreement,
    make_nurse_c,
    nurses_group,
)
from renrakucho.testing.files import png_bytes, upload

pytestmark = pytest.mark.django_db


def test_external_nurse_joins_reads_and_posts(personas, api_for):
    _, group = cross_group(personas, join=False)
    api = api_for(personas.nurse_b)
    listed = {g["name"]: g for g in api.get("/groups").json()}
    assert listed[group.name]["network"] == "ina"
    assert listed[group.name]["open_to_partners"] is True
    assert api.post(f"/groups/{group.uuid}/join").json()["status"] == "active"
    created = api.post(f"/groups/{group.uuid}/threads", {"title": "研修会", "body": "参加します"})
    assert created.status_code == 201
    thread_id = created.json()["id"]
    assert api.get(f"/groups/{group.uuid}/threads").json()["items"][0]["id"] == thread_id
    assert api.post(f"/threads/{thread_id}/replies", {"body": "よろしく"}).status_code == 201
    members = api_for(personas.operator_a).get(f"/groups/{group.uuid}/members").json()
    external = [m for m in members if m["external"]]
    assert [(m["user"]["username"], m["network"]) for m in external] == [
        ("p-nurse-b", "南箕輪村電子連絡帳")
    ]


def test_nurse_of_c_gets_404(personas, api_for):
    _, group = cross_group(personas)
    thread = board.thread_create(actor=personas.nurse_b, group=group, title="件名", body="本文")
    api = api_for(make_nurse_c(personas))
    for path in (
        f"/groups/{group.uuid}",
        f"/groups/{group.uuid}/members",
        f"/groups/{group.uuid}/threads",
        f"/threads/{thread.uuid}",
        f"/threads/{thread.uuid}/replies",
    ):
        assert api.get(path).status_code == 404, path
    assert api.post(f"/groups/{group.uuid}/join").status_code == 404
    assert group.name not in [g["name"] for g in api.get("/groups").json()]


def test_ending_the_agreement_removes_api_access_at_once(personas, api_for):
    agreement, group = cross_group(personas)
    thread = board.thread_create(
        actor=personas.nurse_b,
        group=group,
        title="件名",
        body="本文",
        files=[upload("写真.png", png_bytes(), "image/png")],
    )
    attachment = thread.attachments.get()
    api = api_for(personas.nurse_b)
    paths = [
        f"/groups/{group.uuid}",
        f"/groups/{group.uuid}/threads",
        f"/threads/{thread.uuid}",
        f"/threads/{thread.uuid}/replies",
        f"/board-files/{attachment.uuid}",
    ]
    assert [api.get(p).status_code for p in paths] == [200] * 5
    end_agreement(agreement, personas.operator_a)
    assert [api.get(p).status_code for p in paths] == [404] * 5
    assert api.post(f"/threads/{thread.uuid}/replies", {"body": "x"}).status_code == 404
    assert group.name not in [g["name"] for g in api.get("/groups").json()]
    assert api_for(personas.operator_a).get(f"/threads/{thread.uuid}").status_code == 200


def test_patch_open_to_partners(personas, api_for, last_audit):
    group = nurses_group(personas, open_to_partners=False)
    operator = api_for(personas.operator_a)
    refused = operator.patch(f"/groups/{group.uuid}", {"open_to_partners": True})
    assert refused.status_code == 422
    assert "広域連携協定" in str(refused.json())
    make_agreement(personas.net_a, personas.net_b, proposer=personas.operator_a)
    done = operator.patch(f"/groups/{group.uuid}", {"open_to_partners": True})
    assert done.status_code == 200 and done.json()["open_to_partners"] is True
    assert last_audit().detail["changed"] == ["open_to_partners"]
    # A member who is not an owner: 403; someone of another Network: 404.
    from renrakucho.groups import services
    from renrakucho.groups.access import access_group

    services.group_join(
        actor=personas.nurse, access=access_group(personas.nurse, group.uuid, board=False)
    )
    patch = {"open_to_partners": False}
    assert api_for(personas.nurse).patch(f"/groups/{group.uuid}", patch).status_code == 403
    assert api_for(personas.operator_c).patch(f"/groups/{group.uuid}", patch).status_code == 404
    assert api_for(personas.pharmacist).patch(f"/groups/{group.uuid}", patch).status_code == 404


def test_group_list_by_network(personas, api_for):
    _, group = cross_group(personas, join=False)
    api = api_for(personas.nurse_b)
    assert group.name in [g["name"] for g in api.get("/groups?network=minamiminowa").json()]
    assert api.get("/groups?network=ina").json() == []  # B's nurse does not act in A
    assert api.get("/groups?network=nowhere").json() == []


def test_group_list_same_queries_for_1_and_20_networks(personas, api_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from renrakucho.groups.tests.test_networks import _join_networks

    api = api_for(personas.nurse)
    _join_networks(personas, personas.nurse, 1)

    def measure():
        with CaptureQueriesContext(connection) as context:
            body = api.get("/groups").json()
        return body, len(context.captured_queries)

    measure()  # the token's first use is recorded once
    small_body, small = measure()
    _join_networks(personas, personas.nurse, 19, start=1)
    body, large = measure()
    assert len(body) == 20 * len(small_body)
    assert small == large
