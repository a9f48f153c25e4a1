"""Signals sent by account flows so that layers above (audit) can record them.

accounts sits below audit in the layer order and must not import it; audit.receivers listens
here instead. Each signal is sent inside the transaction of the change it reports, so the
audit row commits or rolls back with it. Every signal carries `user` (whose account it is)
and `request` (None outside a web or API request; the IP is taken from it).
"""

from django.dispatch import Signal

# A TOTP device was confirmed (二要素認証の登録). Extra argument: `device`.
otp_enrolled = Signal()
# The second factor was verified in a session: sign-in completed. Extra argument: `device`.
otp_verified = Signal()
# The user removed their TOTP devices (only where no Network requires two-factor login).
otp_disabled = Signal()
# A personal API token was issued / revoked. Extra argument: `token` (an ApiToken row; the
# raw value is never passed around).
api_token_issued = Signal()
api_token_revoked = Signal()
