"""Labels for values annotated in selectors (they arrive as raw choice values)."""

from django import template

from renrakucho.audit.models import Action

from ..models import CareTeamMember, TeamRole

register = template.Library()


@register.filter
def team_role(value) -> str:
    """{{ resident.my_role|team_role }} → 訪問看護"""
    return str(TeamRole(value).label) if value in TeamRole.values else ""


@register.filter
def member_status(value) -> str:
    values = CareTeamMember.Status
    return str(values(value).label) if value in values.values else ""


@register.filter
def audit_action(value) -> str:
    """{{ event.action|audit_action }} → 支援対象者の閲覧 (unknown codes shown as they are)."""
    return str(Action(value).label) if value in Action.values else value
