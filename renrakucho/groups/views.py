"""Group screens: my groups, discoverable groups and invitations; creating and editing a group;
the board (threads: pinned first, then latest activity), a thread with its replies, new thread
and reply forms, pin/close, search, members (requests, invitations, owners), files.

Thin function views: decorators → access (groups.access) → form → service → render. A
non-member gets 404 on everything of a group's board (and on the card of an invitation-only
group); 403 only for a write a member may not do. Writes are audited by the services; a file
download writes BOARD_FILE. Reading the board is not audited: it holds no resident data
(resident details belong on the resident's timeline, which the forms remind).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renrakucho.files.serving import attachment_filename, file_download, open_stored
from renrakucho.networks.models import Network
from renrakucho.residents.forms import add_service_errors

from . import board, board_selectors, selectors, services
from .access import access_attachment, access_group, access_thread
from .forms import GroupForm, InviteForm, LeaveForm, ReplyForm, SearchForm, ThreadForm


def _is_fragment(request) -> bool:
    return bool(request.headers.get("HX-Request")) or request.GET.get("fragment") == "1"


def _board_url(group) -> str:
    return reverse("groups:group", kwargs={"group_uuid": group.uuid})


def _thread_url(thread) -> str:
    return reverse("groups:thread", kwargs={"thread_uuid": thread.uuid})


def _message_of(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Lists -------------------------------------------------------------------------------


@login_required
@require_GET
def group_list(request):
    """My groups with unread counts, invitations to answer, and groups I may join, of every
    Network I act in (each labelled with its Network; partners' groups open to mine
    included); with several Networks a switch (`?network=<slug>`) narrows to one. A fixed
    number of queries whatever the number of Networks."""
    user = request.user
    active = user.active_network_ids()
    networks = list(Network.objects.filter(pk__in=active).order_by("name", "id"))
    slug = request.GET.get("network")
    network = next((n for n in networks if slug and n.slug == slug), None)
    scope = {network.pk} if network else active
    return render(
        request,
        "groups/list.html",
        {
            "groups": selectors.my_groups(user, network_ids=scope),
            "invitations": selectors.pending_invitations(user, network_ids=scope),
            "discoverable": selectors.discoverable_groups(user, network_ids=scope),
            "can_create": bool(active),
            "networks": networks if len(networks) > 1 else [],
            "network": network,
        },
    )


@login_required
@require_GET
def badge(request):
    """The menu's unread badge (fetched by htmx after the page loads). Two queries."""
    return render(request, "groups/_badge.html", {"unread": selectors.unread_total(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def group_new(request):
    user = request.user
    network_ids = user.active_network_ids()
    if not network_ids:
        raise Http404
    operated = user.operated_network_ids()
    networks = Network.objects.filter(pk__in=network_ids).order_by("name")
    form_kwargs = {"is_operator": bool(operated), "networks": networks}
    if request.method == "POST":
        form = GroupForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                group = services.group_create(
                    actor=user,
                    network=data["network"],
                    name=data["name"],
                    description=data["description"],
                    policy=data["policy"],
                    announcement_only=data.get("announcement_only", False),
                    occupation_codes=[o.code for o in data["occupations"]],
                    facility_types=data["facility_types"],
                    request=request,
                )
            except PermissionDenied:
                form.add_error(
                    None,
                    _(
                        "誰でも参加できるグループとお知らせ専用のグループは、"
                        "そのネットワークの運営者だけが作成できます。"
                    ),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("グループを作成しました。"))
                return redirect(_board_url(group))
    else:
        form = GroupForm(initial={"policy": "request"}, **form_kwargs)
    return render(request, "groups/group_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request, group_uuid):
    access = access_group(request.user, group_uuid)
    if not access.can_manage:
        raise PermissionDenied
    group = access.group
    is_operator = group.network_id in request.user.operated_network_ids()
    kwargs = {
        "is_operator": is_operator or group.policy == "open",
        "editing": True,
        "partners": is_operator,
    }
    if request.method == "POST":
        form = GroupForm(request.POST, networks=Network.objects.none(), **kwargs)
        if form.is_valid():
            try:
                services.group_update(
                    actor=request.user,
                    access=access,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    policy=form.cleaned_data["policy"],
                    open_to_partners=form.cleaned_data.get("open_to_partners"),
                    request=request,
                )
            except PermissionDenied:
                form.add_error("policy", _("誰でも参加できる設定は運営者だけが選べます。"))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("グループの設定を変更しました。"))
                return redirect(_board_url(group))
    else:
        form = GroupForm(
            initial={
                "name": group.name,
                "description": group.description,
                "policy": group.policy,
                "open_to_partners": group.open_to_partners,
            },
            networks=Network.objects.none(),
            **kwargs,
        )
    return render(
        request, "groups/group_form.html", {"form": form, "group": group, "access": access}
    )


# --- The board ---------------------------------------------------------------------------


@login_required
@require_GET
def group_board(request, group_uuid):
    """Members: the board (keyset pages via ?after=<thread uuid>; with ?fragment=1 or htmx
    only the list). Someone who may join: the group's card with the join button."""
    access = access_group(request.user, group_uuid, board=False)
    if not access.is_member:
        if _is_fragment(request):
            raise Http404
        return render(request, "groups/card.html", {"access": access, "group": access.group})
    after = None if _is_fragment(request) else request.GET.get("after")
    page = board_selectors.board_page(access, request.user, after=after)
    context = {"access": access, "group": access.group, "page": page}
    if _is_fragment(request):
        return render(request, "groups/board.html#list", context)
    return render(request, "groups/board.html", context)


@login_required
@require_GET
def search(request, group_uuid):
    access = access_group(request.user, group_uuid)
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    threads = board_selectors.search_threads(access, request.user, query) if query else []
    return render(
        request,
        "groups/search.html",
        {
            "access": access,
            "group": access.group,
            "form": form,
            "query": query,
            "threads": threads,
            "limit": board_selectors.SEARCH_LIMIT,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def thread_new(request, group_uuid):
    access = access_group(request.user, group_uuid)
    if not access.can_post:
        raise PermissionDenied
    if request.method == "POST":
        form = ThreadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                thread = board.thread_create(
                    actor=request.user,
                    group=access.group,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    files=form.cleaned_data["files"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("スレッドを投稿しました。"))
                return redirect(_thread_url(thread))
    else:
        form = ThreadForm()
    return render(
        request, "groups/thread_new.html", {"access": access, "group": access.group, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def thread(request, thread_uuid):
    """The thread and its replies (keyset pages of 100 via ?after=<reply uuid>), the reply
    form. Opening the page marks the thread and the replies shown read (one batch); the
    fragment the realtime client fetches (?fragment=1) does not."""
    access, found = access_thread(request.user, thread_uuid)
    form = None
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                reply = board.reply_create(
                    actor=request.user,
                    access=access,
                    thread=found,
                    body=form.cleaned_data["body"],
                    files=form.cleaned_data["files"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("返信しました。"))
                return redirect(f"{_thread_url(found)}#reply-{reply.uuid}")
    after = request.GET.get("after") if request.method == "GET" else None
    page = board_selectors.thread_page(access, found, after=after)
    fragment = _is_fragment(request)
    if request.method == "GET" and not fragment:
        board.mark_read(user=request.user, thread=found, replies=page.replies)
    context = {
        "access": access,
        "group": access.group,
        "thread": found,
        "page": page,
        "form": form if form is not None else ReplyForm(),
    }
    if fragment:
        return render(request, "groups/thread.html#posts", context)
    return render(request, "groups/thread.html", context)


@login_required
@require_POST
def thread_pin(request, thread_uuid):
    access, found = access_thread(request.user, thread_uuid)
    pinned = request.POST.get("pinned") == "1"
    board.thread_set_pinned(
        actor=request.user, access=access, thread=found, pinned=pinned, request=request
    )
    messages.success(request, _("ピン留めしました。") if pinned else _("ピン留めを外しました。"))
    return redirect(_thread_url(found))


@login_required
@require_POST
def thread_close(request, thread_uuid):
    access, found = access_thread(request.user, thread_uuid)
    closed = request.POST.get("closed") == "1"
    board.thread_set_closed(
        actor=request.user, access=access, thread=found, closed=closed, request=request
    )
    messages.success(
        request, _("スレッドを締め切りました。") if closed else _("スレッドを再開しました。")
    )
    return redirect(_thread_url(found))


# --- Membership --------------------------------------------------------------------------


@login_required
@require_POST
def group_join(request, group_uuid):
    access = access_group(request.user, group_uuid, board=False)
    try:
        membership = services.group_join(actor=request.user, access=access, request=request)
    except ValidationError as error:
        messages.error(request, _message_of(error))
    else:
        if membership.status == "active":
            messages.success(request, _("グループに参加しました。"))
        else:
            messages.success(request, _("参加を申請しました。管理者の承認をお待ちください。"))
    return redirect(_board_url(access.group))


@login_required
@require_http_methods(["GET", "POST"])
def group_leave(request, group_uuid):
    access = access_group(request.user, group_uuid, board=False)
    if access.membership is None:
        raise Http404
    candidates = [
        m
        for m in selectors.memberships(access)
        if m.user_id != request.user.pk and m.status == "active"
    ]
    needs_successor = access.is_owner and not any(m.is_owner for m in candidates)
    form = LeaveForm(request.POST or None, candidates=candidates if needs_successor else ())
    if request.method == "POST" and form.is_valid():
        successor = None
        if form.cleaned_data.get("successor"):
            successor = selectors.membership_in(access, form.cleaned_data["successor"])
        try:
            services.group_leave(
                actor=request.user, access=access, successor=successor, request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("グループから退出しました。"))
            return redirect("groups:list")
    return render(
        request,
        "groups/leave.html",
        {
            "access": access,
            "group": access.group,
            "form": form,
            "needs_successor": needs_successor and bool(candidates),
        },
    )


@login_required
@require_POST
def invitation(request, membership_uuid, answer):
    if answer not in ("accept", "decline"):
        raise Http404
    found = next(
        (
            m
            for m in selectors.pending_invitations(request.user)
            if str(m.uuid) == str(membership_uuid)
        ),
        None,
    )
    if found is None:
        raise Http404
    try:
        services.invitation_respond(
            actor=request.user, membership=found, accept=answer == "accept", request=request
        )
    except ValidationError as error:
        messages.error(request, _message_of(error))
        return redirect("groups:list")
    if answer == "accept":
        messages.success(request, _("グループに参加しました。"))
        return redirect(_board_url(found.group))
    messages.success(request, _("招待を辞退しました。"))
    return redirect("groups:list")


@login_required
@require_http_methods(["GET", "POST"])
def members(request, group_uuid):
    """Members (owners first); owners also see requests and invitations, invite by login ID."""
    access = access_group(request.user, group_uuid)
    form = InviteForm(request.POST or None) if access.can_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            invitee = (
                get_user_model()
                .objects.filter(username=form.cleaned_data["username"].strip())
                .first()
            )
            try:
                services.group_invite(
                    actor=request.user, access=access, invitee=invitee, request=request
                )
            except ValidationError as error:
                form.add_error("username", error.message_dict.get("user", error.messages))
            else:
                messages.success(request, _("招待しました。"))
                return redirect("groups:members", group_uuid=access.group.uuid)
    rows = selectors.memberships(access, include_pending=True)
    return render(
        request,
        "groups/members.html",
        {
            "access": access,
            "group": access.group,
            "active": [m for m in rows if m.status == "active"],
            "requested": [m for m in rows if m.status == "requested"],
            "invited": [m for m in rows if m.status == "invited"],
            "form": form,
        },
    )


MEMBER_ACTIONS = ("approve", "reject", "remove", "owner", "member")


@login_required
@require_POST
def member_action(request, group_uuid, membership_uuid, action):
    if action not in MEMBER_ACTIONS:
        raise Http404
    access = access_group(request.user, group_uuid)
    if not access.can_manage:
        raise PermissionDenied
    membership = selectors.membership_in(access, membership_uuid)
    if membership is None:
        raise Http404
    try:
        if action in ("approve", "reject") and membership.status == "requested":
            services.request_decide(
                actor=request.user,
                access=access,
                membership=membership,
                approve=action == "approve",
                request=request,
            )
        elif action in ("remove", "reject"):
            services.member_remove(
                actor=request.user, access=access, membership=membership, request=request
            )
        elif action in ("owner", "member"):
            services.member_set_role(
                actor=request.user,
                access=access,
                membership=membership,
                owner=action == "owner",
                request=request,
            )
        else:
            raise ValidationError(_("この申請は既に処理されています。"))
    except ValidationError as error:
        messages.error(request, _message_of(error))
    else:
        messages.success(request, _("メンバーを更新しました。"))
    return redirect("groups:members", group_uuid=access.group.uuid)


# --- Files -------------------------------------------------------------------------------


@login_required
@require_GET
def attachment(request, attachment_uuid):
    """The file as a download with its content-checked type, never rendered in the app's
    origin (nosniff, sandboxed). Audited (BOARD_FILE)."""
    access, found = access_attachment(request.user, attachment_uuid)
    open_stored(found.file)
    board.attachment_downloaded(
        actor=request.user, access=access, attachment=found, request=request
    )
    return file_download(
        found.file, content_type=found.content_type, filename=attachment_filename(found)
    )


@login_required
@require_GET
def attachment_thumbnail(request, attachment_uuid):
    _, found = access_attachment(request.user, attachment_uuid)
    return file_download(found.thumbnail, content_type="image/jpeg", inline=True)
