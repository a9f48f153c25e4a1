"""Meeting screens: my meetings, scheduling (for a resident's team or chosen users), one
meeting (respond, join, files, cancel), minutes, the calendar feed and its URL, and the
operators' choice of video provider.

Thin function views: access (meetings.access) → form → service → render. Missing and
not-allowed are 404; 403 only for a write the reader may not do on a meeting they see. A
page showing resident-team meetings writes MEETING_VIEW audit rows (one per resident, with
the resident's UUID, naming the meetings: services.meetings_viewed); a download MEETING_FILE.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renrakucho.audit.models import Action
from renrakucho.audit.services import audit_record
from renrakucho.files.serving import extension_of, file_download, open_stored
from renrakucho.residents.forms import add_service_errors
from renrakucho.timeline.access import access_timeline

from . import ical, selectors, services
from .access import access_attachment, access_meeting, feed_owner
from .forms import (
    AttachForm,
    MeetingEditForm,
    MeetingForm,
    MinutesForm,
    ProviderForm,
    RespondForm,
)
from .groups_bridge import group_for_organizer, group_member_queryset
from .models import MeetingInvitation, MeetingKind, Provider

TEAM_KINDS = (MeetingKind.DISCHARGE, MeetingKind.SERVICE, MeetingKind.OTHER)
GROUP_KINDS = (MeetingKind.COMMUNITY, MeetingKind.TRAINING, MeetingKind.STUDY, MeetingKind.OTHER)


def _audit_read(request, access, view: str) -> None:
    """A page showing a resident-team meeting shows the resident: audited as a read."""
    services.meetings_viewed(
        actor=request.user, meetings=[access.meeting], view=view, request=request
    )


def _detail_url(meeting) -> str:
    return reverse("meetings:detail", kwargs={"meeting_uuid": meeting.uuid})


# --- Lists ------------------------------------------------------------------------------------


@login_required
@require_GET
def meeting_list(request):
    """My meetings, upcoming (today on) or past, 30 at a time (?after=<meeting uuid>)."""
    page = selectors.meeting_page(
        request.user, when=request.GET.get("when", "upcoming"), cursor=request.GET.get("after")
    )
    services.meetings_viewed(
        actor=request.user, meetings=page.items, view="meetings", request=request
    )
    return render(request, "meetings/list.html", {"page": page, "now": timezone.now()})


# --- Scheduling -------------------------------------------------------------------------------


def _network_for(request, form_network: str | None):
    networks = selectors.active_networks(request.user)
    if not networks:
        raise Http404
    if len(networks) == 1:
        return networks[0], networks
    chosen = next((n for n in networks if n.slug == form_network), None)
    return chosen, networks


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request):
    """Schedule a meeting: for a resident's team with ?resident=<uuid> (team members only),
    for a group with ?group=<uuid> (its members), otherwise for chosen users of the Network
    (login IDs)."""
    resident_uuid = request.GET.get("resident")
    group_uuid = request.GET.get("group") if not resident_uuid else None
    timeline = access_timeline(request.user, resident_uuid) if resident_uuid else None
    if timeline is not None and not timeline.is_member:
        raise PermissionDenied
    group_access = group_for_organizer(request.user, group_uuid) if group_uuid else None
    group = group_access.group if group_access else None
    if timeline is not None:
        network, networks = timeline.resident.network, [timeline.resident.network]
    elif group is not None:
        network, networks = group.network, [group.network]
    else:
        network, networks = _network_for(request, request.POST.get("network"))
    manual = network is not None and selectors.provider_of(network) == Provider.MANUAL
    team, kinds = None, None
    if timeline is not None:
        team = selectors.team_user_queryset(timeline.resident).exclude(pk=request.user.pk)
        kinds = TEAM_KINDS
    elif group is not None:
        team = group_member_queryset(group).exclude(pk=request.user.pk)
        kinds = GROUP_KINDS
    form_kwargs = {"team": team, "manual_url": manual, "kinds": kinds, "group": group is not None}
    if request.method == "POST":
        form = MeetingForm(request.POST, request.FILES, **form_kwargs)
        if network is None:
            form.add_error(None, _("ネットワークを選んでください。"))
        if form.is_valid() and network is not None:
            data = form.cleaned_data
            invitees = list(data["invitees"]) if team is not None else []
            if team is None:
                invitees, unknown = selectors.users_by_login(network.pk, form.login_ids())
                if unknown:
                    form.add_error(
                        "invitees",
                        _("同じネットワークに見つからないログインIDがあります: %(ids)s")
                        % {"ids": "、".join(unknown)},
                    )
            if not form.errors:
                try:
                    meeting = services.meeting_create(
                        actor=request.user,
                        network=network,
                        kind=data["kind"],
                        title=data["title"],
                        starts_at=data["starts_at"],
                        duration_minutes=data["duration_minutes"],
                        purpose=data["purpose"],
                        agenda=data["agenda"],
                        audience=services.Audience(timeline=timeline, group=group),
                        invitees=invitees,
                        join_url=data.get("join_url", ""),
                        files=data["files"],
                        request=request,
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(request, _("会議を登録し、招待を送りました。"))
                    return redirect(_detail_url(meeting))
    else:
        initial = {"duration_minutes": 60}
        if timeline is not None:
            initial["kind"] = MeetingKind.SERVICE
        elif group is not None:
            initial["kind"] = MeetingKind.COMMUNITY
        form = MeetingForm(initial=initial, **form_kwargs)
    choices = ([], [])
    if timeline is None and group is None:
        choices = selectors.audiences(request.user)
        if choices[0]:
            audit_record(
                action=Action.RESIDENT_LIST,
                actor=request.user,
                request=request,
                detail={"view": "meeting_audiences", "count": len(choices[0])},
            )
    return render(
        request,
        "meetings/create.html",
        {
            "team_residents": choices[0],
            "my_groups": choices[1],
            "form": form,
            "resident": timeline.resident if timeline else None,
            "group": group,
            "networks": networks,
            "network": network,
            "provider": selectors.provider_of(network) if network else None,
        },
    )


# --- One meeting --------------------------------------------------------------------------------


def _detail_context(request, access) -> dict:
    meeting = access.meeting
    minutes = selectors.minutes_of(meeting)
    return {
        "access": access,
        "meeting": meeting,
        "resident": access.resident,
        "invitation": access.invitation,
        "invitations": selectors.invitations_of(meeting),
        "attachments": selectors.attachments_of(meeting),
        "minutes": minutes,
        "now": timezone.now(),
        "join_open": meeting.join_open(),
        "can_write_minutes": access.can_write_minutes(),
        "attach_form": AttachForm() if access.can_manage else None,
    }


@login_required
@require_GET
def meeting_detail(request, meeting_uuid):
    """One meeting; with ?fragment=join (or HX-Request) only its join block, which
    static/js/meetings.js fetches when the join time comes."""
    access = access_meeting(request.user, meeting_uuid)
    meeting = access.meeting
    if request.GET.get("fragment") == "join":
        return render(
            request,
            "meetings/_join.html",
            {"meeting": meeting, "invitation": access.invitation, "join_open": meeting.join_open()},
        )
    _audit_read(request, access, "meeting")
    return render(request, "meetings/detail.html", _detail_context(request, access))


@login_required
@require_POST
def meeting_respond(request, meeting_uuid):
    access = access_meeting(request.user, meeting_uuid)
    form = RespondForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("「出席」か「欠席」を選んでください。"))
        return redirect(_detail_url(access.meeting))
    try:
        services.meeting_respond(
            actor=request.user,
            access=access,
            response=form.cleaned_data["response"],
            request=request,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if form.cleaned_data["response"] == MeetingInvitation.Response.ATTEND:
            messages.success(request, _("「出席」と回答しました。"))
        else:
            messages.success(request, _("「欠席」と回答しました。"))
    return redirect(_detail_url(access.meeting))


@login_required
@require_POST
def meeting_cancel(request, meeting_uuid):
    access = access_meeting(request.user, meeting_uuid)
    if not access.is_organizer:
        raise PermissionDenied
    try:
        services.meeting_cancel(
            actor=request.user,
            access=access,
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("会議を中止し、招待した人に知らせました。"))
    return redirect(_detail_url(access.meeting))


def _edit_form_kwargs(access) -> dict:
    meeting = access.meeting
    team = None
    if meeting.resident_id is not None:
        team = selectors.team_user_queryset(meeting.resident).exclude(pk=meeting.organizer_id)
    elif meeting.group_id is not None:
        team = group_member_queryset(meeting.group).exclude(pk=meeting.organizer_id)
    return {"team": team, "group": meeting.group_id is not None}


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, meeting_uuid):
    """Change a meeting (件名・目的・日時・所要時間・議題・招待する人), as its organizer; 403
    for another invitee, and once the meeting is cancelled or has ended."""
    access = access_meeting(request.user, meeting_uuid)
    meeting = access.meeting
    if not access.can_manage or meeting.has_ended():
        raise PermissionDenied
    form_kwargs = _edit_form_kwargs(access)
    team = form_kwargs["team"]
    if request.method == "POST":
        form = MeetingEditForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            if team is not None:
                invitees = list(data["invitees"])
            else:
                invitees, unknown = selectors.users_by_login(meeting.network_id, form.login_ids())
                if unknown:
                    form.add_error(
                        "invitees",
                        _("同じネットワークに見つからないログインIDがあります: %(ids)s")
                        % {"ids": "、".join(unknown)},
                    )
            if not form.errors:
                starts_at = data["starts_at"]
                # The form has minutes only: the same minute is no change.
                if starts_at == meeting.starts_at.replace(second=0, microsecond=0):
                    starts_at = meeting.starts_at
                try:
                    changed = services.meeting_update(
                        actor=request.user,
                        access=access,
                        title=data["title"],
                        purpose=data["purpose"],
                        agenda=data["agenda"],
                        starts_at=starts_at,
                        duration_minutes=data["duration_minutes"],
                        invitees=invitees,
                        request=request,
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    if changed:
                        messages.success(request, _("会議の内容を変更しました。"))
                    else:
                        messages.info(request, _("変更はありませんでした。"))
                    return redirect(_detail_url(meeting))
    else:
        invited = [
            row.user
            for row in selectors.invitations_of(meeting)
            if row.user_id != meeting.organizer_id
        ]
        initial = {
            "title": meeting.title,
            "purpose": meeting.purpose,
            "agenda": meeting.agenda,
            "starts_at": timezone.localtime(meeting.starts_at),
            "duration_minutes": meeting.duration_minutes,
            "invitees": [str(user.uuid) for user in invited]
            if team is not None
            else " ".join(user.username for user in invited),
        }
        form = MeetingEditForm(initial=initial, **form_kwargs)
        _audit_read(request, access, "edit")
    return render(
        request,
        "meetings/edit.html",
        {"access": access, "meeting": meeting, "resident": access.resident, "form": form},
        status=200 if not form.errors else 422,
    )


@login_required
@require_POST
def meeting_attach(request, meeting_uuid):
    access = access_meeting(request.user, meeting_uuid)
    if not access.can_manage:
        raise PermissionDenied
    form = AttachForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.meeting_attach(
                actor=request.user, access=access, files=form.cleaned_data["files"], request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("資料を追加しました。"))
            return redirect(_detail_url(access.meeting))
    _audit_read(request, access, "meeting")
    context = _detail_context(request, access)
    context["attach_form"] = form
    return render(request, "meetings/detail.html", context, status=422)


@login_required
@require_GET
def attachment(request, meeting_uuid, attachment_uuid):
    """A meeting's document, always as a download with its stored (content-checked) type,
    never rendered in the app's origin (nosniff, sandboxed)."""
    access, found = access_attachment(request.user, meeting_uuid, attachment_uuid)
    open_stored(found.file)
    audit_record(
        action=Action.MEETING_FILE,
        actor=request.user,
        request=request,
        network_id=access.meeting.network_id,
        target=found,
        resident_uuid=access.resident.uuid if access.resident else None,
        detail={"meeting": str(access.meeting.uuid)},
    )
    created = timezone.localtime(found.created_at)
    return file_download(
        found.file,
        content_type=found.content_type,
        filename=f"meeting-{created:%Y%m%d-%H%M}-{found.kind}.{extension_of(found.file)}",
    )


# --- Minutes ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def minutes_edit(request, meeting_uuid):
    access = access_meeting(request.user, meeting_uuid)
    meeting = access.meeting
    minutes = selectors.minutes_of(meeting)
    if not access.can_write_minutes():
        raise PermissionDenied
    invitees = selectors.invitee_users(meeting)
    if request.method == "POST":
        form = MinutesForm(request.POST, invitees=invitees)
        if form.is_valid():
            try:
                services.minutes_save(
                    actor=request.user,
                    access=access,
                    body=form.cleaned_data["body"],
                    decisions=form.cleaned_data["decisions"],
                    follow_ups=[
                        services.FollowUpInput(text=text, assignee=assignee, due_on=due_on)
                        for text, assignee, due_on in form.follow_ups()
                    ],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("議事録を保存しました。"))
                return redirect(_detail_url(meeting))
    else:
        initial = {"body": minutes.body, "decisions": minutes.decisions} if minutes else {}
        form = MinutesForm(initial=initial, invitees=invitees)
        _audit_read(request, access, "minutes")
    return render(
        request,
        "meetings/minutes_form.html",
        {"access": access, "meeting": meeting, "minutes": minutes, "form": form},
    )


# --- Calendar feed ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request):
    """The private calendar URL: issue (shown once), reissue (the old one stops) or revoke."""
    raw_url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_token_revoke(actor=request.user, request=request)
            messages.success(request, _("カレンダーのURLを無効にしました。"))
            return redirect("meetings:calendar")
        raw = services.calendar_token_issue(actor=request.user, request=request)[1]
        raw_url = settings.SITE_URL.rstrip("/") + reverse("meetings:feed", kwargs={"token": raw})
    response = render(
        request,
        "meetings/calendar.html",
        {"token": services.active_feed_token(request.user), "raw_url": raw_url},
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def calendar_feed(request, token):
    """The iCalendar feed of the token's owner (no login: the token is the secret). 404 for an
    unknown or revoked token. No resident names (see ical.py)."""
    user = feed_owner(token)
    events = [
        (meeting, settings.SITE_URL.rstrip("/") + _detail_url(meeting), declined)
        for meeting, declined in selectors.feed_events(user)
    ]
    body = ical.calendar(events, name=_("電子連絡帳の会議"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="renrakucho-meetings.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- The Network's provider -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def provider_settings(request):
    """The video provider of each Network the user operates (404 for anyone else)."""
    networks = selectors.operated_networks(request.user)
    if not networks:
        raise Http404
    errors: dict[str, ProviderForm] = {}
    if request.method == "POST":
        network = next((n for n in networks if str(n.uuid) == request.POST.get("network")), None)
        if network is None:
            raise Http404
        form = ProviderForm(request.POST)
        if form.is_valid():
            try:
                services.meeting_settings_update(
                    actor=request.user,
                    network=network,
                    provider=form.cleaned_data["provider"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("ビデオ会議サービスの設定を保存しました。"))
                return redirect("meetings:provider_settings")
        errors[str(network.uuid)] = form
    rows = [
        (
            network,
            errors.get(str(network.uuid))
            or ProviderForm(initial={"provider": selectors.provider_of(network)}),
        )
        for network in networks
    ]
    return render(request, "meetings/provider_settings.html", {"rows": rows})
