"""API test helpers: a JSON client holding a bearer token for a persona."""

import pytest
from django.test import Client

from renrakucho.accounts.models import ApiToken
from renrakucho.audit.models import AuditChainHead, AuditEvent

API = "/api/v1"


class ApiClient:
    """Django's test client (so every middleware, axes included, runs) speaking JSON with
    `Authorization: Bearer <token>` (or none, when `raw` is None)."""

    def __init__(self, raw: str | None = None, **client_kwargs):
        headers = {"Authorization": f"Bearer {raw}"} if raw is not None else {}
        self.client = Client(headers=headers, **client_kwargs)
        self.raw = raw

    def _call(self, method, path, data=None):
        kwargs = {"content_type": "application/json"} if data is not None else {}
        if data is not None:
            kwargs["data"] = data
        return getattr(self.client, method)(API + path, **kwargs)

    def get(self, path, params=None):
        return self.client.get(API + path, params or {})

    def post(self, path, data=None):
        return self._call("post", path, data if data is not None else {})

    def patch(self, path, data=None):
        return self._call("patch", path, data if data is not None else {})

    def put(self, path, data=None):
        return self._call("put", path, data if data is not None else {})

    def delete(self, path, data=None):
        return self._call("delete", path, data)


@pytest.fixture(autouse=True)
def _audit_chain_started(db):
    # The first audit row ever also creates the chain head (three more queries, once per
    # database); start the chain so that query counts measure the steady state.
    AuditChainHead.objects.get_or_create(pk=1)


@pytest.fixture
def api_for():
    """api_for(user) -> ApiClient with a fresh token of `user`; api_for(None) -> no token."""

    def make(user, **client_kwargs):
        if user is None:
            return ApiClient(None, **client_kwargs)
        _, raw = ApiToken.issue(user=user)
        return ApiClient(raw, **client_kwargs)

    return make


@pytest.fixture
def last_audit():
    """last_audit() -> the newest audit row (or None)."""

    def get():
        return AuditEvent.objects.order_by("-id").select_related("actor").first()

    return get


def grow_team_residents(personas, n: int):
    """n more residents in Network A on the nurse's team, each with a consent and a lead,
    so that list endpoints can be measured at two sizes."""
    from renrakucho.residents.models import TeamRole
    from renrakucho.testing.personas import add_consent, add_member, make_resident

    made = []
    for i in range(n):
        resident = make_resident(
            personas.net_a, personas.caremanager, name=f"佐藤 {i}", kana=f"サトウ {i}"
        )
        add_member(resident, personas.caremanager, TeamRole.CARE_MANAGER, lead=True)
        add_member(resident, personas.nurse, TeamRole.VISITING_NURSE)
        add_consent(resident, personas.caremanager)
        made.append(resident)
    return made


# --- timeline (issue 3) ------------------------------------------------------------------------
@pytest.fixture
def make_post(personas):
    """make_post(author=nurse, **fields) -> a post written through the service (audited,
    notified: as a real one)."""
    from renrakucho.timeline.access import access_timeline
    from renrakucho.timeline.services import post_create

    def make(author=None, *, resident=None, files=(), **fields):
        author = author or personas.nurse
        resident = resident or personas.resident
        fields.setdefault("kind", "message")
        fields.setdefault("body", "様子に変わりありません。")
        return post_create(
            actor=author, access=access_timeline(author, resident.uuid), files=files, **fields
        )

    return make


@pytest.fixture
def bulk_posts(personas):
    """bulk_posts(n) -> n posts written straight to the database (see
    renrakucho.testing.timeline), by the nurse and the care manager in turn, each read and
    acknowledged by the doctor. For query counts at two sizes."""
    from renrakucho.testing.timeline import bulk_posts as bulk_timeline

    def make(n, *, resident=None):
        return bulk_timeline(
            resident or personas.resident,
            [personas.nurse, personas.caremanager],
            n,
            read_and_acked_by=personas.doctor,
        )

    return make
