from django.urls import path

from . import views

app_name = "accounts"
# login/, logout/ and otp/ are the sign-in steps (LoginPolicyMiddleware lets a session reach
# them before its second factor); everything else here is behind the full login policy.
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    path("otp/setup/", views.otp_setup, name="otp_setup"),
    path("settings/", views.account_settings, name="settings"),
    path("settings/otp/disable/", views.otp_disable, name="otp_disable"),
    path("settings/tokens/", views.token_issue, name="token_issue"),
    path("settings/tokens/<uuid:token_uuid>/revoke/", views.token_revoke, name="token_revoke"),
]
