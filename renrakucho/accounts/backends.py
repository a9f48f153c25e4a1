from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

# Set on the request when the password was right but the account may not act anywhere, so the
# login form can say why without telling a stranger whether a login ID exists.
LOGIN_REFUSED_ATTR = "renrakucho_login_refused"


class AffiliatedUserBackend(ModelBackend):
    """Password login for users who may act somewhere: an active affiliation with an approved
    facility, or an operator role, in a Network that has not suspended them.

    `get_user` applies the same rule to every request of an existing session, so a user whose
    last affiliation ends (or who is suspended) is anonymous from their next request on;
    accounts.middleware then ends that session with a notice.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        # ModelBackend.authenticate, spelled out to mark refusals after a correct password.
        user_model = get_user_model()
        if username is None:
            username = kwargs.get(user_model.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = user_model._default_manager.get_by_natural_key(username)
        except user_model.DoesNotExist:
            # Hash anyway: an unknown ID takes as long as a wrong password.
            user_model().set_password(password)
            return None
        if not user.check_password(password):
            return None
        if not self.user_can_authenticate(user):
            if request is not None:
                setattr(request, LOGIN_REFUSED_ATTR, True)
            return None
        return user

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and user.can_log_in()
