from django.contrib.auth.backends import ModelBackend


class AffiliatedUserBackend(ModelBackend):
    """Password login for users who may act somewhere: an active affiliation with an approved
    facility, or an operator role, in a Network that has not suspended them."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and user.can_log_in()
