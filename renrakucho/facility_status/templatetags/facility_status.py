"""Template filters of the operating-status pages."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import STALE_AFTER

register = template.Library()


@register.filter
def ago(moment) -> str:
    """{{ entry.created_at|ago }} → 「たった今」「5分前」「3時間前」「12日前」."""
    if moment is None:
        return ""
    seconds = max(0, int((timezone.now() - moment).total_seconds()))
    if seconds < 60:
        return _("たった今")
    if seconds < 3600:
        n = seconds // 60
        return ngettext("%(n)d分前", "%(n)d分前", n) % {"n": n}
    if seconds < 86400:
        n = seconds // 3600
        return ngettext("%(n)d時間前", "%(n)d時間前", n) % {"n": n}
    n = seconds // 86400
    return ngettext("%(n)d日前", "%(n)d日前", n) % {"n": n}


@register.filter
def stale(entry) -> bool:
    """True when the report is older than STALE_AFTER (14 days): shown 「古い情報」."""
    return entry is not None and timezone.now() - entry.created_at > STALE_AFTER
