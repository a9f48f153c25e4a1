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
  A change (`update_meeting`) is `PATCH …/onlineMeetings/{id}` with the new start, end and
  subject (the join URL stays); a cancellation (`delete_meeting`) is
  `DELETE …/onlineMeetings/{id}` (204).
- Manual: the organizer types an https URL.

Jitsi and manual links need nothing on a change or a cancellation: the room or URL stays.

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

    def update_meeting(self, meeting: MeetingLike, provider_id: str) -> None: ...

    def delete_meeting(self, provider_id: str) -> None: ...


def _setting(name: str, default: str = "") -> str:
    return str(getattr(settings, name, default) or default)


class JitsiProvider:
    name = "jitsi"

    def create_meeting(self, meeting: MeetingLike) -> tuple[str, str]:
        server = _setting("JITSI_SERVER_URL", "https://meet.jit.si").rstrip("/")
        room = JITSI_ROOM_PREFIX + secrets.token_urlsafe(16)
        return f"{server}/{room}", room

    def update_meeting(self, meeting: MeetingLike, provider_id: str) -> None:
        """The room is not bound to a time: it stays."""

    def delete_meeting(self, provider_id: str) -> None:
        """Nothing to delete: an unused room does not exist on the server."""


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

    def _call(self, request: urllib.request.Request, failure: str | None = None) -> dict:
        try:
            with urllib.request.urlopen(  # noqa: S310 (built by _request: http(s) only)
                request, timeout=GRAPH_TIMEOUT_SECONDS
            ) as response:
                raw = response.read().decode("utf-8")
                # DELETE answers 204 No Content.
                return json.loads(raw) if raw.strip() else {}
        except (urllib.error.URLError, TimeoutError, ValueError, OSError) as error:
            # The status only: an answer may echo the request.
            logger.warning(
                "Microsoft Graph call failed: %s %s",
                type(error).__name__,
                getattr(error, "code", ""),
            )
            raise ProviderError(
                failure
                or _(
                    "Microsoft Teams の会議を作成できませんでした。時間をおいてやり直してください。"
                )
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

    def _meetings_url(self) -> str:
        graph = _setting("MS_GRAPH_BASE_URL", "https://graph.microsoft.com/v1.0").rstrip("/")
        organizer = urllib.parse.quote(_setting("MS_GRAPH_ORGANIZER_ID"), safe="")
        return f"{graph}/users/{organizer}/onlineMeetings"

    def _check_configured(self) -> None:
        if not self.configured():
            raise ProviderError(_("Microsoft Teams の設定がありません。運営者に連絡してください。"))

    @staticmethod
    def _times(meeting: MeetingLike) -> bytes:
        return json.dumps(
            {
                "startDateTime": _graph_time(meeting.starts_at),
                "endDateTime": _graph_time(meeting.ends_at),
                "subject": meeting.public_label(),
            },
            ensure_ascii=False,
        ).encode("utf-8")

    @staticmethod
    def _headers(token: str, *, body: bool = True) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if body:
            headers["Content-Type"] = "application/json"
        return headers

    def create_meeting(self, meeting: MeetingLike) -> tuple[str, str]:
        self._check_configured()
        token = self.token()
        request = self._request(
            self._meetings_url(),
            data=self._times(meeting),
            method="POST",
            headers=self._headers(token),
        )
        answer = self._call(request)
        join_url, meeting_id = answer.get("joinWebUrl"), answer.get("id")
        if not isinstance(join_url, str) or not join_url.startswith("https://"):
            raise ProviderError(
                _("Microsoft Teams の会議を作成できませんでした。時間をおいてやり直してください。")
            )
        return join_url, str(meeting_id or "")

    def _meeting_url(self, provider_id: str) -> str:
        if not provider_id:
            raise ProviderError(_("Microsoft Teams の会議が見つかりません。"))
        return f"{self._meetings_url()}/{urllib.parse.quote(provider_id, safe='')}"

    def update_meeting(self, meeting: MeetingLike, provider_id: str) -> None:
        """Move the online meeting to the meeting's new start and end (the join URL stays)."""
        self._check_configured()
        failure = _(
            "Microsoft Teams の会議を変更できませんでした。時間をおいてやり直してください。"
        )
        url = self._meeting_url(provider_id)
        token = self.token()
        request = self._request(
            url, data=self._times(meeting), method="PATCH", headers=self._headers(token)
        )
        self._call(request, failure)

    def delete_meeting(self, provider_id: str) -> None:
        """Delete the online meeting (its join URL stops working)."""
        self._check_configured()
        failure = _("Microsoft Teams の会議を削除できませんでした。")
        url = self._meeting_url(provider_id)
        token = self.token()
        request = self._request(url, method="DELETE", headers=self._headers(token, body=False))
        self._call(request, failure)


class ManualProvider:
    """The organizer's own URL (checked by the service: https only)."""

    name = "manual"

    def create_meeting(self, meeting: MeetingLike) -> tuple[str, str]:
        return "", ""

    def update_meeting(self, meeting: MeetingLike, provider_id: str) -> None:
        """The organizer's URL stays."""

    def delete_meeting(self, provider_id: str) -> None:
        """Nothing of ours to delete."""


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
