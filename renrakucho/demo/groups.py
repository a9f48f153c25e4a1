"""Demo data of the groups app (issue 4), in 伊那市 (slug "ina"):

- 伊那市医師会: doctors only, by request; owner demo-doctor, member ina-hospital-doctor; a
  ministry notice shared with members and a holiday on-call thread.
- 介護事業所連絡会: anyone of the Network, by request; owner demo-caremanager, members
  demo-nurse, demo-helper, ina-caremanager-2, ina-soudan; a pinned how-to thread, the next
  meeting's agenda and a snow-route thread with replies; demo-pharmacist's request waits for
  approval.
- 伊那市からのお知らせ: the operator's open, announcement-only group (owner demo-operator);
  demo-doctor, demo-nurse, demo-caremanager and demo-pharmacist joined; a pinned notice.

Everything goes through groups.services and groups.board (audited as the demo authors,
members notified); times are then moved into the past with queryset updates. A group that
exists already (by name in its Network) is left as it is, so a second run creates nothing.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.utils import timezone

from renrakucho.groups import board, services
from renrakucho.groups.access import access_group
from renrakucho.groups.models import Group, Policy, Reply, Thread, ThreadRead
from renrakucho.notifications.models import Notification

HOUR = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class ReplySpec:
    author: str
    body: str
    hours_ago: int


@dataclass(frozen=True)
class ThreadSpec:
    author: str
    title: str
    body: str
    hours_ago: int
    replies: tuple[ReplySpec, ...] = ()
    pinned: bool = False
    closed: bool = False
    read_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupSpec:
    network: str
    name: str
    description: str
    owner: str
    policy: str
    members: tuple[str, ...]
    threads: tuple[ThreadSpec, ...]
    occupations: tuple[str, ...] = ()
    announcement_only: bool = False
    requests: tuple[str, ...] = ()


GROUPS = (
    GroupSpec(
        network="ina",
        name="伊那市医師会",
        description="伊那市医師会の会員（医師）専用の連絡板です。行政・学会からの通知や当番の調整に使います。",
        owner="demo-doctor",
        policy=Policy.REQUEST,
        occupations=("doctor",),
        members=("ina-hospital-doctor",),
        threads=(
            ThreadSpec(
                author="demo-doctor",
                title="【共有】高齢者施設等における感染対策の事務連絡",
                body=(
                    "厚生労働省から高齢者施設等の感染対策に関する事務連絡が出ています。"
                    "在宅療養中の方への訪問時の対応も含まれていますので、ご確認ください。"
                ),
                hours_ago=72,
                replies=(
                    ReplySpec(
                        "ina-hospital-doctor",
                        "共有ありがとうございます。当院の地域連携室から訪問看護ステーションにも周知します。",
                        60,
                    ),
                ),
                read_by=("ina-hospital-doctor",),
            ),
            ThreadSpec(
                author="ina-hospital-doctor",
                title="年末年始の在宅当番医の調整",
                body="12月29日〜1月3日の在宅患者の急変時対応について、担当日の希望をこちらにお寄せください。",
                hours_ago=20,
            ),
        ),
    ),
    GroupSpec(
        network="ina",
        name="介護事業所連絡会",
        description="伊那市内の居宅介護支援事業所・訪問看護・訪問介護などの情報交換の場です。",
        owner="demo-caremanager",
        policy=Policy.REQUEST,
        members=("demo-nurse", "demo-helper", "ina-caremanager-2", "ina-soudan"),
        requests=("demo-pharmacist",),
        threads=(
            ThreadSpec(
                author="demo-caremanager",
                title="この掲示板の使い方",
                body=(
                    "事業所間の連絡・研修案内・空き状況の共有にお使いください。"
                    "利用者さん個人の情報は、その方のタイムラインに書いてください。"
                ),
                hours_ago=24 * 20,
                pinned=True,
                closed=True,
                read_by=("demo-nurse", "demo-helper", "ina-caremanager-2", "ina-soudan"),
            ),
            ThreadSpec(
                author="demo-caremanager",
                title="12月の連絡会（12月18日 14時〜）の議題",
                body=(
                    "1. 年末年始のサービス提供体制\n2. 冬期の送迎・訪問ルート\n3. 研修報告（認知症ケア）\n"
                    "追加の議題があれば返信してください。"
                ),
                hours_ago=48,
                replies=(
                    ReplySpec(
                        "demo-nurse", "訪問看護の年末年始の緊急時連絡先も共有させてください。", 40
                    ),
                    ReplySpec("ina-soudan", "社協から除雪ボランティアの案内をします。", 30),
                ),
                read_by=("demo-nurse", "ina-soudan"),
            ),
            ThreadSpec(
                author="demo-helper",
                title="積雪時の訪問ルートの情報共有",
                body="高遠方面は朝の凍結が続いています。通行止めや迂回路の情報があれば共有をお願いします。",
                hours_ago=6,
                replies=(ReplySpec("demo-nurse", "県道は8時以降なら除雪済みでした。", 4),),
            ),
        ),
    ),
    GroupSpec(
        network="ina",
        name="伊那市からのお知らせ",
        description="伊那市（電子連絡帳の運営）から、参加事業所の皆さまへのお知らせです。",
        owner="demo-operator",
        policy=Policy.OPEN,
        announcement_only=True,
        members=("demo-doctor", "demo-nurse", "demo-caremanager", "demo-pharmacist"),
        threads=(
            ThreadSpec(
                author="demo-operator",
                title="年末年始の市役所窓口と電子連絡帳のお問い合わせ",
                body=(
                    "12月29日から1月3日まで、市役所の窓口は休みです。"
                    "電子連絡帳の障害時の連絡先は保健福祉部（0265-78-4111）です。"
                ),
                hours_ago=30,
                pinned=True,
                read_by=("demo-nurse", "demo-caremanager"),
            ),
        ),
    ),
)


def seed_groups(users: dict, facilities: dict, networks: dict, created: Counter) -> None:
    """Create whatever of this app's demo data is missing, through its services."""
    now = timezone.now()
    for spec in GROUPS:
        network = networks[spec.network]
        if Group.objects.filter(network=network, name=spec.name).exists():
            continue
        _seed_group(spec, network, users, now, created)


def _seed_group(spec: GroupSpec, network, users: dict, now, created: Counter) -> None:
    owner = users[spec.owner]
    group = services.group_create(
        actor=owner,
        network=network,
        name=spec.name,
        description=spec.description,
        policy=spec.policy,
        announcement_only=spec.announcement_only,
        occupation_codes=spec.occupations,
    )
    created["groups"] += 1
    owner_access = access_group(owner, group.uuid)
    for username in spec.members:
        member = users[username]
        if spec.policy == Policy.OPEN:
            services.group_join(actor=member, access=access_group(member, group.uuid, board=False))
        else:
            services.group_invite(actor=owner, access=owner_access, invitee=member)
            services.group_join(actor=member, access=access_group(member, group.uuid, board=False))
        created["group members"] += 1
    for username in spec.requests:
        requester = users[username]
        services.group_join(
            actor=requester, access=access_group(requester, group.uuid, board=False)
        )
        created["group requests"] += 1
    for thread_spec in spec.threads:
        _seed_thread(thread_spec, group, users, now, created)


def _seed_thread(spec: ThreadSpec, group: Group, users: dict, now, created: Counter) -> None:
    author = users[spec.author]
    thread = board.thread_create(actor=author, group=group, title=spec.title, body=spec.body)
    created["threads"] += 1
    at = now - spec.hours_ago * HOUR
    last = at
    for reply_spec in spec.replies:
        replier = users[reply_spec.author]
        reply = board.reply_create(
            actor=replier,
            access=access_group(replier, group.uuid),
            thread=thread,
            body=reply_spec.body,
        )
        reply_at = now - reply_spec.hours_ago * HOUR
        Reply.objects.filter(pk=reply.pk).update(created_at=reply_at, updated_at=reply_at)
        last = max(last, reply_at)
        created["replies"] += 1
    owner_access = access_group(group.created_by, group.uuid)
    if spec.pinned:
        board.thread_set_pinned(
            actor=group.created_by, access=owner_access, thread=thread, pinned=True
        )
    if spec.closed:
        board.thread_set_closed(
            actor=group.created_by, access=owner_access, thread=thread, closed=True
        )
    Thread.objects.filter(pk=thread.pk).update(
        created_at=at, updated_at=last, last_activity_at=last
    )
    # The members were notified when the thread and its replies "happened"; those who read
    # it have seen the notification too.
    Notification.objects.filter(target_uuid=thread.uuid).update(created_at=last)
    thread.group = group
    for username in spec.read_by:
        reader = users[username]
        board.mark_read(user=reader, thread=thread, replies=list(thread.replies.all()))
    ThreadRead.objects.filter(thread=thread).update(read_at=last + HOUR)
    Notification.objects.filter(target_uuid=thread.uuid, user__username__in=spec.read_by).update(
        read_at=last + HOUR
    )
