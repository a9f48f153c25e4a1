"""Reads of the chat screens and API, access-filtered, joins done up front.

Query counts are part of the contract (tests/test_queries.py): none of these grows with the
number of messages, conversations or members shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import (
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Greatest

from renrakucho.accounts.models import User
from renrakucho.core.text import fold
from renrakucho.facilities.models import Affiliation
from renrakucho.networks.models import OperatorRole, Suspension
from renrakucho.residents.access import residents_on_my_teams, residents_visible_to

from .access import ChatAccess, active_networks, my_memberships
from .models import Conversation, ConversationMember, Message, MessageAttachment

PAGE_SIZE = 30
CATCH_UP_LIMIT = 100
DIRECTORY_LIMIT = 50
CONVERSATIONS_PAGE = 50
SEARCH_LIMIT = 50
UNREAD_CAP = 99


# --- the directory of professionals ------------------------------------------------------------
def _in_network(network_id: int) -> Q:
    """Users active in one Network: an active affiliation with an approved facility there, or
    an active operator role; and not suspended there."""
    affiliated = Affiliation.objects.filter(
        user=OuterRef("pk"),
        status=Affiliation.Status.ACTIVE,
        facility__status="approved",
        facility__network_id=network_id,
    )
    operator = OperatorRole.objects.filter(
        user=OuterRef("pk"), is_active=True, network_id=network_id
    )
    suspended = Suspension.objects.filter(
        user=OuterRef("pk"), network_id=network_id, lifted_at__isnull=True
    )
    return (Q(Exists(affiliated)) | Q(Exists(operator))) & ~Q(Exists(suspended))


def users_of_networks(network_ids: Iterable[int]):
    """Active users active in at least one of `network_ids` (one condition per Network: a
    suspension in one Network does not hide someone active in another)."""
    condition = Q(pk__in=[])
    for network_id in sorted(set(network_ids)):
        condition |= _in_network(network_id)
    return User.objects.filter(is_active=True).filter(condition)


def directory(user, *, q: str = "", limit: int = DIRECTORY_LIMIT, offset: int = 0) -> list[User]:
    """Professionals `user` may contact: active users of `user`'s active Networks (`user`
    left out), by kana, searched by name, kana or login ID (width- and kana-insensitive).
    Each has `occupations` prefetched and `chat_facility` (the name of their first active
    facility in those Networks, or ""). Four queries (Networks, users, occupations,
    affiliations)."""
    networks = active_networks(user)
    if not networks:
        return []
    qs = users_of_networks(networks).exclude(pk=user.pk)
    key = fold(q)
    if key:
        qs = qs.filter(search_key__contains=key)
    rows = list(
        qs.order_by("name_kana", "username", "id").prefetch_related(
            "occupations",
            Prefetch(
                "affiliations",
                queryset=Affiliation.objects.filter(
                    status=Affiliation.Status.ACTIVE,
                    facility__status="approved",
                    facility__network_id__in=networks,
                )
                .select_related("facility")
                .order_by("id"),
                to_attr="chat_affiliations",
            ),
        )[offset : offset + limit]
    )
    for row in rows:
        row.chat_facility = row.chat_affiliations[0].facility.name if row.chat_affiliations else ""
    return rows


# --- conversations --------------------------------------------------------------------------
def _last_message(field_name: str):
    return Subquery(
        Message.objects.filter(
            conversation=OuterRef("conversation"), seq=OuterRef("conversation__last_seq")
        ).values(field_name)[:1]
    )


def _with_members(memberships: list[ConversationMember]) -> None:
    """Attach `conversation.active_members` (with users) to each membership. One query."""
    ids = [m.conversation_id for m in memberships]
    members: dict[int, list[ConversationMember]] = {}
    for member in (
        ConversationMember.objects.filter(conversation_id__in=ids, left_at__isnull=True)
        .select_related("user")
        .order_by("id")
    ):
        members.setdefault(member.conversation_id, []).append(member)
    for membership in memberships:
        membership.conversation.active_members = members.get(membership.conversation_id, [])


def conversation_title(conversation: Conversation, reader) -> str:
    """The title shown to `reader`: the title, else the other members' names."""
    if conversation.title:
        return conversation.title
    others = [
        m.user.name for m in getattr(conversation, "active_members", []) if m.user_id != reader.pk
    ]
    return "、".join(others[:4]) + ("…" if len(others) > 4 else "")


def my_conversations(user, *, page: int = 1) -> tuple[list[ConversationMember], bool]:
    """(memberships, has_more): the user's conversations, latest activity first, each with
    its conversation, `unread`, the newest message's text and deletion (`last_body`,
    `last_deleted`), and `conversation.active_members`. Three queries."""
    offset = (max(page, 1) - 1) * CONVERSATIONS_PAGE
    rows = list(
        my_memberships(user)
        .select_related("conversation", "conversation__network")
        .annotate(last_body=_last_message("body"), last_deleted=_last_message("deleted_at"))
        .order_by(F("conversation__last_message_at").desc(nulls_last=True), "-conversation_id")[
            offset : offset + CONVERSATIONS_PAGE + 1
        ]
    )
    has_more = len(rows) > CONVERSATIONS_PAGE
    rows = rows[:CONVERSATIONS_PAGE]
    for row in rows:
        row.unread = max(row.conversation.last_seq - row.last_read_seq, 0)
    _with_members(rows)
    for row in rows:
        row.title = conversation_title(row.conversation, user)
    return rows, has_more


def unread_total(user) -> int:
    """Unread messages across the user's conversations (capped at UNREAD_CAP + 1, shown as
    "99+"), in the conversations of the user's active Networks. One query."""
    if not getattr(user, "is_authenticated", False):
        return 0
    # One query on every page: the Network condition as subqueries, not a second query.
    network = OuterRef("conversation__network_id")
    active_here = Q(
        Exists(
            Affiliation.objects.filter(
                user=user,
                status=Affiliation.Status.ACTIVE,
                facility__status="approved",
                facility__network_id=network,
            )
        )
    ) | Q(Exists(OperatorRole.objects.filter(user=user, is_active=True, network_id=network)))
    suspended = Exists(
        Suspension.objects.filter(user=user, network_id=network, lifted_at__isnull=True)
    )
    memberships = ConversationMember.objects.filter(user=user, left_at__isnull=True).filter(
        active_here & ~Q(suspended)
    )
    total = memberships.aggregate(
        n=Sum(Greatest(F("conversation__last_seq") - F("last_read_seq"), 0))
    )["n"]
    return min(int(total or 0), UNREAD_CAP + 1)


# --- messages ----------------------------------------------------------------------------------
@dataclass
class MessagePage:
    items: list[Message]
    # Older messages exist before the first item (a "show earlier" link).
    has_earlier: bool = False
    # More messages exist after the last item (catch-up was capped: ask again).
    has_later: bool = False
    members: list[ConversationMember] = field(default_factory=list)


def _for_display(qs) -> list[Message]:
    return list(
        qs.select_related("author").prefetch_related(
            Prefetch("attachments", queryset=MessageAttachment.objects.order_by("id"))
        )
    )


def message_page(
    access: ChatAccess,
    *,
    after_seq: int | None = None,
    before_seq: int | None = None,
    limit: int = PAGE_SIZE,
) -> MessagePage:
    """Messages in seq order (oldest first):
    - `after_seq`: those after it (catch-up), at most `limit`; `has_later` when capped;
    - `before_seq`: the `limit` before it (scrolling back); `has_earlier` when more remain;
    - neither: the newest `limit`.
    Each message gets `read_count`, `resident_link`; the page carries the members' read
    state. Five queries (messages with authors, attachments, members, residents linked —
    only when some are — and nothing else)."""
    base = Message.objects.filter(conversation=access.conversation)
    has_earlier = has_later = False
    if after_seq is not None:
        rows = _for_display(base.filter(seq__gt=after_seq).order_by("seq")[: limit + 1])
        has_later = len(rows) > limit
        rows = rows[:limit]
    else:
        qs = base.filter(seq__lt=before_seq) if before_seq is not None else base
        rows = _for_display(qs.order_by("-seq")[: limit + 1])
        has_earlier = len(rows) > limit
        rows = list(reversed(rows[:limit]))
    page = MessagePage(items=rows, has_earlier=has_earlier, has_later=has_later)
    page.members = members_of(access.conversation)
    annotate_messages(rows, page.members, access.user)
    return page


def members_of(conversation: Conversation) -> list[ConversationMember]:
    """Active members with their users, in joining order. One query."""
    return list(
        ConversationMember.objects.filter(conversation=conversation, left_at__isnull=True)
        .select_related("user")
        .order_by("id")
    )


def read_count(message: Message, members: Sequence[ConversationMember]) -> int:
    """既読 N: active members other than the author who have read up to this message."""
    return sum(
        1 for m in members if m.user_id != message.author_id and m.last_read_seq >= message.seq
    )


def annotate_messages(messages: list[Message], members, reader) -> None:
    """`read_count` and `resident_link` on each message, with no query per message (one for
    the residents linked, if any)."""
    links = resident_links(reader, [m.resident_uuid for m in messages if m.resident_uuid])
    for message in messages:
        message.read_count = read_count(message, members)
        message.resident_link = (
            links.get(message.resident_uuid, ResidentLink(message.resident_uuid, None))
            if message.resident_uuid and not message.is_deleted
            else None
        )


@dataclass(frozen=True)
class ResidentLink:
    uuid: object
    name: str | None  # None: the reader may not reach this resident

    @property
    def accessible(self) -> bool:
        return self.name is not None


def resident_links(reader, uuids: Iterable) -> dict:
    """{resident uuid: ResidentLink} for the residents `reader` may reach among `uuids`
    (residents.access.residents_visible_to, one query; none when `uuids` is empty). The
    others are absent: the caller shows a link without a name."""
    uuids = set(uuids)
    if not uuids:
        return {}
    return {
        row["uuid"]: ResidentLink(row["uuid"], row["name"])
        for row in residents_visible_to(reader).filter(uuid__in=uuids).values("uuid", "name")
    }


def resident_choices(user) -> list[tuple[str, str]]:
    """(uuid, name) of the residents on the user's teams, for the link picker. One query."""
    return [
        (str(row["uuid"]), row["name"])
        for row in residents_on_my_teams(user).order_by("name_kana", "id").values("uuid", "name")
    ]


def message_for_display(access: ChatAccess, message: Message) -> Message:
    page_members = members_of(access.conversation)
    rows = _for_display(Message.objects.filter(pk=message.pk))
    annotate_messages(rows, page_members, access.user)
    return rows[0]


def read_state(access: ChatAccess) -> list[dict]:
    """[{"user": uuid, "seq": last_read_seq}] of the active members (for the page's 既読
    counts). One query."""
    return [
        {"user": str(user_uuid), "seq": seq}
        for user_uuid, seq in ConversationMember.objects.filter(
            conversation=access.conversation, left_at__isnull=True
        ).values_list("user__uuid", "last_read_seq")
    ]


def search_messages(user, q: str, *, conversation: Conversation | None = None) -> list[Message]:
    """The newest SEARCH_LIMIT live messages of the user's conversations whose text contains
    `q` (width- and kana-insensitive), with conversation and author. Two or three queries."""
    key = fold(q)
    if not key:
        return []
    conversations = my_memberships(user).values("conversation_id")
    qs = Message.objects.filter(
        conversation_id__in=conversations, deleted_at__isnull=True, search_key__contains=key
    )
    if conversation is not None:
        qs = qs.filter(conversation=conversation)
    return list(qs.select_related("author", "conversation").order_by("-id")[:SEARCH_LIMIT])
