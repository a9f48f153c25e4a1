"""Video link providers: `provider_for(name).create_meeting(meeting) -> (join_url, provider_id)`.

- Jitsi Meet: a room on `JITSI_SERVER_URL` (default https://meet.jit.si) named with a fixed
  prefix and 16 random bytes (`secrets.token_urlsafe`), so a room cannot be guessed; nothing
  is called.
- Microsoft Teams: an online meeting created through Microsoft Graph with application
  credentials (client-credentials flow): a token from
  `{MS_LOGIN_BASE_URL}/{tenant}/oauth2/v2.0/token`, then
  `POST {MS_GRAPH_BASE_URL}/users/{organizer}/onlineMeetings` with startDateTime, endDateTime
  and subject → `joinWebUrl`, `id`. The subject is the meeting's public label (its kind for a
  resident-team meeting), never a resident's name.
- Manual: the organizer types an https URL.

Providers raise ProviderError (a Japanese message, no details of the remote answer) when the
link cannot be made; the service turns it into a ValidationError. Calls are made before the
meeting's transaction opens (no database lock is held during a network call).
"""

from __future__ import annotations

import datetime
import json
import logging
import secrets
import urllib.error
import urllib.parse
import urllib.request
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

JITSI_ROOM_PREFIX = "renrakucho-"
GRAPH_TIMEOUT_SECONDS = 15


class ProviderError(Exception):
    """The video link could not be made; `str()` is a Japanese message for the organizer."""


class MeetingLike(Protocol):
    starts_at: datetime.datetime

    @property
    def ends_at(self) -> datetime.datetime: ...

    def public_label(self) -> str: ...


class VideoProvider(Protocol):
    name: str

    def create_meeting(self, meeting: MeetingLike) -> tuple[str, str]: ...


def _setting(name: str, default: str = "") -> str:
    return str(getattr(settings, name, default) or default)


class JitsiProvider:
    name = "jitsi"

    def create_meeting(self, meeting: MeetingLike) -> tuple[str, str]:
        server = _setting("JITSI_SERVER_URL", "https://meet.jit.si").rstrip("/")
        room = JITSI_ROOM_PREFIX + secrets.token_urlsafe(16)
        return f"{server}/{room}", room


def _graph_time(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


class TeamsProvider:
    """Microsoft Teams through Microsoft Graph (application permission
    OnlineMeetings.ReadWrite.All with an application access policy for the organizer)."""

    name = "teams"

    def configured(self) -> bool:
        return all(
            _setting(key)
            for key in (
                "MS_GRAPH_TENANT_ID",
                "MS_GRAPH_CLIENT_ID",
                "MS_GRAPH_CLIENT_SECRET",
                "MS_GRAPH_ORGANIZER_ID",
            )
        )

    def _request(self, url: str, **kwargs) -> urllib.request.Request:
        # The base URLs come from settings; only http(s) is ever opened (no file: etc.).
        if urllib.parse.urlsplit(url).scheme not in {"https", "http"}:
            raise ProviderError(_("Microsoft Teams の設定が正しくありません。"))
        return urllib.request.Request(url, **kwargs)  # noqa: S310 (scheme checked above)

    def _call(self, request: urllib.request.Request) -> dict:
        try:
            with urllib.request.urlopen(  # noqa: S310 (built by _request: http(s) only)
                request, timeout=GRAPH_TIMEOUT_SECONDS
            ) as response:
                return json.loads(response.read().decode("utf-8"))
        except (urllib.error.URLError, TimeoutError, ValueError, OSError) as error:
            # The status only: an answer may echo the request.
            logger.warning(
                "Microsoft Graph call failed: %s %s",
                type(error).__name__,
                getattr(error, "code", ""),
            )
            raise ProviderError(
                _("Microsoft Teams の会議を作成できませんでした。時間をおいてやり直してください。")
            ) from None

    def token(self) -> str:
        login = _setting("MS_LOGIN_BASE_URL", "https://login.microsoftonline.com").rstrip("/")
        tenant = urllib.parse.quote(_setting("MS_GRAPH_TENANT_ID"), safe="")
        form = urllib.parse.urlencode(
            {
                "client_id": _setting("MS_GRAPH_CLIENT_ID"),
                "client_secret": _setting("MS_GRAPH_CLIENT_SECRET"),
                "scope": "https://graph.microsoft.com/.default",
                "grant_type": "client_credentials",
            }
        ).encode()
        request = self._request(
            f"{login}/{tenant}/oauth2/v2.0/token",
            data=form,
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        answer = self._call(request)
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise ProviderError(_("Microsoft Teams の認証に失敗しました。設定を確認してください。"))
        return token

    def create_meeting(self, meeting: MeetingLike) -> tuple[str, str]:
        if not self.configured():
            raise ProviderError(_("Microsoft Teams の設定がありません。運営者に連絡してください。"))
        token = self.token()
        graph = _setting("MS_GRAPH_BASE_URL", "https://graph.microsoft.com/v1.0").rstrip("/")
        organizer = urllib.parse.quote(_setting("MS_GRAPH_ORGANIZER_ID"), safe="")
        body = json.dumps(
            {
                "startDateTime": _graph_time(meeting.starts_at),
                "endDateTime": _graph_time(meeting.ends_at),
                "subject": meeting.public_label(),
            },
            ensure_ascii=False,
        ).encode("utf-8")
        request = self._request(
            f"{graph}/users/{organizer}/onlineMeetings",
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        answer = self._call(request)
        join_url, meeting_id = answer.get("joinWebUrl"), answer.get("id")
        if not isinstance(join_url, str) or not join_url.startswith("https://"):
            raise ProviderError(
                _("Microsoft Teams の会議を作成できませんでした。時間をおいてやり直してください。")
            )
        return join_url, str(meeting_id or "")


class ManualProvider:
    """The organizer's own URL (checked by the service: https only)."""

    name = "manual"

    def create_meeting(self, meeting: MeetingLike) -> tuple[str, str]:
        return "", ""


PROVIDERS: dict[str, type] = {
    "jitsi": JitsiProvider,
    "teams": TeamsProvider,
    "manual": ManualProvider,
}


def provider_for(name: str) -> VideoProvider:
    try:
        return PROVIDERS[name]()
    except KeyError:
        raise ProviderError(_("ビデオ会議サービスの設定が正しくありません。")) from None
