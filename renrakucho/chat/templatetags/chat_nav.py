"""{% chat_unread %}: the navigation's count of unread chat messages (two queries)."""

from django import template

from renrakucho.chat.selectors import UNREAD_CAP, unread_total

register = template.Library()


@register.simple_tag(takes_context=True)
def chat_unread(context) -> str:
    """ "" when nothing is unread, else the count ("99+" beyond UNREAD_CAP)."""
    user = context.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    total = unread_total(user)
    if not total:
        return ""
    return f"{UNREAD_CAP}+" if total > UNREAD_CAP else str(total)
