"""Care teams (支援チーム): members, invitations, leaving and removal."""

from __future__ import annotations

import uuid

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from renrakucho.api import selectors
from renrakucho.api.errors import service_errors
from renrakucho.api.schemas import (
    InvitationOut,
    NetworkRef,
    OccupationOut,
    ReasonIn,
    TeamInviteIn,
    TeamLeaveIn,
    TeamMemberOut,
)
from renrakucho.api.services import audit_api_read
from renrakucho.audit.models import Action
from renrakucho.residents import selectors as resident_selectors
from renrakucho.residents.access import Permission, access_resident
from renrakucho.residents.services import (
    team_invitation_accept,
    team_invitation_decline,
    team_invite,
    team_leave,
    team_remove,
)

router = Router(tags=["team"])

CANDIDATE_LIMIT = 30


class TeamCandidateOut(Schema):
    """A professional who may be invited: only what is needed to invite (広域連携の名簿)."""

    id: uuid.UUID
    name: str
    name_kana: str
    occupations: list[OccupationOut]
    facility: str = Field(..., description="所属事業所の名称（招待できるネットワークのもの）")
    network: NetworkRef = Field(..., description="その事業所のネットワーク")

    @staticmethod
    def resolve_id(obj) -> uuid.UUID:
        return obj.uuid

    @staticmethod
    def resolve_occupations(obj):
        return list(obj.occupations.all())

    @staticmethod
    def resolve_facility(obj) -> str:
        return obj.network_affiliations[0].facility.name

    @staticmethod
    def resolve_network(obj):
        return obj.network_affiliations[0].facility.network


@router.get("/residents/{resident_id}/team", response=list[TeamMemberOut], summary="支援チーム")
def team_list(request, resident_id: str, include_ended: bool = Query(False)):
    """Open memberships (invited, active), lead first; `include_ended=true` adds those who
    declined, left or were removed. Audited (TEAM_VIEW)."""
    access = access_resident(request.user, resident_id)
    members = selectors.team_members(access, include_ended=include_ended)
    audit_api_read(request, action=Action.TEAM_VIEW, resident=access.resident)
    return members


@router.get(
    "/residents/{resident_id}/team/candidates",
    response=list[TeamCandidateOut],
    summary="招待できる専門職の検索",
)
def team_candidates(
    request,
    resident_id: str,
    q: str = Query(
        "", max_length=100, description="氏名・フリガナ（ひらがな・全角半角を問わない）"
    ),
    occupation: str = Query("", max_length=50, description="職種コード"),
    facility: str = Query("", max_length=100, description="事業所名"),
):
    """Professionals the caller may invite to the resident's team (needs the right to invite:
    403 otherwise): of the resident's Network, and of Networks sharing an Agreement in force
    that allows care teams when the resident's consent covers cross-Network sharing. Already
    on (or invited to) the team, suspended or inactive people are left out. At most 30, by
    kana. Audited (TEAM_VIEW, view "candidates", with the number returned)."""
    access = access_resident(request.user, resident_id, permission=Permission.INVITE_MEMBER)
    people = list(
        resident_selectors.invitable_professionals(
            access, q, occupation=occupation or None, facility=facility, limit=CANDIDATE_LIMIT
        )
    )
    audit_api_read(
        request,
        action=Action.TEAM_VIEW,
        resident=access.resident,
        detail={"view": "candidates", "returned": len(people)},
    )
    return people


@router.post(
    "/residents/{resident_id}/team", response={201: TeamMemberOut}, summary="チームへの招待"
)
def team_invite_member(request, resident_id: str, payload: TeamInviteIn):
    """Invite a professional of the resident's Network, or of a Network sharing an Agreement
    in force with it (広域連携) when the resident's consent covers cross-Network sharing; they
    accept or decline. 422 (on `user`, in Japanese) when the user is neither, when the consent
    does not cover cross-Network sharing, or when already on (or invited to) the team."""
    access = access_resident(request.user, resident_id, permission=Permission.INVITE_MEMBER)
    invitee = selectors.user_by_uuid(payload.user)
    with service_errors(rename={"invitee": "user"}):
        member = team_invite(
            actor=request.user,
            access=access,
            invitee=invitee,
            role=payload.role.value,
            message=payload.message,
            request=request,
        )
    return Status(201, member)


@router.post(
    "/residents/{resident_id}/team/leave", response=TeamMemberOut, summary="チームからの退出"
)
def team_leave_self(request, resident_id: str, payload: TeamLeaveIn):
    """The caller leaves the team. The lead names an active member as `successor` when
    anyone else is on the team (422 otherwise). 404 when the caller is not a member."""
    access = access_resident(request.user, resident_id)
    successor = selectors.team_member(access, payload.successor) if payload.successor else None
    with service_errors():
        return team_leave(
            actor=request.user,
            access=access,
            successor=successor,
            reason=payload.reason,
            request=request,
        )


@router.delete(
    "/residents/{resident_id}/team/{membership_id}",
    response={204: None},
    summary="メンバーの除外・招待の取消",
)
def team_remove_member(request, resident_id: str, membership_id: str):
    """The lead or the Network's operator removes a member or cancels an open invitation
    (403 for other members). History is kept."""
    access = access_resident(request.user, resident_id, permission=Permission.REMOVE_MEMBER)
    member = selectors.team_member(access, membership_id)
    if member is None:
        raise Http404
    with service_errors():
        team_remove(actor=request.user, access=access, member=member, request=request)
    return Status(204, None)


@router.get("/team-invitations", response=list[InvitationOut], summary="自分宛ての招待")
def invitation_list(request):
    """Open invitations addressed to the caller (from residents of their Networks and of
    partner Networks), with the resident's name and kana so they can decide. Audited (RESIDENT_LIST, view "invitations")."""
    invitations = list(resident_selectors.pending_invitations(request.user))
    audit_api_read(
        request,
        action=Action.RESIDENT_LIST,
        detail={"view": "invitations", "returned": len(invitations)},
    )
    return invitations


@router.post(
    "/team-invitations/{membership_id}/accept", response=TeamMemberOut, summary="招待の承諾"
)
def invitation_accept(request, membership_id: str):
    """Only the invitee can accept (404 for anyone else); 422 if already answered."""
    with service_errors():
        return team_invitation_accept(
            actor=request.user, membership_uuid=_uuid_or_404(membership_id), request=request
        )


@router.post(
    "/team-invitations/{membership_id}/decline", response=TeamMemberOut, summary="招待の辞退"
)
def invitation_decline(request, membership_id: str, payload: ReasonIn | None = None):
    """Only the invitee can decline (404 for anyone else); 422 if already answered."""
    with service_errors():
        return team_invitation_decline(
            actor=request.user,
            membership_uuid=_uuid_or_404(membership_id),
            reason=payload.reason if payload else "",
            request=request,
        )


def _uuid_or_404(value: str):
    from uuid import UUID

    try:
        return UUID(value)
    except ValueError:
        raise Http404
