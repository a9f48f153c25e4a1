"""Agreements (広域連携協定) between Networks: list, propose, read, accept, decline, leave,
invite, end.

Access as on the pages (agreements.access): the operators of the Networks named in an
Agreement (whatever their status) and superusers read it; anyone else gets 404, and the list
and the proposal are 404 for a user who operates no Network (superusers list every
Agreement). A write the caller may not do on an Agreement they see is 403 (an invited
Network cannot end it; only the invited Network's operator accepts). When the caller
operates several Networks in the Agreement, `network` says which one acts. Writes are
audited by the services (AGREEMENT_*); reads are not (no resident data). An Agreement that is
over answers 409 to every write.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from renrakucho.agreements import selectors, services
from renrakucho.agreements.access import AgreementAccess, access_agreement, operator_network_ids
from renrakucho.agreements.models import AgreementParty
from renrakucho.api.errors import FieldErrors, django_errors, error_status, field_error
from renrakucho.api.schemas import InputSchema, NetworkRef
from renrakucho.networks.models import Network

router = Router(tags=["agreements"])

Status_ = AgreementParty.Status


# --- shapes ------------------------------------------------------------------------------------
class AgreementMunicipalityOut(Schema):
    code: str = Field(description="全国地方公共団体コード（6桁）")
    name: str
    prefecture: str = Field(description="都道府県名")
    medical_area: str | None = Field(description="二次医療圏名（未登録は null）")


class AgreementPartyOut(Schema):
    network: NetworkRef
    status: Literal["invited", "accepted", "declined", "left"]
    status_label: str
    decided_at: datetime.datetime | None
    left_at: datetime.datetime | None
    municipalities: list[AgreementMunicipalityOut]


class AgreementOut(Schema):
    id: uuid.UUID
    name: str
    description: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    ended_at: datetime.datetime | None
    allows_teams: bool = Field(description="支援チームへの他ネットワークの専門職の参加")
    allows_groups: bool = Field(description="ネットワークをまたぐグループ")
    allows_evacuees: bool = Field(description="災害時の避難者情報の共有")
    phase: Literal["in_force", "pending", "over"] = Field(
        description="in_force: 有効（開始済み・2つ以上のネットワークが参加）; pending: 手続き中; "
        "over: 終了"
    )
    parties: list[AgreementPartyOut]
    medical_areas: list[str] = Field(description="参加中のネットワークの二次医療圏")
    spans_medical_areas: bool
    actions: list[Literal["accept", "decline", "leave", "invite", "end"]] = Field(
        description="呼び出し元が行える操作"
    )


class AgreementIn(InputSchema):
    network: uuid.UUID | None = Field(
        None, description="提案するネットワーク（運営するネットワークが1つなら省略可）"
    )
    name: str = Field(min_length=1, max_length=200)
    starts_on: datetime.date
    ends_on: datetime.date | None = None
    allows_teams: bool = True
    allows_groups: bool = False
    allows_evacuees: bool = False
    partners: list[uuid.UUID] = Field(description="招待するネットワークのID")
    description: str = ""


class AgreementAnswerIn(InputSchema):
    network: uuid.UUID | None = Field(
        None, description="回答するネットワーク（該当するものが1つなら省略可）"
    )
    reason: str = Field("", max_length=500)


class AgreementInviteIn(InputSchema):
    network: uuid.UUID


class AgreementEndIn(InputSchema):
    reason: str = Field("", max_length=500)


# --- helpers -----------------------------------------------------------------------------------
def _municipality(m) -> dict[str, Any]:
    return {
        "code": m.code,
        "name": m.name,
        "prefecture": m.prefecture_name,
        "medical_area": m.medical_area.name if m.medical_area else None,
    }


def _actions(agreement, parties, operated: set[int], today) -> list[str]:
    if agreement.is_over(today):
        return []
    mine = {p.status for p in parties if p.network_id in operated}
    actions = []
    if Status_.INVITED in mine:
        actions += ["accept", "decline"]
    if Status_.ACCEPTED in mine:
        actions += ["leave", "invite", "end"]
    return actions


def agreement_out(row: selectors.AgreementRow, operated: set[int], today) -> dict[str, Any]:
    """Expects the parties' Networks, municipalities and 二次医療圏 loaded (areas=True)."""
    agreement = row.agreement
    return {
        "id": agreement.uuid,
        "name": agreement.name,
        "description": agreement.description,
        "starts_on": agreement.starts_on,
        "ends_on": agreement.ends_on,
        "ended_at": agreement.ended_at,
        "allows_teams": agreement.allows_teams,
        "allows_groups": agreement.allows_groups,
        "allows_evacuees": agreement.allows_evacuees,
        "phase": row.phase,
        "parties": [
            {
                "network": party.network,
                "status": party.status,
                "status_label": party.get_status_display(),
                "decided_at": party.decided_at,
                "left_at": party.left_at,
                "municipalities": [_municipality(m) for m in party.network.municipalities.all()],
            }
            for party in row.parties
        ],
        "medical_areas": [area.name for area in row.medical_areas],
        "spans_medical_areas": row.spans_areas,
        "actions": _actions(agreement, row.parties, operated, today),
    }


def _answer(request, agreement_id) -> dict[str, Any]:
    access = access_agreement(request.user, agreement_id, areas=True)
    row = selectors.AgreementRow(
        access.agreement,
        access.parties,
        selectors.phase_of(access.agreement, access.parties, access.today),
    )
    return agreement_out(row, access.operated, access.today)


@contextmanager
def _errors(rename: dict[str, str] | None = None) -> Iterator[None]:
    """A service's ValidationError → 422 (409 when the Agreement is over), with the API's
    field names."""
    try:
        yield
    except DjangoValidationError as exc:
        raise FieldErrors(django_errors(exc, rename=rename), status=error_status(exc)) from None


def _networks(ids: list[uuid.UUID], field: str) -> list[Network]:
    """Active Networks by UUID, in the order given (duplicates kept, for the service to
    refuse), or 422 naming `field`."""
    found = {n.uuid: n for n in Network.objects.filter(uuid__in=ids, is_active=True)}
    if any(i not in found for i in ids):
        raise field_error(field, _("選べないネットワークが含まれています。"))
    return [found[i] for i in ids]


def _party(access: AgreementAccess, status, network: uuid.UUID | None) -> AgreementParty:
    if network is None and len([p for p in access.mine if p.status == status]) > 1:
        raise field_error("network", _("どのネットワークとして操作するかを指定してください。"))
    return access.my_party(status, network)


# --- operations --------------------------------------------------------------------------------
@router.get("/agreements", response=list[AgreementOut], summary="広域連携協定の一覧")
def agreement_list(request):
    """The Agreements naming a Network the caller operates (any status), newest start
    first; superusers get every Agreement. 404 for a user who operates no Network."""
    today = timezone.localdate()
    if request.user.is_superuser:
        operated = request.user.operated_network_ids()
        rows = selectors.agreement_rows(None, areas=True, today=today)
    else:
        operated = operator_network_ids(request.user)
        rows = selectors.agreement_rows(operated, areas=True, today=today)
    return [agreement_out(row, operated, today) for row in rows]


@router.post("/agreements", response={201: AgreementOut}, summary="広域連携協定の提案")
def agreement_propose(request, payload: AgreementIn):
    """Propose an Agreement: the proposing Network takes part at once, each partner is
    invited (its operators notified) and takes part once its operator accepts. 404 for a
    user who operates no Network; 403 for a `network` the caller does not operate; 422 for
    an end before the start, no partner, a Network twice, nothing allowed."""
    operated = operator_network_ids(request.user)
    if payload.network is None:
        if len(operated) > 1:
            raise field_error("network", _("提案するネットワークを指定してください。"))
        network = Network.objects.get(id=next(iter(operated)))
    else:
        network = Network.objects.filter(uuid=payload.network, id__in=operated).first()
        if network is None:
            raise PermissionDenied
    partners = _networks(payload.partners, "partners")
    with _errors({"partner_networks": "partners"}):
        agreement = services.agreement_propose(
            actor=request.user,
            network=network,
            name=payload.name,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            allows_teams=payload.allows_teams,
            allows_groups=payload.allows_groups,
            allows_evacuees=payload.allows_evacuees,
            partner_networks=partners,
            description=payload.description,
            request=request,
        )
    return Status(201, _answer(request, agreement.uuid))


@router.get("/agreements/{agreement_id}", response=AgreementOut, summary="広域連携協定")
def agreement_detail(request, agreement_id: str):
    """The Agreement with its parties, their municipalities and 二次医療圏, and what the
    caller may do (`actions`)."""
    return _answer(request, agreement_id)


@router.post(
    "/agreements/{agreement_id}/accept", response=AgreementOut, summary="協定への参加の承諾"
)
def agreement_accept(request, agreement_id: str, payload: AgreementAnswerIn | None = None):
    """The invited Network's operator accepts (403 for anyone else who sees the Agreement;
    422 when already answered)."""
    access = access_agreement(request.user, agreement_id)
    party = _party(access, Status_.INVITED, payload.network if payload else None)
    with _errors():
        services.party_accept(actor=request.user, party=party, request=request)
    return _answer(request, agreement_id)


@router.post(
    "/agreements/{agreement_id}/decline", response=AgreementOut, summary="協定への参加の辞退"
)
def agreement_decline(request, agreement_id: str, payload: AgreementAnswerIn | None = None):
    """The invited Network's operator declines, with an optional reason (as accept)."""
    access = access_agreement(request.user, agreement_id)
    party = _party(access, Status_.INVITED, payload.network if payload else None)
    with _errors():
        services.party_decline(
            actor=request.user,
            party=party,
            reason=payload.reason if payload else "",
            request=request,
        )
    return _answer(request, agreement_id)


@router.post("/agreements/{agreement_id}/leave", response=AgreementOut, summary="協定からの離脱")
def agreement_leave(request, agreement_id: str, payload: AgreementAnswerIn | None = None):
    """An operator of a Network taking part takes it out; its partners lose it at once
    (403 when the caller's Networks do not take part)."""
    access = access_agreement(request.user, agreement_id)
    party = _party(access, Status_.ACCEPTED, payload.network if payload else None)
    with _errors():
        services.party_leave(
            actor=request.user,
            party=party,
            reason=payload.reason if payload else "",
            request=request,
        )
    return _answer(request, agreement_id)


@router.post(
    "/agreements/{agreement_id}/invite", response=AgreementOut, summary="ネットワークの招待"
)
def agreement_invite(request, agreement_id: str, payload: AgreementInviteIn):
    """An operator of a Network taking part invites another Network (its operators are
    notified; it takes part once they accept). 403 when the caller's Networks do not take
    part; 422 when that Network is invited already or takes part."""
    access = access_agreement(request.user, agreement_id)
    if not access.mine:
        raise PermissionDenied
    [network] = _networks([payload.network], "network")
    with _errors():
        services.agreement_invite(
            actor=request.user, agreement=access.agreement, network=network, request=request
        )
    return _answer(request, agreement_id)


@router.post("/agreements/{agreement_id}/end", response=AgreementOut, summary="協定の終了")
def agreement_end(request, agreement_id: str, payload: AgreementEndIn | None = None):
    """An operator of a Network taking part ends the Agreement for every Network, at once
    (403 otherwise; 409 when it is over already)."""
    access = access_agreement(request.user, agreement_id)
    if not access.mine:
        raise PermissionDenied
    with _errors():
        services.agreement_end(
            actor=request.user,
            agreement=access.agreement,
            reason=payload.reason if payload else "",
            request=request,
        )
    return _answer(request, agreement_id)
