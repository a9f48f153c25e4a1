"""Fixtures of the meetings tests (personas and client_for come from renrakucho/conftest)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from renrakucho.audit.models import AuditChainHead
from renrakucho.meetings import services
from renrakucho.timeline.access import access_timeline


@pytest.fixture(autouse=True)
def _audit_chain_started(db):
    # The first audit row ever also creates the chain head: start it so that query counts
    # measure the steady state.
    AuditChainHead.objects.get_or_create(pk=1)


@pytest.fixture
def team_meeting(personas):
    """team_meeting(organizer=caremanager, starts_in=1 day, **fields) -> a 退院時カンファレンス
    for resident R's whole team, through the service (Jitsi: the default provider)."""

    def make(organizer=None, *, starts_in=datetime.timedelta(days=1), **fields):
        organizer = organizer or personas.caremanager
        fields.setdefault("kind", "discharge")
        fields.setdefault("title", "山田 花子さん 退院時カンファレンス")
        fields.setdefault("duration_minutes", 60)
        fields.setdefault("agenda", "退院後の訪問体制")
        return services.meeting_create(
            actor=organizer,
            network=personas.net_a,
            starts_at=timezone.now() + starts_in,
            audience=services.Audience(timeline=access_timeline(organizer, personas.resident.uuid)),
            **fields,
        )

    return make


@pytest.fixture
def users_meeting(personas):
    """users_meeting(organizer=doctor, invitees=[pharmacist], …) -> a 勉強会 for chosen
    users of Network A."""

    def make(organizer=None, invitees=None, *, starts_in=datetime.timedelta(days=2), **fields):
        organizer = organizer or personas.doctor
        fields.setdefault("kind", "study")
        fields.setdefault("title", "褥瘡ケア勉強会")
        fields.setdefault("duration_minutes", 90)
        return services.meeting_create(
            actor=organizer,
            network=personas.net_a,
            starts_at=timezone.now() + starts_in,
            invitees=invitees if invitees is not None else [personas.pharmacist],
            **fields,
        )

    return make


@pytest.fixture
def emails(personas):
    """E-mail addresses for R's team (personas have none)."""
    for user, address in [
        (personas.doctor, "doctor@example.jp"),
        (personas.nurse, "nurse@example.jp"),
        (personas.caremanager, "cm@example.jp"),
    ]:
        user.email = address
        user.save(update_fields=["email"])
