from renrakucho.notifications.selectors import unread_count


def navigation(request):
    """Which sections the navigation shows (operator console, facility management), and the
    unread-notification badge (one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_is_operator": bool(user.operated_network_ids()),
        "nav_is_facility_admin": user.affiliations.filter(
            is_admin=True, status="active", facility__status="approved"
        ).exists(),
        "nav_notifications_unread": unread_count(user),
    }
