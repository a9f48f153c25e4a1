"""Chat screens: my conversations, starting one, a conversation (messages and composer),
its members and name, editing and deleting a message, files, search.

Thin function views: access (chat.access: 404 for anyone not an active member) → form →
service → render. The conversation page's JavaScript (static/js/chat.js) fetches
`messages/?after_seq=n` (catch-up) and `?before_seq=n` (older) fragments through the same
access check, and reports what was shown with `read/`. Every page works without it.
Downloading a file is audited (CHAT_FILE).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renrakucho.files.serving import attachment_filename, file_download, open_stored
from renrakucho.residents.forms import add_service_errors

from . import selectors, services
from .access import ChatAccess, access_attachment, access_conversation, access_message
from .forms import ConversationForm, EditForm, MembersForm, MessageForm, TitleForm


def _is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _conversation_url(access: ChatAccess) -> str:
    return reverse("chat:conversation", kwargs={"conversation_uuid": access.conversation.uuid})


@login_required
@require_GET
def conversation_list(request):
    page = max(_int(request.GET.get("page")) or 1, 1)
    rows, has_more = selectors.my_conversations(request.user, page=page)
    return render(
        request, "chat/list.html", {"rows": rows, "page_number": page, "has_more": has_more}
    )


def _directory_context(request, chosen=()) -> dict:
    q = request.GET.get("q", request.POST.get("q", "")).strip()
    people = selectors.directory(request.user, q=q)
    return {"q": q, "people": people, "chosen": {str(c) for c in chosen}}


@login_required
@require_http_methods(["GET", "POST"])
def conversation_new(request):
    """Pick people (search by name or kana; the results are the professionals of my
    Networks) and start a 1:1 or a group conversation."""
    form = ConversationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            conversation, created = services.conversation_create(
                actor=request.user,
                members=form.cleaned_data["members"],
                title=form.cleaned_data["title"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if created:
                messages.success(request, _("会話を始めました。"))
            return redirect("chat:conversation", conversation_uuid=conversation.uuid)
    chosen = getattr(form, "cleaned_data", {}).get("members", [])
    context = {"form": form, **_directory_context(request, chosen)}
    if _is_htmx(request) and request.method == "GET":
        return render(request, "chat/new.html#people", context)
    return render(request, "chat/new.html", context)


def _composer(request, access: ChatAccess, form=None) -> dict:
    return {
        "access": access,
        "conversation": access.conversation,
        "form": form or MessageForm(resident_choices=selectors.resident_choices(request.user)),
    }


@login_required
@require_GET
def conversation(request, conversation_uuid):
    """The newest messages (oldest first, newest at the bottom), or with ?before_seq=n the
    page before n; the composer; marks everything shown read (既読)."""
    access = access_conversation(request.user, conversation_uuid)
    before = _int(request.GET.get("before_seq"))
    page = selectors.message_page(access, before_seq=before)
    if before is None:
        services.conversation_mark_read(actor=request.user, access=access)
    elif page.items:
        services.conversation_mark_read(actor=request.user, access=access, seq=page.items[-1].seq)
    context = {
        **_composer(request, access),
        "page": page,
        "members": page.members,
        "title": selectors.conversation_title(_with_members(access, page.members), request.user),
        "latest": before is None,
    }
    return render(request, "chat/conversation.html", context)


def _with_members(access: ChatAccess, members):
    access.conversation.active_members = members
    return access.conversation


@login_required
@require_http_methods(["GET", "POST"])
def messages_view(request, conversation_uuid):
    """GET: the fragment of messages after ?after_seq=n (catch-up, at most 100; the list
    says data-has-later when there are more) or before ?before_seq=n (older). POST: send
    a message (form data, files included); with htmx the answer is a fresh composer (or the
    composer with its errors), otherwise a redirect to the conversation."""
    access = access_conversation(request.user, conversation_uuid)
    if request.method == "GET":
        after = _int(request.GET.get("after_seq"))
        before = _int(request.GET.get("before_seq"))
        if after is None and before is None:
            raise Http404
        limit = min(_int(request.GET.get("limit")) or selectors.CATCH_UP_LIMIT, 100)
        if after is not None:
            page = selectors.message_page(access, after_seq=after, limit=limit)
        else:
            page = selectors.message_page(access, before_seq=before)
        return render(
            request,
            "chat/_messages.html",
            {"access": access, "conversation": access.conversation, "page": page},
        )
    choices = selectors.resident_choices(request.user)
    form = MessageForm(request.POST, request.FILES, resident_choices=choices)
    if form.is_valid():
        try:
            services.message_send(
                actor=request.user,
                conversation=access.conversation,
                membership=access.membership,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["files"],
                resident_uuid=form.cleaned_data["resident"] or None,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if _is_htmx(request):
                form = None
            else:
                return redirect(_conversation_url(access) + "#latest")
    if _is_htmx(request):
        return render(request, "chat/_composer.html", _composer(request, access, form))
    page = selectors.message_page(access)
    return render(
        request,
        "chat/conversation.html",
        {
            **_composer(request, access, form),
            "page": page,
            "members": page.members,
            "title": selectors.conversation_title(
                _with_members(access, page.members), request.user
            ),
            "latest": True,
        },
    )


@login_required
@require_POST
def mark_read(request, conversation_uuid):
    """The page reports the newest message it showed (`seq`): 既読 up to there. 204."""
    access = access_conversation(request.user, conversation_uuid)
    seq = _int(request.POST.get("seq"))
    if seq is None:
        return HttpResponse(status=400)
    services.conversation_mark_read(actor=request.user, access=access, seq=seq)
    return HttpResponse(status=204)


@login_required
@require_GET
def read_state(request, conversation_uuid):
    """{"members": [{"user": uuid, "seq": last read seq}]}: the page recomputes 既読 N."""
    access = access_conversation(request.user, conversation_uuid)
    return JsonResponse({"members": selectors.read_state(access)})


@login_required
@require_http_methods(["GET", "POST"])
def conversation_members(request, conversation_uuid):
    """Members and name: rename, add (group conversations), remove (its creator), leave."""
    access = access_conversation(request.user, conversation_uuid)
    title_form = TitleForm(initial={"title": access.conversation.title})
    members_form = MembersForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "rename":
                title_form = TitleForm(request.POST)
                if title_form.is_valid():
                    services.conversation_rename(
                        actor=request.user,
                        access=access,
                        title=title_form.cleaned_data["title"],
                        request=request,
                    )
                    messages.success(request, _("会話の名前を変更しました。"))
                    return redirect("chat:members", conversation_uuid=access.conversation.uuid)
            elif action == "add":
                members_form = MembersForm(request.POST)
                if members_form.is_valid():
                    services.members_add(
                        actor=request.user,
                        access=access,
                        members=members_form.cleaned_data["members"],
                        request=request,
                    )
                    messages.success(request, _("メンバーを追加しました。"))
                    return redirect("chat:members", conversation_uuid=access.conversation.uuid)
            elif action == "remove":
                services.member_remove(
                    actor=request.user,
                    access=access,
                    member_uuid=request.POST.get("member", ""),
                    request=request,
                )
                messages.success(request, _("メンバーを外しました。"))
                return redirect("chat:members", conversation_uuid=access.conversation.uuid)
            elif action == "leave":
                services.conversation_leave(actor=request.user, access=access, request=request)
                messages.success(request, _("会話から退出しました。"))
                return redirect("chat:list")
            else:
                return HttpResponse(status=400)
        except ValidationError as error:
            target = members_form if action == "add" else title_form
            add_service_errors(target, error)
    members = selectors.members_of(access.conversation)
    context = {
        "access": access,
        "conversation": access.conversation,
        "members": members,
        "title": selectors.conversation_title(_with_members(access, members), request.user),
        "title_form": title_form,
        "members_form": members_form,
        "is_creator": access.conversation.created_by_id == request.user.pk,
    }
    if access.can_manage:
        member_ids = {m.user_id for m in members}
        chosen = getattr(members_form, "cleaned_data", {}).get("members", [])
        directory = _directory_context(request, chosen)
        directory["people"] = [p for p in directory["people"] if p.pk not in member_ids]
        context.update(directory)
    return render(request, "chat/members.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def message_edit(request, message_uuid):
    access, message = access_message(request.user, message_uuid)
    if message.author_id != request.user.pk:
        raise PermissionDenied
    back = _conversation_url(access) + f"#seq-{message.seq}"
    if message.is_deleted:
        messages.error(request, _("削除されたメッセージは変更できません。"))
        return redirect(back)
    form = EditForm(request.POST or None, initial={"body": message.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.message_edit(
                actor=request.user,
                access=access,
                message=message,
                body=form.cleaned_data["body"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("メッセージを編集しました。"))
            return redirect(back)
    return render(
        request,
        "chat/message_edit.html",
        {"access": access, "conversation": access.conversation, "message": message, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def message_delete(request, message_uuid):
    access, message = access_message(request.user, message_uuid)
    if message.author_id != request.user.pk:
        raise PermissionDenied
    back = _conversation_url(access) + f"#seq-{message.seq}"
    if message.is_deleted:
        messages.error(request, _("このメッセージは既に削除されています。"))
        return redirect(back)
    if request.method == "POST":
        services.message_delete(actor=request.user, access=access, message=message, request=request)
        messages.success(request, _("メッセージを削除しました。"))
        return redirect(back)
    return render(
        request,
        "chat/message_delete.html",
        {"access": access, "conversation": access.conversation, "message": message},
    )


@login_required
@require_GET
def attachment(request, attachment_uuid):
    """The file as a download with its stored (content-checked) type, nosniff, sandboxed.
    Audited (CHAT_FILE)."""
    access, found = access_attachment(request.user, attachment_uuid)
    open_stored(found.file)
    services.attachment_downloaded(
        actor=request.user, access=access, attachment=found, request=request
    )
    return file_download(
        found.file, content_type=found.content_type, filename=attachment_filename(found)
    )


@login_required
@require_GET
def attachment_thumbnail(request, attachment_uuid):
    """Our own JPEG preview (never the upload) inline, for <img>."""
    _, found = access_attachment(request.user, attachment_uuid)
    return file_download(found.thumbnail, content_type="image/jpeg", inline=True)


@login_required
@require_GET
def badge(request):
    """The navigation's unread badge (fetched by htmx after the page loads)."""
    response = render(request, "chat/_badge.html")
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def search(request):
    """Search the messages of my conversations (the newest 50 matches)."""
    q = request.GET.get("q", "").strip()
    results = selectors.search_messages(request.user, q) if q else []
    return render(request, "chat/search.html", {"q": q, "results": results})
