from .selectors import unread_count


def unread_notices(request):
    """`nav_unread_notices`: the signed-in user's unread notices, for the navigation badge.
    One query per page rendered with the base template."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_unread_notices": unread_count(user)}
